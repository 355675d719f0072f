"""Long-lived resources of one process (ontology graph, store, extractor, advisor), built lazily once."""
from __future__ import annotations

import threading
from typing import Any, Callable

from rdflib import Graph

from .settings import Settings, get_settings


class AppState:
    """A small cache of expensive resources, shared by the CLI and the HTTP app.

    Each resource is built on first use by its factory and kept until `invalidate` drops it
    (for example after the case base changed).
    """

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self._cache: dict[str, Any] = {}
        self._lock = threading.RLock()

    def get(self, name: str, factory: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._cache:
                self._cache[name] = factory()
            return self._cache[name]

    def invalidate(self, *names: str) -> None:
        with self._lock:
            for n in names or list(self._cache):
                self._cache.pop(n, None)

    def ontology(self) -> Graph:
        """The ontology graph the product works with."""
        from ontology import load

        return self.get("ontology", lambda: load().graph)
