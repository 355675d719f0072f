"""`corisk recommend`."""
from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from ..output import Format, err, out, print_json


def register(app: typer.Typer) -> None:
    @app.command("recommend")
    def recommend(
        text: Optional[str] = typer.Option(None, "--text", help="Free text (zh/en) describing the situation."),
        concept: Optional[list[str]] = typer.Option(None, "--concept", help="Risk, cause or KRI id/IRI; repeatable."),
        phase: Optional[str] = typer.Option(None, "--phase", help="preparation | implementation | operation"),
        category: Optional[list[str]] = typer.Option(None, "--category", help="Only strategies of this category; repeatable."),
        project: Optional[str] = typer.Option(None, "--project", help="Project id: its register's open risks and phase add context."),
        top: int = typer.Option(5, "--top", help="How many strategies."),
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
        store: Optional[str] = typer.Option(None, "--store", help="Store directory or SPARQL endpoint URL."),
    ) -> None:
        """Ranked mitigation strategies for a risk in a phase, each with its reason, and similar past cases."""
        from ..advice import recommend_view
        from ..settings import get_settings
        from ..state import AppState

        if not text and not concept and not project:
            err.print("error: give --text TEXT, at least one --concept ID, or --project ID.")
            raise typer.Exit(2)
        state = AppState(get_settings().with_store(store))
        from ..app import load_knowledge_base_on_first_start

        load_knowledge_base_on_first_start(state)   # a fresh checkout has no store yet: load it, say so
        doc = recommend_view(state, text=text, concepts=concept, phase=phase, categories=category, top=top,
                             project=project)
        if format is Format.json:
            print_json(doc)
            return
        table = Table("#", "strategy", "treatment", "score", "why", title="Strategies 应对策略")
        for i, s in enumerate(doc["strategies"], 1):
            table.add_row(str(i), f"{s['label'].get('zh', '')}\n{s['label'].get('en', '')}", s["treatment"] or "",
                          f"{s['score']:.3f}", s["explanation"]["en"])
        out.print(table)
        cases = Table("case", "score", "shared concepts", title="Similar past cases 相似案例")
        for c in doc["cases"]:
            cases.add_row(f"{c['id']}\n{c['title']}", f"{c['score']:.3f}",
                          ", ".join(x.rsplit("/", 1)[-1] for x in c["shared_concepts"]))
        out.print(cases)
