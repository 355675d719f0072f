"""The advisor: `POST /api/v1/recommend` and the page `/advisor`, built by one view function."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from ..advice import recommend_view
from ..app import get_state, render
from ..state import AppState

router = APIRouter()


class RecommendRequest(BaseModel):
    text: Optional[str] = Field(None, description="Free text (zh/en); the extractor turns it into concepts.")
    concepts: list[str] = Field(default_factory=list, description="Risk, cause or KRI ids or IRIs.")
    phase: Optional[str] = Field(None, description="preparation | implementation | operation")
    categories: list[str] = Field(default_factory=list, description="Only strategies of these categories.")
    service_type: Optional[str] = None
    project: Optional[str] = Field(None, description="A project id: its register's open risks and its phase add context.")
    top: int = Field(5, ge=1, le=50)
    top_cases: int = Field(5, ge=0, le=50)


@router.post("/api/v1/recommend")
def recommend_api(body: RecommendRequest, state: AppState = Depends(get_state)) -> dict:
    """Ranked strategies with the graph paths and past cases behind each, and the most similar cases."""
    return recommend_view(state, text=body.text, concepts=body.concepts, phase=body.phase,
                          categories=body.categories, top=body.top, top_cases=body.top_cases,
                          service_type=body.service_type, project=body.project)


@router.get("/advisor", include_in_schema=False)
def advisor_page(request: Request, text: Optional[str] = None, concept: list[str] = Query(default=[]),
                 phase: Optional[str] = None, top: int = 5, state: AppState = Depends(get_state)):
    from ontology import model

    form = {"text": text or "", "concepts": concept, "phase": phase or "", "top": top}
    doc = {"form": form, "risks": model.list_concepts(state.ontology(), "risk"), "result": None}
    if text or concept:
        doc["result"] = recommend_view(state, text=text, concepts=concept, phase=phase or None, top=top)
    return render(request, "advisor.html", doc)
