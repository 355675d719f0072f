"""Figures about the ontology that a knowledge officer checks: counts, coverage, gaps."""
from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from .namespace import CR

CONCEPT_CLASSES = (CR.RiskCategory, CR.Risk, CR.Cause, CR.Indicator, CR.Strategy, CR.Phase,
                   CR.TreatmentType, CR.ClauseType, CR.Outcome)


def concepts(graph: Graph):
    seen = set()
    for cls in CONCEPT_CLASSES:
        for c in graph.subjects(RDF.type, cls):
            if c not in seen:
                seen.add(c)
                yield c


def bilingual_label_coverage(graph: Graph) -> float:
    """Share of concepts with a prefLabel and a definition in both zh and en."""
    total = ok = 0
    for c in concepts(graph):
        total += 1
        langs = {(l.language or "").split("-")[0] for l in graph.objects(c, SKOS.prefLabel)}
        dlangs = {(l.language or "").split("-")[0] for l in graph.objects(c, SKOS.definition)}
        ok += {"zh", "en"} <= langs and {"zh", "en"} <= dlangs
    return round(ok / total, 4) if total else 0.0


def risks_without_strategy(graph: Graph) -> list[str]:
    """Risks no strategy reaches, neither directly (mitigates) nor through one of their causes."""
    q = """
    PREFIX cr: <https://w3id.org/corisk/ontology#>
    SELECT ?r WHERE {
      ?r a cr:Risk .
      FILTER NOT EXISTS { ?s cr:mitigates ?r }
      FILTER NOT EXISTS { ?r cr:hasCause ?c . ?s2 cr:addresses ?c }
    } ORDER BY ?r"""
    return [str(row[0]) for row in graph.query(q)]


def ontology_stats(graph: Graph, *, cases: int = 0, cases_real: int = 0, shacl_conforms: bool | None = None) -> dict:
    def count(cls):
        return len(set(graph.subjects(RDF.type, cls)))

    alt = {"zh": 0, "en": 0}
    for c in concepts(graph):
        for l in graph.objects(c, SKOS.altLabel):
            lang = (l.language or "").split("-")[0]
            if lang in alt:
                alt[lang] += 1
    return {
        "risks": count(CR.Risk),
        "causes": count(CR.Cause),
        "indicators": count(CR.Indicator),
        "strategies": count(CR.Strategy),
        "categories": count(CR.RiskCategory),
        "phases": count(CR.Phase),
        "clause_types": count(CR.ClauseType),
        "cases": cases,
        "cases_real": cases_real,
        "alt_labels": alt,
        "triples": len(graph),
        "bilingual_label_coverage": bilingual_label_coverage(graph),
        "risks_without_strategy": len(risks_without_strategy(graph)),
        "shacl_conforms": shacl_conforms,
    }
