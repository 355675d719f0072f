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

    def extractor(self):
        """The trained extraction pipelines (nlp.extract.Extractor), loaded once (built first if missing)."""
        from nlp.extract import Extractor

        return self.get("extractor", lambda: Extractor.load(self.settings.model_dir))

    def store(self):
        """The knowledge-graph store (graph.store.KnowledgeStore), opened once.

        When another process holds the embedded store's lock, a read-only snapshot is opened
        instead; writes then fail with a clear StoreLockedError.
        """
        from graph.store import open_store

        return self.get("store", lambda: open_store(self.settings.store_location, fallback_read_only=True))

    def ontology(self) -> Graph:
        """The ontology graph the product works with: an in-memory copy of the store's ontology graph.

        The copy is rebuilt only when the store's ontology graph changed; while the store holds
        no ontology yet (or cannot be opened) the shipped Turtle files are used.
        """
        from ontology import load
        from ontology.errors import CoriskError

        try:
            graph = self.store().ontology_graph()
            version = self.store().graph_version(_ontology_graph_iri())
        except CoriskError:
            graph, version = None, -1
        with self._lock:
            if self._cache.get("ontology_version") != version:
                # everything derived from the ontology goes with the old copy
                self.invalidate("ontology_violations", "lexicon")
                self._cache["ontology_version"] = version
        if graph is not None and len(graph):
            return graph
        return self.get("ontology_files", lambda: load().graph)

    def cases(self):
        """The case base in the store (graph.cases.CaseBase)."""
        from graph.cases import CaseBase

        return CaseBase(self.store())

    def case_counts(self) -> tuple[int, int]:
        """(cases, real cases) in the store's case base."""
        return self.cases().counts()

    def cases_version(self) -> int:
        """A cheap counter that moves whenever this process writes the case base."""
        from graph.store import CASES_GRAPH

        return self.store().graph_version(CASES_GRAPH)

    def changes_since(self, version: int):
        """(current version, keys such as "case:<id>" changed since `version`, or None: rebuild all)."""
        return self.store().changes_since(version)


def _ontology_graph_iri():
    from graph.store import ONTOLOGY_GRAPH

    return ONTOLOGY_GRAPH
