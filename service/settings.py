"""One settings object for the whole product: environment variables with the CORISK_ prefix."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CORISK_{name}", default)


@dataclass(frozen=True)
class Settings:
    """Where things live and how the service listens.

    `store` is a directory (embedded Oxigraph) or an http(s) URL of a SPARQL 1.1 endpoint.
    """

    home: Path = field(default_factory=lambda: Path(_env("HOME", str(REPO_ROOT / "var"))))
    store: str = field(default_factory=lambda: _env("STORE", ""))
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    model_dir: Path = field(default_factory=lambda: Path(_env("MODEL", str(REPO_ROOT / "var" / "model"))))
    cases_dir: Path = field(default_factory=lambda: Path(_env("CASES", str(REPO_ROOT / "corpus" / "cases"))))
    annotations_dir: Path = field(
        default_factory=lambda: Path(_env("ANNOTATIONS", str(REPO_ROOT / "corpus" / "annotations")))
    )

    @property
    def store_location(self) -> str:
        """The store: the explicit setting, or `<home>/store` on disk."""
        return self.store or str(self.home / "store")

    def with_store(self, store: str | None) -> "Settings":
        if not store:
            return self
        return Settings(home=self.home, store=store, host=self.host, port=self.port,
                        model_dir=self.model_dir, cases_dir=self.cases_dir,
                        annotations_dir=self.annotations_dir)


def get_settings() -> Settings:
    return Settings()
