"""`corisk kb load|validate|import|export|backup|restore`: the knowledge base in the store."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..output import Format, err, out, print_json

STORE_HELP = "Store directory or SPARQL endpoint URL (default: CORISK_STORE or var/store)."


@contextmanager
def progress_bar():
    """A progress callback (step, done, total) drawn on stderr while the work runs."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def tick(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        yield tick


def _settings(store: Optional[str], cases: Optional[Path] = None):
    from dataclasses import replace

    from ..settings import get_settings

    s = get_settings().with_store(store)
    return replace(s, cases_dir=cases) if cases else s


def _open(settings, *, write: bool):
    from graph.store import open_store

    return open_store(settings.store_location, fallback_read_only=not write)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Load, check, import, export, back up and restore the knowledge base.",
                        no_args_is_help=True)

    @group.command("load")
    def load(
        store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP),
        cases: Optional[Path] = typer.Option(None, "--cases", help="Case folder (default: corpus/cases)."),
        skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Leave out cases that break a rule "
                                          "instead of rejecting the whole load."),
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
    ) -> None:
        """Replace the ontology and the case base in the store by the shipped files (one transaction)."""
        from graph.io import load_knowledge_base

        settings = _settings(store, cases)
        with _open(settings, write=True) as kb, progress_bar() as tick:
            report = load_knowledge_base(kb, settings.cases_dir, skip_invalid=skip_invalid, progress=tick)
        if format is Format.json:
            print_json(report.as_dict())
            return
        for cid, why in sorted(report.skipped.items()):
            out.print(f"skipped {cid}: {why}", highlight=False, soft_wrap=True)
        err.print(f"loaded the ontology ({report.ontology_triples} triples) and {report.cases} cases "
                  f"({report.cases_real} real) into {settings.store_location}"
                  + (f"; {len(report.skipped)} skipped" if report.skipped else ""), highlight=False)

    @group.command("validate")
    def validate(
        cases: Optional[Path] = typer.Option(None, "--cases", help="Case folder (default: corpus/cases)."),
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
    ) -> None:
        """Check every case file against the case layout and the SHACL shapes (nothing is written)."""
        from graph.cases import CaseError, case_files, read_case_file
        from graph.io import _case_of_focus, ontology_batch, validate_cases
        from graph.store import ONTOLOGY_GRAPH

        settings = _settings(None, cases)
        problems: list[dict] = []
        parsed = []
        files = case_files(settings.cases_dir)
        with progress_bar() as tick:
            for i, path in enumerate(files, 1):
                try:
                    parsed.append((path, read_case_file(path)))
                except CaseError as exc:
                    problems.append({"file": str(path), "focus": path.stem, "rule": "layout", "message": str(exc)})
                tick("reading cases", i, len(files))
            onto = ontology_batch().inserts[ONTOLOGY_GRAPH]
            tick("validating", 0, 1)
            by_id = {c.id: p for p, c in parsed}
            for v in validate_cases([c for _, c in parsed], onto):
                cid = _case_of_focus(v.focus)
                problems.append({"file": str(by_id.get(cid, "")), "focus": v.focus, "rule": v.rule,
                                 "message": v.message})
            tick("validating", 1, 1)
        if format is Format.json:
            print_json({"conforms": not problems, "files": len(files), "violations": problems})
        else:
            for p in problems:
                out.print(f"{_rel(p['file'])}: {p['focus']}: {p['rule']}: {p['message']}", highlight=False,
                          soft_wrap=True)
            err.print(f"{len(files)} case files: " + ("conform" if not problems else f"{len(problems)} violation(s)"))
        raise typer.Exit(1 if problems else 0)

    @group.command("export")
    def export(
        format: str = typer.Option(..., "--format", help="turtle, trig, jsonld, nquads (every graph), "
                                   "or csv, xlsx (the cases)"),
        output: Path = typer.Option(..., "--output", "-o", help="File to write."),
        graph: Optional[list[str]] = typer.Option(None, "--graph", help="Only this graph: ontology, cases, "
                                                  "proposals, project/<id> (repeatable)."),
        store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP),
    ) -> None:
        """Export every graph of the store (or the given ones) as RDF, or the cases as a spreadsheet."""
        from graph.cases import CaseBase
        from graph.io import export_rdf, write_cases_csv, write_cases_xlsx
        from graph.store import graph_name, rdf_format

        settings = _settings(store)
        fmt = format.lower()
        if fmt not in ("csv", "xlsx"):
            rdf_format(fmt)  # an unknown format fails before the store is opened
        with _open(settings, write=False) as kb:
            if fmt in ("csv", "xlsx"):
                cases = CaseBase(kb).all()
                output.parent.mkdir(parents=True, exist_ok=True)
                (write_cases_csv if fmt == "csv" else write_cases_xlsx)(cases, output)
                err.print(f"wrote {len(cases)} cases to {output}")
                return
            graphs = [graph_name(g) for g in graph] if graph else None
            with progress_bar() as tick:
                n = export_rdf(kb, output, fmt, graphs=graphs, progress=tick)
        err.print(f"wrote {n} triples to {output}")

    @group.command("import")
    def import_(
        path: Path = typer.Argument(..., help="A Turtle, TriG, JSON-LD or N-Quads file, or cases as CSV/XLSX."),
        format: Optional[str] = typer.Option(None, "--format", help="turtle, trig, jsonld, nquads, csv, xlsx "
                                             "(default: from the file name)"),
        graph: str = typer.Option("cases", "--graph", help="Graph for triples that name none (default: cases)."),
        replace: bool = typer.Option(False, "--replace", help="RDF: replace the graphs the file writes to; "
                                     "spreadsheets: replace the whole case base."),
        store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP),
    ) -> None:
        """Import a file as one validated batch: all of it, or nothing (with the node and the rule that broke)."""
        from graph.cases import CaseBase
        from graph.io import import_rdf, is_spreadsheet, read_cases_file

        settings = _settings(store)
        if not path.exists():
            from graph.store import FormatError

            raise FormatError(f"{path} does not exist.")
        with _open(settings, write=True) as kb:
            if is_spreadsheet(path.name, format):
                cases = read_cases_file(path, fmt=format)
                n = CaseBase(kb).put_many(cases, replace_all=replace, what=f"the import of {path}")
                err.print(f"imported {n} cases from {path}")
            else:
                n = import_rdf(kb, path, fmt=format, graph=graph, replace_graphs=replace)
                err.print(f"imported {n} triples from {path}")

    @group.command("backup")
    def backup(
        path: Path = typer.Argument(..., help="Backup file (N-Quads; .nq.gz is compressed)."),
        store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP),
    ) -> None:
        """Write every graph of the store to one N-Quads file."""
        from graph.io import backup as do_backup

        settings = _settings(store)
        with _open(settings, write=False) as kb, progress_bar() as tick:
            n = do_backup(kb, path, progress=tick)
        err.print(f"backed up {n} triples to {path}")

    @group.command("restore")
    def restore(
        path: Path = typer.Argument(..., help="A file written by `corisk kb backup`."),
        store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP),
    ) -> None:
        """Replace everything in the store by a backup, in one transaction."""
        from graph.io import restore as do_restore

        settings = _settings(store)
        with _open(settings, write=True) as kb:
            n = do_restore(kb, path)
        err.print(f"restored {n} triples from {path} into {settings.store_location}")

    @group.command("reindex")
    def reindex(
        store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP),
    ) -> None:
        """Rebuild the case index (after the case graph was changed by another tool, e.g. on a shared server)."""
        from graph.cases import CaseBase

        settings = _settings(store)
        with _open(settings, write=True) as kb:
            kb.rebuild_case_index()
            counts = CaseBase(kb).category_counts()
        err.print("rebuilt the case index: " + ", ".join(f"{c} {n}" for c, n in counts.items()))

    @group.command("stats")
    def stats(
        store: Optional[str] = typer.Option(None, "--store", help=STORE_HELP),
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
    ) -> None:
        """Triples per graph and case counts."""
        from graph.cases import CaseBase

        settings = _settings(store)
        with _open(settings, write=False) as kb:
            graphs = {str(g): kb.count(g) for g in kb.named_graphs()}
            cases, real = CaseBase(kb).counts()
        doc = {"store": settings.store_location, "graphs": graphs, "cases": cases, "cases_real": real}
        if format is Format.json:
            print_json(doc)
            return
        table = Table("graph", "triples")
        for g, n in graphs.items():
            table.add_row(g, str(n))
        out.print(table)
        out.print(f"cases: {cases} ({real} real)")

    app.add_typer(group, name="kb")


def _rel(p: str) -> str:
    from ontology.validate import relpath

    return relpath(p) if p else "-"
