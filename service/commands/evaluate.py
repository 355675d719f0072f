"""`corisk evaluate`: extraction figures on the test split, with the lexicon-only baseline.

The advisor's evaluation plugs in as one more option here (`--advisor`), imported lazily.
"""
from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from ..output import Format, err, out, print_json


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        split: str = typer.Option("test", "--split", help="train, dev or test"),
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
        baseline: bool = typer.Option(True, "--baseline/--no-baseline", help="Also score the lexicon-only baseline."),
        model_dir: Optional[str] = typer.Option(None, "--model-dir"),
    ) -> None:
        """Per-category P/R/F1, span F1, linking, negation, clause types, missing clauses."""
        from nlp.evaluate import evaluate as run
        from ontology.errors import CoriskError

        if split not in ("train", "dev", "test"):
            raise CoriskError(f"unknown split '{split}'; use train, dev or test.")
        result = run(split, model_dir, baseline=baseline)
        if format is Format.json:
            print_json(result)
            return
        print_extraction_table(result)


def print_extraction_table(result: dict) -> None:
    rows = [("model", result["model"])] + ([("baseline (lexicon only)", result["baseline"])] if "baseline" in result else [])
    t = Table("category", *[f"{name} P/R/F1" for name, _ in rows], title=f"categories, {result['split']} split")
    for c in result["model"]["categories"]:
        t.add_row(c, *[_prf(s["categories"][c]) for _, s in rows])
    t.add_row("micro", *[_prf(s["category_micro"]) for _, s in rows])
    out.print(t)
    t = Table("figure", *[name for name, _ in rows], title=f"extraction, {result['split']} split")
    t.add_row("span F1 (exact)", *[f"{s['span_exact']['f1']:.3f}" for _, s in rows])
    t.add_row("span F1 (overlap)", *[f"{s['span_overlap']['f1']:.3f}" for _, s in rows])
    t.add_row("linking accuracy", *[f"{s['linking_accuracy']:.3f}" for _, s in rows])
    t.add_row("linking (end to end)", *[f"{s['linking_end_to_end']:.3f}" for _, s in rows])
    t.add_row("negation accuracy", *[f"{s['negation_accuracy']:.3f} (n={s['negation_found']})" for _, s in rows])
    t.add_row("clause-type F1", *[f"{s['clause_type']['f1']:.3f}" for _, s in rows])
    t.add_row("missing-clause recall", *[f"{s['missing_clauses']['r']:.3f}" for _, s in rows])
    t.add_row("missing-clause precision", *[f"{s['missing_clauses']['p']:.3f}" for _, s in rows])
    out.print(t)
    c = result["model"]["counts"]
    err.print(f"{c['documents']} documents ({c['contracts']} contracts), {c['gold_mentions']} gold mentions; "
              f"{result['version']}", highlight=False)


def _prf(s: dict) -> str:
    return f"{s['p']:.2f} / {s['r']:.2f} / {s['f1']:.2f}"
