"""Ontology pages and their JSON twins: home (categories), concept pages, stats, health."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Request

from ..app import get_state, render
from ..state import AppState
from ..views import concept_view, concepts_view, home_view, stats_view

router = APIRouter()


@router.get("/", include_in_schema=False)
def home_page(request: Request, state: AppState = Depends(get_state)):
    return render(request, "home.html", home_view(state))


@router.get("/api/v1/categories")
def home_api(state: AppState = Depends(get_state)) -> dict:
    """The five risk categories with their risks (the JSON twin of the home page)."""
    return home_view(state)


@router.get("/concepts/{ident}", include_in_schema=False)
def concept_page(ident: str, request: Request, state: AppState = Depends(get_state)):
    return render(request, "concept.html", concept_view(state, ident))


@router.get("/api/v1/concepts")
def concepts_api(kind: Optional[str] = None, state: AppState = Depends(get_state)) -> dict:
    """All concepts, or those of one kind (risk, cause, indicator, strategy, category, phase …)."""
    return concepts_view(state, kind)


@router.get("/api/v1/concepts/{ident}")
def concept_api(ident: str, state: AppState = Depends(get_state)) -> dict:
    """One concept: labels, definition and its causes / indicators / strategies (the concept page's twin)."""
    return concept_view(state, ident)


@router.get("/api/v1/ontology/stats")
def stats_api(state: AppState = Depends(get_state)) -> dict:
    return stats_view(state)


@router.get("/api/v1/health")
def health(state: AppState = Depends(get_state)) -> dict:
    from ..app import _version

    graph = state.ontology()
    return {"status": "ok", "version": _version(), "ontology_triples": len(graph),
            "store": state.settings.store_location}
