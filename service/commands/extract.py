"""`corisk extract PATH|- [PATH…]`: risks, dismissed statements and contract clauses, as a table or JSON."""
from __future__ import annotations

import sys
from enum import Enum

import typer
from rich.table import Table

from ..output import Format, err, out, print_json


class Kind(str, Enum):
    auto = "auto"
    notes = "notes"
    contract = "contract"


class Lang(str, Enum):
    auto = "auto"
    zh = "zh"
    en = "en"


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract(
        paths: list[str] = typer.Argument(..., help="Files or folders (.txt .md .docx .pdf), or - for stdin."),
        kind: Kind = typer.Option(Kind.auto, "--kind", help="auto, notes or contract"),
        lang: Lang = typer.Option(Lang.auto, "--lang", help="auto, zh or en"),
        format: Format = typer.Option(Format.table, "--format", help="table or json"),
        workers: int = typer.Option(2, "--workers", help="Processes for many files (each loads the model once)."),
    ) -> None:
        """Find the risks in brainstorm notes, minutes and contracts, each linked to an ontology concept."""
        from nlp.extract import extract_paths

        doc = extract_paths(paths, kind.value, lang.value, workers=workers,
                            stdin_text=sys.stdin.read() if "-" in paths else None)
        if format is Format.json:
            print_json(doc)
            return
        for d in doc["documents"]:
            out.print(f"[bold]{d['source']}[/]  {d['language']} · {d['kind']} · "
                      f"{len(d['risks'])} risks, {len(d['dismissed'])} dismissed", highlight=False)
            if d["risks"]:
                t = Table("category", "concept", "text", "conf", "span")
                for r in d["risks"]:
                    t.add_row("/".join(r["categories"]), r["label"] or "—", r["text"], f"{r['confidence']:.2f}",
                              f"{r['start']}–{r['end']}")
                out.print(t)
            if d["dismissed"]:
                t = Table("dismissed", "reason", "concept", "span")
                for r in d["dismissed"]:
                    t.add_row(r["text"], r["reason"], r["label"] or "—", f"{r['start']}–{r['end']}")
                out.print(t)
            if d["kind"] == "contract":
                out.print("clauses: " + (", ".join(c["type"] for c in d["clauses"]) or "none found"), highlight=False)
                out.print("missing: " + (", ".join(d["missing_clauses"]) or "none"), highlight=False)
        err.print(f"extractor {doc['extractor']['version']}", highlight=False)
