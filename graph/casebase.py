"""Case records for the advisor: the parts of a `graph.cases.Case` its indexes need, hashable."""
from __future__ import annotations

from dataclasses import dataclass, field

from ontology.namespace import concept_iri

from .cases import Case, case_iri


@dataclass(frozen=True)
class CaseRecord:
    """What the advisor needs of one case; concepts are full IRIs, risks in the case's order."""

    id: str
    iri: str
    title: dict = field(default_factory=dict, hash=False, compare=False)
    summary: dict = field(default_factory=dict, hash=False, compare=False)
    risks: tuple[str, ...] = ()
    causes: frozenset[str] = frozenset()
    indicators: frozenset[str] = frozenset()
    phase: str | None = None
    service_type: str | None = None
    applications: tuple[tuple[str, str], ...] = ()   # (strategy IRI, outcome)
    real: bool = False
    text: str = ""

    @property
    def main_risk(self) -> str | None:
        """The risk listed first is the case's main risk."""
        return self.risks[0] if self.risks else None

    @property
    def concepts(self) -> frozenset[str]:
        return frozenset(self.risks) | self.causes | self.indicators


def record_of(case: Case) -> CaseRecord:
    """The advisor's view of a case: concepts, context, outcomes and the text it is searched by.

    Built from the case's canonical form, so a case read from a file and the same case read back
    from the store give the same record."""
    case = case.canonical()
    iri = lambda ref: str(concept_iri(ref))  # noqa: E731
    texts = [case.title.en, case.title.zh, case.summary.en, case.summary.zh, *case.lessons.en, *case.lessons.zh]
    texts += [v for r in case.risks if r.note for _, v in r.note.items()]
    return CaseRecord(
        id=case.id, iri=str(case_iri(case.id)), title=dict(case.title.items()), summary=dict(case.summary.items()),
        risks=tuple(dict.fromkeys(iri(r.concept) for r in case.risks)),
        causes=frozenset(map(iri, case.causes)), indicators=frozenset(map(iri, case.indicators)),
        phase=case.phase, service_type=case.service_type,
        applications=tuple(sorted((iri(s.concept), s.outcome) for s in case.strategies)),
        real=case.real, text=" ".join(t for t in texts if t))
