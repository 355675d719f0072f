"""Coverage of public risk vocabularies (ENISA, DPV): the page and its JSON twin, one view function."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from rdflib import Graph

from ontology.coverage import SCHEMES, coverage_report
from ontology.errors import CoriskError

from ..app import get_state, render
from ..state import AppState

router = APIRouter()


def case_graph(state: AppState) -> Graph | None:
    """The store's case-base graph (cr:Case …), or None while there is no store or case base."""
    try:
        from graph.store import CASES_GRAPH

        version = state.cases_version()
        copy = lambda: (version, state.store().graph_copy(CASES_GRAPH))  # noqa: E731
        cached = state.get("coverage_cases", copy)
        if cached[0] != version:  # the case base changed since the copy was made
            state.invalidate("coverage_cases")
            cached = state.get("coverage_cases", copy)
        return cached[1]
    except (CoriskError, ImportError, AttributeError):
        return None


def coverage_view(state: AppState, scheme: str, cases: Graph | None = None) -> dict:
    """The coverage report of `scheme` against the ontology and the case base in `state`.

    `cases` overrides the case base (a graph of cr:Case resources), e.g. for a CLI run without a store.
    """
    cases = case_graph(state) if cases is None else cases
    doc = coverage_report(state.ontology(), scheme, cases=cases if cases is not None else Graph())
    doc["schemes"] = list(SCHEMES)
    return doc


@router.get("/ontology/coverage", include_in_schema=False)
def coverage_page(request: Request, scheme: str = Query("enisa"), state: AppState = Depends(get_state)):
    return render(request, "coverage.html", coverage_view(state, scheme))


@router.get("/api/v1/ontology/coverage")
def coverage_api(scheme: str = Query("enisa", description="enisa or dpv"), state: AppState = Depends(get_state)) -> dict:
    """For each ENISA cloud risk (R.1-R.35) or DPV risk concept: the corisk concepts, strategies and cases
    behind it, and the ones with nothing behind them (the coverage page's twin)."""
    return coverage_view(state, scheme)
