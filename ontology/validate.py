"""SHACL validation with pyshacl, reported one line per violation: node, rule, file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from .load import LoadedOntology, load, load_shapes
from .namespace import short_id

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    rule: str
    message: str
    severity: str
    file: str | None = None
    value: str | None = None

    def line(self) -> str:
        where = self.file or "-"
        path = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}: {self.focus}{path}: {self.rule}: {self.message}{value}"

    def as_dict(self) -> dict:
        return {"focus": self.focus, "path": self.path, "rule": self.rule,
                "message": self.message, "severity": self.severity, "file": self.file,
                "value": self.value}


def _short(node) -> str:
    s = short_id(node)
    for prefix, ns in (("cr:", "https://w3id.org/corisk/ontology#"),
                       ("skos:", "http://www.w3.org/2004/02/skos/core#"),
                       ("sh:", "http://www.w3.org/ns/shacl#"),
                       ("crs:", "https://w3id.org/corisk/shapes#"),
                       ("dcterms:", "http://purl.org/dc/terms/")):
        if s.startswith(ns):
            return prefix + s[len(ns):]
    return s


def check(data: Graph, shapes: Graph | None = None, origin=None, *, focus_nodes=None, inplace: bool = False,
          violations_only: bool = False) -> list[Violation]:
    """Validate `data` (or only `focus_nodes` in it) against the shapes; an empty list means it conforms.

    `violations_only` drops warnings and infos; `inplace` lets pyshacl work on `data` without copying it.
    """
    shapes = load_shapes() if shapes is None else shapes
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                         allow_warnings=True, focus_nodes=focus_nodes, inplace=inplace)
    if conforms:
        return []
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        comp = report.value(result, SH.sourceConstraintComponent)
        shape = report.value(result, SH.sourceShape)
        msg = report.value(result, SH.resultMessage)
        sev = report.value(result, SH.resultSeverity)
        if violations_only and sev is not None and sev != SH.Violation:
            continue
        value = report.value(result, SH.value)
        rule = _short(shape) if shape is not None and not _is_blank(shape) else _short(comp)
        file = None
        if origin is not None and focus in origin:
            file = str(origin[focus])
        out.append(Violation(focus=_short(focus), path=_short(path) if path is not None and not _is_blank(path) else None,
                             rule=rule, message=str(msg) if msg else _short(comp),
                             severity=_short(sev) if sev else "sh:Violation", file=file,
                             value=_short(value) if value is not None and not _is_blank(value) else None))
    out.sort(key=lambda v: (v.file or "", v.focus, v.rule, v.value or ""))
    return out


def _is_blank(node) -> bool:
    from rdflib import BNode

    return isinstance(node, BNode)


def validate_ontology(loaded: LoadedOntology | None = None) -> list[Violation]:
    loaded = load() if loaded is None else loaded
    return check(loaded.graph, origin=loaded.origin)


def relpath(p: Path | str) -> str:
    try:
        return str(Path(p).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)
