"""The bilingual lexicon: concept → labels by language, built from prefLabel and altLabel.

This is what nlp/ builds its phrase matcher and linker on.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from .namespace import CR

KINDS = {CR.Risk: "risk", CR.Cause: "cause", CR.Indicator: "indicator", CR.Strategy: "strategy"}


@dataclass(frozen=True)
class LexEntry:
    iri: str
    kind: str                      # risk | cause | indicator | strategy
    categories: tuple[str, ...]    # category notations (risks; empty otherwise)
    pref: dict[str, str]           # lang → prefLabel
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lang → pref + altLabels
    definition: dict[str, str] = field(default_factory=dict)
    related: tuple[str, ...] = ()  # causes of a risk; risks signalled by a KRI

    def as_dict(self) -> dict:
        return {"iri": self.iri, "kind": self.kind, "categories": list(self.categories),
                "pref": self.pref, "labels": {k: list(v) for k, v in self.labels.items()},
                "definition": self.definition, "related": list(self.related)}


def _lang(literal) -> str:
    return (getattr(literal, "language", None) or "").split("-")[0].lower()


def build_lexicon(graph: Graph) -> list[LexEntry]:
    """Every risk, cause, KRI and strategy with its labels in zh and en, in a stable order."""
    entries = []
    notation = {c: str(graph.value(c, SKOS.notation)) for c in graph.subjects(RDF.type, CR.RiskCategory)}
    for cls, kind in KINDS.items():
        for concept in sorted(set(graph.subjects(RDF.type, cls)), key=str):
            pref, labels, definition = {}, {}, {}
            for lit in graph.objects(concept, SKOS.prefLabel):
                pref[_lang(lit)] = str(lit)
            for lang, p in pref.items():
                labels[lang] = [p]
            for lit in sorted(graph.objects(concept, SKOS.altLabel), key=str):
                lst = labels.setdefault(_lang(lit), [])
                if str(lit) not in lst:
                    lst.append(str(lit))
            for lit in graph.objects(concept, SKOS.definition):
                definition[_lang(lit)] = str(lit)
            cats = tuple(sorted((notation.get(c, "") for c in graph.objects(concept, CR.category)),
                                key=_category_order))
            if kind == "risk":
                related = graph.objects(concept, CR.hasCause)
            elif kind == "indicator":
                related = graph.objects(concept, CR.signals)
            else:
                related = iter(())
            entries.append(LexEntry(iri=str(concept), kind=kind, categories=cats, pref=pref,
                                    labels={k: tuple(v) for k, v in labels.items()},
                                    definition=definition, related=tuple(sorted(map(str, related)))))
    return entries


def _category_order(n: str) -> int:
    from .namespace import CATEGORIES

    return CATEGORIES.index(n) if n in CATEGORIES else len(CATEGORIES)


def label_of(graph: Graph, iri: URIRef, lang: str = "en") -> str:
    for lit in graph.objects(iri, SKOS.prefLabel):
        if _lang(lit) == lang:
            return str(lit)
    return str(iri)
