"""Read views of the ontology graph: categories, concept lists, one concept with its links.

Pure functions over any rdflib graph holding the ontology (the Turtle files, or the store's
ontology graph), so the web page and its JSON twin are built from the same data.
"""
from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from .errors import NotFoundError
from .namespace import CATEGORIES, CR, category_iri, concept_iri, short_id

TYPE_NAMES = {CR.RiskCategory: "category", CR.Risk: "risk", CR.Cause: "cause", CR.Indicator: "indicator",
              CR.Strategy: "strategy", CR.Phase: "phase", CR.TreatmentType: "treatment",
              CR.ClauseType: "clause_type", CR.Outcome: "outcome"}


def _lang(lit) -> str:
    return (getattr(lit, "language", None) or "").split("-")[0]


def labels(graph: Graph, node, prop=SKOS.prefLabel) -> dict[str, str]:
    out: dict[str, str] = {}
    for lit in graph.objects(node, prop):
        out.setdefault(_lang(lit), str(lit))
    return out


def labels_all(graph: Graph, node, prop) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lit in sorted(graph.objects(node, prop), key=str):
        out.setdefault(_lang(lit), []).append(str(lit))
    return out


def kind_of(graph: Graph, node) -> str | None:
    for t in graph.objects(node, RDF.type):
        if t in TYPE_NAMES:
            return TYPE_NAMES[t]
    return None


def ref(graph: Graph, node) -> dict:
    """A short reference to a concept: id, IRI, kind, labels."""
    return {"id": short_id(node), "iri": str(node), "kind": kind_of(graph, node), "label": labels(graph, node)}


def _refs(graph: Graph, nodes) -> list[dict]:
    return [ref(graph, n) for n in sorted(set(nodes), key=str)]


def categories(graph: Graph) -> list[dict]:
    """The five categories in canonical order, each with its risks."""
    out = []
    for notation in CATEGORIES:
        c = category_iri(notation)
        item = ref(graph, c)
        item["notation"] = notation
        item["definition"] = labels(graph, c, SKOS.definition)
        item["risks"] = _refs(graph, graph.subjects(CR.category, c))
        out.append(item)
    return out


def list_concepts(graph: Graph, kind: str | None = None) -> list[dict]:
    classes = [cls for cls, name in TYPE_NAMES.items() if kind in (None, name)]
    nodes = {n for cls in classes for n in graph.subjects(RDF.type, cls)}
    return _refs(graph, nodes)


def concept(graph: Graph, ident: str) -> dict:
    """One concept with its labels, definition and links in both directions."""
    node = concept_iri(ident)
    kind = kind_of(graph, node)
    if kind is None:
        raise NotFoundError(f"no concept '{ident}' in the ontology; list them with GET /api/v1/concepts.")
    item = ref(graph, node)
    item.update({
        "notation": str(graph.value(node, SKOS.notation) or "") or None,
        "definition": labels(graph, node, SKOS.definition),
        "alt_labels": labels_all(graph, node, SKOS.altLabel),
        "schemes": [short_id(s) for s in graph.objects(node, SKOS.inScheme)],
        "broader": _refs(graph, (b for b in graph.objects(node, SKOS.broader) if kind_of(graph, b) == kind)),
        "narrower": _refs(graph, (n for n in graph.subjects(SKOS.broader, node) if kind_of(graph, n) == kind)),
        "related": _refs(graph, set(graph.objects(node, SKOS.related)) | set(graph.subjects(SKOS.related, node))),
    })
    if kind == "risk":
        item["categories"] = _refs(graph, graph.objects(node, CR.category))
        causes = set(graph.objects(node, CR.hasCause))
        item["causes"] = _refs(graph, causes)
        item["indicators"] = _refs(graph, graph.subjects(CR.signals, node))
        item["strategies"] = _refs(graph, graph.subjects(CR.mitigates, node))
        item["strategies_via_causes"] = _refs(
            graph, {s for c in causes for s in graph.subjects(CR.addresses, c)} - set(graph.subjects(CR.mitigates, node)))
    elif kind == "category":
        item["risks"] = _refs(graph, graph.subjects(CR.category, node))
    elif kind == "cause":
        item["risks"] = _refs(graph, graph.subjects(CR.hasCause, node))
        item["strategies"] = _refs(graph, graph.subjects(CR.addresses, node))
    elif kind == "indicator":
        item["risks"] = _refs(graph, graph.objects(node, CR.signals))
        item["metric"] = labels(graph, node, CR.metric)
        for key, prop in (("unit", CR.unit), ("direction", CR.direction)):
            v = graph.value(node, prop)
            item[key] = str(v) if v is not None else None
        for key, prop in (("warning_threshold", CR.warningThreshold), ("alarm_threshold", CR.alarmThreshold)):
            v = graph.value(node, prop)
            item[key] = float(v.toPython()) if v is not None else None
    elif kind == "strategy":
        item["risks"] = _refs(graph, graph.objects(node, CR.mitigates))
        item["causes"] = _refs(graph, graph.objects(node, CR.addresses))
        item["phases"] = _refs(graph, graph.objects(node, CR.inPhase))
        t = graph.value(node, CR.treatment)
        item["treatment"] = str(graph.value(t, SKOS.notation)) if t is not None else None
        item["owner_role"] = labels(graph, node, CR.ownerRole)
        item["actions"] = labels_all(graph, node, CR.action)
    elif kind == "phase":
        item["activities"] = labels_all(graph, node, CR.activity)
        item["strategies"] = _refs(graph, graph.subjects(CR.inPhase, node))
    return item


def is_concept(graph: Graph, node: URIRef) -> bool:
    return kind_of(graph, node) is not None
