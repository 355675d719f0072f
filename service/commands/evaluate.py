"""`corisk evaluate`: extraction figures on the test split, with the lexicon-only baseline;
`corisk evaluate --advisor`: leave-one-out figures of the advisor over the case base, with baselines."""
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
        advisor: bool = typer.Option(False, "--advisor", help="Evaluate the advisor instead (leave-one-out over the case base)."),
        folds: Optional[int] = typer.Option(None, "--folds", help="With --advisor: fit the ranker on k-1 of k folds instead of leave-one-out (quicker)."),
        store: Optional[str] = typer.Option(None, "--store", help="With --advisor: store directory or SPARQL endpoint URL."),
    ) -> None:
        """Per-category P/R/F1, span F1, linking, negation, clause types, missing clauses; or, with
        --advisor, recall@5, MRR and nDCG@10 of effective strategies and precision@5 of similar cases."""
        from nlp.evaluate import evaluate as run
        from ontology.errors import CoriskError

        if advisor:
            result = evaluate_advisor(store, folds)
            if format is Format.json:
                print_json(result)
            else:
                print_advisor_table(result)
            return

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


def evaluate_advisor(store: Optional[str], folds: Optional[int]) -> dict:
    from rich.progress import Progress

    from graph.advisor_eval import evaluate

    from ..advice import advisor
    from ..app import load_knowledge_base_on_first_start
    from ..settings import get_settings
    from ..state import AppState

    state = AppState(get_settings().with_store(store))
    load_knowledge_base_on_first_start(state)
    adv = advisor(state)
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("held-out cases", total=None)
        result = evaluate(adv, folds=folds, progress=lambda done, total: bar.update(task, completed=done, total=total))
    return result


def print_advisor_table(result: dict) -> None:
    rows = result["rows"]
    keys = [k for k in rows[0] if k not in ("method", "queries")]
    t = Table("method", *keys, title=f"advisor, {result['queries']} held-out cases of {result['cases']} "
                                      f"({result['ranker']})")
    for r in rows:
        t.add_row(r["method"], *[f"{r[k]:.3f}" if isinstance(r[k], float) else str(r[k]) for k in keys])
    out.print(t)
    lat = result["latency_ms"]
    err.print(f"one recommendation: p50 {lat['p50']} ms, p95 {lat['p95']} ms over {lat['n']} queries", highlight=False)
