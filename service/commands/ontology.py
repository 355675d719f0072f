"""`corisk ontology validate|stats`."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ontology import load, validate_ontology
from ontology.load import ontology_files
from ontology.validate import relpath

from ..output import Format, err, out, print_json
from ..views import stats_view


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Check and describe the ontology.", no_args_is_help=True)

    @group.command("validate")
    def validate(
        paths: Optional[list[Path]] = typer.Argument(None, help="Turtle files to check instead of the shipped ontology."),
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
    ) -> None:
        """Check the ontology against its SHACL shapes: one line per violation (node, rule, file)."""
        files = list(paths) if paths else ontology_files()
        loaded = load(files)
        violations = validate_ontology(loaded)
        if format is Format.json:
            print_json({"conforms": not violations, "files": [relpath(f) for f in files],
                        "violations": [{**v.as_dict(), "file": relpath(v.file) if v.file else None} for v in violations]})
        else:
            for v in violations:
                line = v.line() if not v.file else v.line().replace(v.file, relpath(v.file), 1)
                out.print(line, highlight=False, soft_wrap=True)
            err.print(f"{len(files)} files, {len(loaded.graph)} triples: "
                      + ("conforms" if not violations else f"{len(violations)} violation(s)"))
        raise typer.Exit(1 if violations else 0)

    @group.command("stats")
    def stats(
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
        store: Optional[str] = typer.Option(None, "--store", help="Store directory or SPARQL endpoint URL."),
    ) -> None:
        """Counts of risks, causes, KRIs, strategies and cases; label coverage; SHACL status."""
        from ..state import AppState
        from ..settings import get_settings

        doc = stats_view(AppState(get_settings().with_store(store)))
        if format is Format.json:
            print_json(doc)
            return
        table = Table("figure", "value")
        for k, v in doc.items():
            table.add_row(k, str(v))
        out.print(table)

    @group.command("coverage")
    def coverage(
        scheme: str = typer.Option("enisa", "--scheme", help="enisa (ENISA cloud risks R.1-R.35) or dpv (W3C DPV RISK taxonomy)"),
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
        store: Optional[str] = typer.Option(None, "--store", help="Store directory or SPARQL endpoint URL."),
    ) -> None:
        """Which external risks does corisk cover: for each one, the corisk concepts, strategies and cases behind it."""
        from ..routes.coverage import coverage_view
        from ..settings import get_settings
        from ..state import AppState

        from ..routes.coverage import case_graph

        state = AppState(get_settings().with_store(store))
        doc = coverage_view(state, scheme)
        cases = case_graph(state)
        if cases is None or not len(cases):
            err.print("the store holds no cases, so no case is counted; load the case base with `corisk kb load`.",
                      highlight=False)
        if format is Format.json:
            print_json(doc)
            return
        table = Table("id", "risk 风险", "corisk concepts 本体概念", "strategies", "cases")
        for c in doc["concepts"]:
            concepts = ", ".join(f"{k['id']} ({k['relation'].removeprefix('skos:')})" for k in c["concepts"])
            if not concepts and c.get("covered_narrower"):
                concepts = "through narrower: " + ", ".join(c["covered_narrower"])
            table.add_row(c["notation"] or c["id"], " / ".join(v for v in (c["label"].get("zh"), c["label"].get("en")) if v),
                          concepts or "[red]—[/]", str(len(c["strategies"])), str(len(c["cases"])))
        out.print(table)
        err.print(f"{doc['scheme']}: {doc['covered']}/{doc['total']} covered, {doc['with_strategies']} with strategies, "
                  f"{doc['with_cases']} with cases"
                  + (f"; nothing behind: {', '.join(u['notation'] or u['id'] for u in doc['uncovered'])}" if doc["uncovered"] else ""),
                  highlight=False, soft_wrap=True)

    app.add_typer(group, name="ontology")
