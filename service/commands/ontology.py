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

    app.add_typer(group, name="ontology")
