"""Which external risks does corisk cover? The ENISA / DPV coverage report.

Pure functions over rdflib graphs: the ontology graph (with `ontology/alignment/*.ttl` loaded), an
optional graph of cases (`cr:Case` with `cr:materialised` risks and `cr:applied`/`cr:strategy`; by
default the cases are looked for in the ontology graph itself, as in the store's union graph) and,
for DPV, the kept DPV subset in `ontology/external/`.

For every external concept the report lists the corisk concepts mapped to it (with the SKOS mapping
relation), the strategies behind those risks (directly `cr:mitigates`, or `cr:addresses` one of their
causes) and the cases in which one of those risks materialised; concepts with no corisk concept
behind them are listed as `uncovered`.
"""
from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from .errors import CoriskError
from .load import parse_turtle
from .model import kind_of, labels, ref
from .namespace import CR, CRK, short_id

EXTERNAL_DIR = Path(__file__).resolve().parent / "external"
DPV = Namespace("https://w3id.org/dpv#")
RISK = Namespace("https://w3id.org/dpv/risk#")

SCHEMES = ("enisa", "dpv")
ENISA_SCHEME = CRK["scheme-enisa"]
DPV_TAXONOMY = RISK["risk-taxonomy-classes"]
# SKOS mapping relations, strongest first (a concept mapped twice is shown with the stronger one).
MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.narrowMatch, SKOS.broadMatch, SKOS.relatedMatch)
_INVERSE = {SKOS.narrowMatch: SKOS.broadMatch, SKOS.broadMatch: SKOS.narrowMatch}


class UnknownSchemeError(CoriskError):
    """The user asked for a coverage scheme corisk does not know."""


def external_files(root: Path = EXTERNAL_DIR) -> list[Path]:
    return sorted(root.glob("*.ttl"))


def load_external(root: Path = EXTERNAL_DIR) -> Graph:
    """The kept external vocabulary subsets (DPV) as one graph."""
    graph = Graph()
    for f in external_files(root):
        parse_turtle(f, graph)
    return graph


def coverage_report(graph: Graph, scheme: str, cases: Graph | None = None, external: Graph | None = None) -> dict:
    """The coverage of `scheme` ("enisa" or "dpv") by the ontology in `graph` and the cases in `cases`."""
    if scheme not in SCHEMES:
        raise UnknownSchemeError(f"unknown scheme '{scheme}'; use one of: {', '.join(SCHEMES)}.")
    cases = graph if cases is None else cases
    if scheme == "enisa":
        items = [_entry(graph, cases, c, graph, _enisa_matches(graph, c)) for c in _enisa_concepts(graph)]
        for item in items:
            item["group"] = _enisa_group(graph, URIRef(item["iri"]))
        title = labels(graph, ENISA_SCHEME)
        source = str(graph.value(ENISA_SCHEME, DCTERMS.source) or "") or None
    else:
        external = load_external() if external is None else external
        items = [_entry(graph, cases, c, external, _dpv_matches(graph, c)) for c in _dpv_concepts(external)]
        _covered_through_narrower(items, external)
        for item in items:
            parent = next(iter(external.objects(URIRef(item["iri"]), SKOS.broader)), None)
            item["group"] = {"id": _compact(parent), "label": labels(external, parent)} if parent is not None else None
        title = {"en": "W3C DPV RISK taxonomy (the DPV 2.3 concepts kept in ontology/external/)",
                 "zh": "W3C DPV 风险分类（ontology/external/ 中保留的 DPV 2.3 概念）"}
        source = "https://w3id.org/dpv/risk"
    uncovered = [{"id": i["id"], "notation": i["notation"], "label": i["label"]} for i in items if not i["covered"]]
    return {
        "scheme": scheme,
        "title": title,
        "source": source,
        "total": len(items),
        "covered": sum(i["covered"] for i in items),
        "with_strategies": sum(bool(i["strategies"]) for i in items),
        "with_cases": sum(bool(i["cases"]) for i in items),
        "uncovered": uncovered,
        "concepts": items,
    }


# ---------------------------------------------------------------- ENISA
def _notation_key(graph: Graph, node) -> tuple:
    n = str(graph.value(node, SKOS.notation) or "")
    m = re.match(r"R\.(\d+)$", n)
    return (int(m.group(1)) if m else 10**6, n, str(node))


def _enisa_concepts(graph: Graph) -> list:
    return sorted(set(graph.subjects(SKOS.inScheme, ENISA_SCHEME)), key=lambda c: _notation_key(graph, c))


def _enisa_matches(graph: Graph, concept) -> dict:
    """corisk risks mapped to an ENISA concept, in either direction, with the relation seen from ENISA."""
    found: dict = {}
    for rel in MATCHES:
        for target in graph.objects(concept, rel):
            found.setdefault(target, rel)
        for source in graph.subjects(rel, concept):
            found.setdefault(source, _INVERSE.get(rel, rel))
    return {n: r for n, r in found.items() if (n, RDF.type, CR.Risk) in graph}


def _enisa_group(graph: Graph, concept) -> dict | None:
    for coll in sorted(graph.subjects(SKOS.member, concept), key=str):
        return {"id": short_id(coll), "label": labels(graph, coll)}
    return None


# ---------------------------------------------------------------- DPV
def _dpv_concepts(external: Graph) -> list:
    """DPV RISK taxonomy concepts in the kept subset (the grouping classes Potential* are not risks)."""
    nodes = {c for c in external.subjects(SKOS.inScheme, DPV_TAXONOMY) if (c, RDF.type, DPV.RiskConcept) in external}
    return sorted(nodes, key=str)


def _covered_through_narrower(items: list[dict], external: Graph) -> None:
    """A DPV grouping concept (e.g. risk:SecurityBreach) counts as covered when a narrower one is."""
    by_iri = {i["iri"]: i for i in items}
    direct = {i["iri"] for i in items if i["concepts"]}

    def narrower_covered(iri, seen):
        found = []
        for n in external.subjects(SKOS.broader, URIRef(iri)):
            if str(n) in by_iri and str(n) not in seen:
                seen.add(str(n))
                if str(n) in direct:
                    found.append(by_iri[str(n)]["id"])
                found += narrower_covered(str(n), seen)
        return found

    for item in items:
        item["covered_narrower"] = sorted(set(narrower_covered(item["iri"], set())))
        if not item["covered"] and item["covered_narrower"]:
            item["covered"] = True
            item["coverage"] = "narrower"


def _dpv_matches(graph: Graph, dpv_concept) -> dict:
    """corisk concepts that map to a DPV concept, with the relation seen from DPV."""
    found: dict = {}
    for rel in MATCHES:
        for source in graph.subjects(rel, dpv_concept):
            if str(source).startswith(str(CRK)) and kind_of(graph, source) is not None:
                found.setdefault(source, _INVERSE.get(rel, rel))
    return found


def _compact(node) -> str:
    s = str(node)
    for prefix, ns in (("risk:", str(RISK)), ("dpv:", str(DPV))):
        if s.startswith(ns):
            return prefix + s[len(ns):]
    return short_id(node)


# ---------------------------------------------------------------- shared
def _entry(graph: Graph, cases: Graph, concept, labels_graph: Graph, matches: dict) -> dict:
    risks = {n for n in matches if (n, RDF.type, CR.Risk) in graph}
    concepts = []
    for node, rel in sorted(matches.items(), key=lambda kv: (MATCHES.index(kv[1]), str(kv[0]))):
        item = ref(graph, node)
        item["relation"] = "skos:" + str(rel).rsplit("#", 1)[1]
        concepts.append(item)
    strategies = _strategies(graph, risks)
    return {
        "id": _compact(concept),
        "iri": str(concept),
        "notation": str(labels_graph.value(concept, SKOS.notation) or "") or None,
        "label": labels(labels_graph, concept),
        "definition": labels(labels_graph, concept, SKOS.definition),
        "covered": bool(concepts),
        # "direct": a corisk concept is mapped to it; "narrower": only through a narrower DPV concept
        "coverage": "direct" if concepts else None,
        "concepts": concepts,
        "strategies": strategies,
        "cases": _cases(cases, risks, {s["iri"] for s in strategies}),
    }


def _strategies(graph: Graph, risks: set) -> list[dict]:
    """Strategies that mitigate one of `risks`, or address one of their causes (marked via="cause")."""
    direct = {s for r in risks for s in graph.subjects(CR.mitigates, r)}
    causes = {c for r in risks for c in graph.objects(r, CR.hasCause)}
    via_cause = {s for c in causes for s in graph.subjects(CR.addresses, c)} - direct
    out = []
    for nodes, via in ((direct, "risk"), (via_cause, "cause")):
        for s in sorted(nodes, key=str):
            item = ref(graph, s)
            item["via"] = via
            out.append(item)
    return out


def _cases(cases: Graph, risks: set, strategy_iris: set) -> list[dict]:
    """Cases in which one of `risks` materialised, with the ones of `strategy_iris` they applied."""
    out = []
    for case in sorted({c for r in risks for c in cases.subjects(CR.materialised, r)}, key=str):
        if (case, RDF.type, CR.Case) not in cases:
            continue
        applied = sorted({str(s) for a in cases.objects(case, CR.applied) for s in cases.objects(a, CR.strategy)}
                         & strategy_iris)
        out.append({"id": short_id(case).removeprefix("case-"), "iri": str(case),
                    "title": labels(cases, case, DCTERMS.title),
                    "risks": sorted(short_id(r) for r in cases.objects(case, CR.materialised) if r in risks),
                    "applied": [short_id(s) for s in applied]})
    return out
