"""View functions: each builds one JSON-able document that a page renders and its API twin returns."""
from __future__ import annotations

from ontology import model, ontology_stats, validate_ontology

from .state import AppState


def stats_view(state: AppState) -> dict:
    graph = state.ontology()
    cases, cases_real = case_counts(state)
    return ontology_stats(graph, cases=cases, cases_real=cases_real,
                          shacl_conforms=not validate_ontology_graph(state))


def validate_ontology_graph(state: AppState):
    from ontology.load import LoadedOntology

    return state.get("ontology_violations",
                     lambda: validate_ontology(LoadedOntology(graph=state.ontology(), files=[])))


def case_counts(state: AppState) -> tuple[int, int]:
    """(cases, real cases) in the store's case base; real = with a source and not synthetic."""
    from ontology.errors import CoriskError

    try:
        return state.case_counts()
    except CoriskError:
        return (0, 0)


def home_view(state: AppState) -> dict:
    return {"categories": model.categories(state.ontology())}


def concepts_view(state: AppState, kind: str | None = None) -> dict:
    return {"concepts": model.list_concepts(state.ontology(), kind)}


def concept_view(state: AppState, ident: str) -> dict:
    return model.concept(state.ontology(), ident)
