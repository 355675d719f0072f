"""`corisk train [--if-stale]`: rebuild the extraction model from corpus/annotations."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..output import err


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(
        if_stale: bool = typer.Option(False, "--if-stale", help="Skip when corpus, ontology and nlp/ are unchanged."),
        model_dir: Optional[Path] = typer.Option(None, "--model-dir", help="Where to write the model (default var/model)."),
    ) -> None:
        """Fit the extraction pipeline on the train split (dev picks the thresholds; test is never used)."""
        from nlp.train import train as run

        run(model_dir, if_stale=if_stale, log=lambda m: err.print(m, highlight=False))
