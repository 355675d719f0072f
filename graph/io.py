"""Getting knowledge in and out of the store: the shipped KB, RDF files, spreadsheets, backups.

Every function that writes builds one `Batch`, so a file is either imported whole or not at all.
The spreadsheet layout (one row per case, list fields joined with " | ") is documented in
docs/cases-spreadsheet.md.
"""
from __future__ import annotations

import csv
import gzip
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ontology.namespace import CR
from ontology.validate import Violation

from .cases import Case, CaseError, case_batch, case_files, check_unique_ids, parse_case, read_case_file
from .store import (
    CASES_GRAPH, ONTOLOGY_GRAPH, Batch, FormatError, KnowledgeStore, from_ox, graph_name,
    parse_quads, rdf_format, serialize_quads, validate_batch,
)

Progress = Optional[Callable[[str, int, int], None]]  # (step, done, total)


def _tick(progress: Progress, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


# ------------------------------------------------------------------------------------------ the shipped KB
@dataclass
class LoadReport:
    ontology_triples: int = 0
    cases: int = 0
    cases_real: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # case id or file → why

    def as_dict(self) -> dict:
        return {"ontology_triples": self.ontology_triples, "cases": self.cases, "cases_real": self.cases_real,
                "skipped": self.skipped}


def ontology_batch(files: list[Path] | None = None) -> Batch:
    """A batch that replaces the store's ontology graph with the Turtle files (default: the shipped ones)."""
    from ontology import load
    from ontology.load import ontology_files as shipped

    files = shipped() if files is None else list(files)
    key = tuple((str(f), *_stat(f)) for f in files)
    if key not in _PARSED:
        _PARSED.clear()
        _PARSED[key] = load(files).graph
    batch = Batch(what="the ontology")
    batch.replace(ONTOLOGY_GRAPH, _PARSED[key])
    return batch


_PARSED: dict = {}


def _stat(path: Path) -> tuple[int, int]:
    st = Path(path).stat()
    return st.st_mtime_ns, st.st_size


def read_cases(cases_dir: Path, *, progress: Progress = None, skip_invalid: bool = False,
               skipped: dict | None = None) -> list[Case]:
    """Every case file under `cases_dir` (real/ and synthetic/); a bad file stops, or is skipped."""
    files = case_files(cases_dir)
    cases = []
    for i, path in enumerate(files, 1):
        try:
            cases.append(read_case_file(path))
        except CaseError as exc:
            if not skip_invalid:
                raise
            if skipped is not None:
                skipped[path.stem] = str(exc)
        _tick(progress, "reading cases", i, len(files))
    return cases


def load_knowledge_base(store: KnowledgeStore, cases_dir: Path, *, ontology_files: list[Path] | None = None,
                        skip_invalid: bool = False, progress: Progress = None) -> LoadReport:
    """Replace the ontology and the case base in the store by the shipped files, in one transaction.

    With `skip_invalid`, cases that break a rule are left out (and listed in the report) instead of
    rejecting the whole load.
    """
    report = LoadReport()
    _tick(progress, "reading the ontology", 0, 1)
    batch = ontology_batch(ontology_files)
    batch.what = "the knowledge base"
    _tick(progress, "reading the ontology", 1, 1)
    cases = read_cases(cases_dir, progress=progress, skip_invalid=skip_invalid, skipped=report.skipped)
    check_unique_ids(cases)
    _tick(progress, "validating", 0, 1)
    if skip_invalid:
        cases = _valid_cases(cases, batch.inserts[ONTOLOGY_GRAPH], report.skipped)
    batch.replace(CASES_GRAPH, case_batch(cases, replace=False).inserts.get(CASES_GRAPH, Graph()))
    _tick(progress, "validating", 1, 1)
    _tick(progress, "writing", 0, 1)
    store.write(batch)
    _tick(progress, "writing", 1, 1)
    report.ontology_triples = len(batch.inserts[ONTOLOGY_GRAPH])
    report.cases = len(cases)
    report.cases_real = sum(1 for c in cases if c.real)
    return report


def _valid_cases(cases: list[Case], ontology: Graph, skipped: dict) -> list[Case]:
    violations = validate_batch(case_batch(cases, replace=False), ontology)
    bad: dict[str, Violation] = {}
    for v in violations:
        cid = _case_of_focus(v.focus)
        if cid is not None:
            bad.setdefault(cid, v)
    for cid, v in bad.items():
        skipped[cid] = f"{v.focus} breaks {v.rule}: {v.message}"
    return [c for c in cases if c.id not in bad]


def _case_of_focus(focus: str) -> str | None:
    m = re.match(r"^(?:https://w3id\.org/corisk/id/)?case-([a-z0-9-]+?)(?:/.*)?$", focus)
    return m.group(1) if m else None


def validate_cases(cases: list[Case], ontology: Graph) -> list[Violation]:
    """SHACL violations of the cases against the ontology (nothing is written)."""
    return validate_batch(case_batch(cases, replace=False), ontology)


def ensure_loaded(store: KnowledgeStore, cases_dir: Path, progress: Progress = None) -> Optional[LoadReport]:
    """Load the shipped ontology and case base if the store has no ontology yet (first start)."""
    if store.count(ONTOLOGY_GRAPH) > 0:
        return None
    return load_knowledge_base(store, cases_dir, skip_invalid=True, progress=progress)


# ------------------------------------------------------------------------------------------ RDF import/export
EXPORT_FORMATS = ("turtle", "trig", "jsonld", "nquads")


def export_rdf(store: KnowledgeStore, output: Path | io.BufferedIOBase, fmt: str,
               graphs: list[URIRef] | None = None, progress: Progress = None) -> int:
    """Write every named graph (or the given ones) to `output`; returns the number of quads written.

    Turtle has no named graphs: it receives the union of the graphs.
    """
    rfmt = rdf_format(fmt, output if isinstance(output, (str, Path)) else None)
    names = graphs if graphs is not None else store.named_graphs()
    total = len(names)
    written = [0]

    def quads():
        for i, g in enumerate(names, 1):
            for q in store.quads([g]):
                written[0] += 1
                yield q
            _tick(progress, "exporting graphs", i, total)

    if isinstance(output, (str, Path)):
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(str(output) + ".part")
        with open(tmp, "wb") as fh:
            serialize_quads(quads(), fh, rfmt)
        os.replace(tmp, output)
    else:
        serialize_quads(quads(), output, rfmt)
    return written[0]


def rdf_batch(quads: list[ox.Quad], *, replace_graphs: bool = False, what: str = "the import") -> Batch:
    """A batch adding the quads; cases in the cases graph replace their old versions, graphs optionally too."""
    batch = Batch(what=what)
    for q in quads:
        batch.graph(URIRef(q.graph_name.value)).add(
            (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    if replace_graphs:
        for g in list(batch.inserts):
            batch.replace_graphs.add(g)
        batch.keys = None
    cases = batch.inserts.get(CASES_GRAPH)
    if cases is not None and not replace_graphs:
        for c in sorted(set(cases.subjects(RDF.type, CR.Case)), key=str):
            batch.delete_resource(CASES_GRAPH, c)
            if batch.keys is not None:
                batch.keys.add("case:" + str(c).rsplit("case-", 1)[-1])
    if set(batch.inserts) - {CASES_GRAPH}:
        batch.keys = None
    return batch


def import_rdf(store: KnowledgeStore, path: Path | None = None, *, data: bytes | None = None, fmt: str | None = None,
               graph: str = "cases", replace_graphs: bool = False, name: str | None = None) -> int:
    """Import an RDF file (Turtle, TriG, JSON-LD, N-Quads) as one validated batch; returns the triples written."""
    rfmt = rdf_format(fmt, path)
    quads = parse_quads(data=data, path=path, fmt=rfmt, default_graph=graph_name(graph),
                        name=name or (str(path) if path else "the upload"))
    if not quads:
        raise FormatError(f"{name or path or 'the upload'} holds no triples; nothing to import.")
    return store.write(rdf_batch(quads, replace_graphs=replace_graphs, what=f"the import of {name or path or 'the upload'}"))


# ------------------------------------------------------------------------------------------ spreadsheets
COLUMNS = [
    "id", "synthetic", "title_en", "title_zh", "summary_en", "summary_zh", "service_type", "partners", "region",
    "phase", "start_date", "end_date", "risks", "risk_notes_en", "risk_notes_zh", "causes", "indicators",
    "strategies", "strategy_notes_en", "strategy_notes_zh", "lessons_en", "lessons_zh", "sources",
    "source_titles", "source_accessed",
]
SEP = " | "


def _join(items: Iterable[str]) -> str:
    items = [(i or "").replace("|", "\\|") for i in items]
    return SEP.join(items) if any(items) else ""


def _split(cell) -> list[str]:
    if cell is None:
        return []
    s = str(cell).strip()
    if not s:
        return []
    return [p.strip().replace("\\|", "|") for p in re.split(r"(?<!\\)\|", s)]


def case_to_row(case: Case) -> dict[str, str]:
    """One case as a spreadsheet row (docs/cases-spreadsheet.md)."""
    def notes(items, lang):
        return _join(getattr(i.note, lang) if i.note else "" for i in items)

    return {
        "id": case.id, "synthetic": "true" if case.synthetic else "false",
        "title_en": case.title.en, "title_zh": case.title.zh,
        "summary_en": case.summary.en, "summary_zh": case.summary.zh,
        "service_type": case.service_type,
        "partners": _join(f"{p.name} ({p.role})" for p in case.partners),
        "region": case.region, "phase": case.phase or "",
        "start_date": case.start_date or "", "end_date": case.end_date or "",
        "risks": _join(r.concept for r in case.risks),
        "risk_notes_en": notes(case.risks, "en"), "risk_notes_zh": notes(case.risks, "zh"),
        "causes": _join(case.causes), "indicators": _join(case.indicators),
        "strategies": _join(f"{s.concept}: {s.outcome}" for s in case.strategies),
        "strategy_notes_en": notes(case.strategies, "en"), "strategy_notes_zh": notes(case.strategies, "zh"),
        "lessons_en": _join(case.lessons.en), "lessons_zh": _join(case.lessons.zh),
        "sources": _join(s.url for s in case.sources),
        "source_titles": _join(s.title or "" for s in case.sources),
        "source_accessed": _join(s.accessed or "" for s in case.sources),
    }


def row_to_case(row: dict, where: str) -> Case:
    """A spreadsheet row back into a case; a malformed cell is a CaseError naming the row and column."""
    def cell(name):
        v = row.get(name)
        if v is None:
            return ""
        if hasattr(v, "isoformat"):
            return v.isoformat()[:10]
        return str(v).strip()

    def aligned(name, n):
        items = _split(row.get(name))
        if len(items) > n:
            raise CaseError(f"{where}, column {name}: {len(items)} items for {n} entries; align them with ' | '.")
        return items + [""] * (n - len(items))

    def note(en, zh):
        return {"en": en, "zh": zh} if (en or zh) else None

    partners = []
    for p in _split(row.get("partners")):
        m = re.match(r"^(.*)\(([a-z-]+)\)\s*$", p)
        if not m:
            raise CaseError(f"{where}, column partners: '{p}' should read 'Name (role)'.")
        partners.append({"name": m.group(1).strip(), "role": m.group(2)})
    risk_ids = _split(row.get("risks"))
    rn_en, rn_zh = aligned("risk_notes_en", len(risk_ids)), aligned("risk_notes_zh", len(risk_ids))
    strategies = []
    raw = _split(row.get("strategies"))
    sn_en, sn_zh = aligned("strategy_notes_en", len(raw)), aligned("strategy_notes_zh", len(raw))
    for i, s in enumerate(raw):
        m = re.match(r"^([^:\s]+)\s*:\s*([a-z]+)$", s)
        if not m:
            raise CaseError(f"{where}, column strategies: '{s}' should read 'strategy-id: outcome'.")
        strategies.append({"concept": m.group(1), "outcome": m.group(2), "note": note(sn_en[i], sn_zh[i])})
    urls = _split(row.get("sources"))
    titles, accessed = aligned("source_titles", len(urls)), aligned("source_accessed", len(urls))
    synthetic = cell("synthetic").lower()
    if synthetic not in ("", "true", "false", "1", "0", "yes", "no"):
        raise CaseError(f"{where}, column synthetic: '{synthetic}' should be true or false.")
    data = {
        "id": cell("id"), "synthetic": synthetic in ("true", "1", "yes"),
        "title": {"en": cell("title_en"), "zh": cell("title_zh")},
        "summary": {"en": cell("summary_en"), "zh": cell("summary_zh")},
        "service_type": cell("service_type") or "other", "partners": partners, "region": cell("region"),
        "phase": cell("phase") or None, "start_date": cell("start_date") or None, "end_date": cell("end_date") or None,
        "risks": [{"concept": r, "note": note(rn_en[i], rn_zh[i])} for i, r in enumerate(risk_ids)],
        "causes": _split(row.get("causes")), "indicators": _split(row.get("indicators")),
        "strategies": strategies,
        "lessons": {"en": _split(row.get("lessons_en")), "zh": _split(row.get("lessons_zh"))},
        "sources": [{"url": u, "title": titles[i] or None, "accessed": accessed[i] or None} for i, u in enumerate(urls)],
    }
    return parse_case(data, where)


def write_cases_csv(cases: Iterable[Case], output: Path | io.TextIOBase) -> None:
    rows = [case_to_row(c) for c in cases]
    if isinstance(output, (str, Path)):
        with open(output, "w", encoding="utf-8-sig", newline="") as fh:  # the BOM lets Excel read UTF-8
            _write_csv(rows, fh)
    else:
        _write_csv(rows, output)


def _write_csv(rows, fh) -> None:
    w = csv.DictWriter(fh, fieldnames=COLUMNS)
    w.writeheader()
    w.writerows(rows)


def read_cases_csv(path: Path | None = None, *, text: str | None = None, name: str | None = None) -> list[Case]:
    name = name or str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise FormatError(f"cannot read {name} as UTF-8 CSV ({exc}).") from None
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    _check_header(reader.fieldnames or [], name)
    return [row_to_case(row, f"{name}, row {i}") for i, row in enumerate(reader, 2)]


def _check_header(header: list[str], name: str) -> None:
    missing = [c for c in ("id", "title_en", "title_zh", "summary_en", "summary_zh", "risks") if c not in header]
    if missing:
        raise FormatError(f"{name} lacks the column(s) {', '.join(missing)}; see docs/cases-spreadsheet.md.")
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        raise FormatError(f"{name} has unknown column(s) {', '.join(unknown)}; see docs/cases-spreadsheet.md.")


def write_cases_xlsx(cases: Iterable[Case], output: Path | io.BytesIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "cases"
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for case in cases:
        row = case_to_row(case)
        ws.append([row[c] for c in COLUMNS])
    ws.freeze_panes = "B2"
    wb.save(output)


def read_cases_xlsx(path: Path | None = None, *, data: bytes | None = None, name: str | None = None) -> list[Case]:
    from openpyxl import load_workbook

    name = name or str(path)
    try:
        wb = load_workbook(io.BytesIO(data) if data is not None else path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for a bad file
        raise FormatError(f"{name} is not an XLSX workbook ({type(exc).__name__}).") from None
    ws = wb["cases"] if "cases" in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    _check_header(header, name)
    cases = []
    for i, values in enumerate(rows, 2):
        if values is None or all(v in (None, "") for v in values):
            continue
        cases.append(row_to_case(dict(zip(header, values)), f"{name}, row {i}"))
    wb.close()
    return cases


def read_cases_file(path: Path | None = None, *, data: bytes | None = None, name: str | None = None,
                    fmt: str | None = None) -> list[Case]:
    """Cases from a CSV or XLSX file (by `fmt` or the file's extension)."""
    name = name or str(path)
    kind = (fmt or Path(name).suffix.lstrip(".")).lower()
    if kind == "csv":
        return read_cases_csv(path, text=data.decode("utf-8-sig") if data is not None else None, name=name)
    if kind == "xlsx":
        return read_cases_xlsx(path, data=data, name=name)
    raise FormatError(f"cannot tell whether {name} is CSV or XLSX; name it .csv or .xlsx or give --format.")


def is_spreadsheet(name: str, fmt: str | None = None) -> bool:
    return (fmt or Path(name).suffix.lstrip(".")).lower() in ("csv", "xlsx")


# ------------------------------------------------------------------------------------------ backup / restore
def backup(store: KnowledgeStore, path: Path, progress: Progress = None) -> int:
    """Write every named graph to an N-Quads file (gzip when the name ends in .gz); returns the quads written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(tmp, "wb") as fh:
        n = export_rdf(store, fh, "nquads", progress=progress)
    os.replace(tmp, path)
    return n


def restore(store: KnowledgeStore, path: Path) -> int:
    """Replace the whole store by a backup file, in one transaction; returns the quads restored."""
    path = Path(path)
    try:
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as exc:
        raise FormatError(f"cannot read the backup {path} ({exc}).") from None
    quads = parse_quads(data=raw, fmt=ox.RdfFormat.N_QUADS, default_graph=CASES_GRAPH, name=str(path))
    store.restore(quads)
    return len(quads)
