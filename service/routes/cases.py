"""The case base: JSON API under /api/v1/cases and the /cases pages, built from the same view functions."""
from __future__ import annotations

import io
from typing import Literal, Optional

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from graph.cases import Case, CaseError
from graph.store import RejectedBatchError
from ontology.namespace import CATEGORIES, PHASES

from ..app import get_state, render
from ..state import AppState

router = APIRouter()

Category = Literal["technical", "cooperation", "legal", "market", "financial"]
Phase = Literal["preparation", "implementation", "operation"]
ExportFormat = Literal["csv", "xlsx", "turtle", "trig", "jsonld", "nquads"]
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "turtle": "text/turtle", "trig": "application/trig", "jsonld": "application/ld+json",
         "nquads": "application/n-quads"}
SUFFIX = {"csv": "csv", "xlsx": "xlsx", "turtle": "ttl", "trig": "trig", "jsonld": "jsonld", "nquads": "nq"}


# ------------------------------------------------------------------------------------------ views
def cases_view(state: AppState, category: Optional[str] = None, phase: Optional[str] = None,
               real: Optional[bool] = None) -> dict:
    """The case list, filtered by risk category, phase and real/synthetic."""
    items = state.cases().list(category=category, phase=phase, real=real)
    total, total_real = state.case_counts()
    return {"filters": {"category": category, "phase": phase, "real": real}, "count": len(items),
            "total": total, "total_real": total_real, "cases": items,
            "categories": list(CATEGORIES), "phases": list(PHASES)}


def case_view(state: AppState, case_id: str) -> dict:
    """One case with every field, plus the labels of the concepts it names."""
    from ontology import model

    case = state.cases().get(case_id)
    doc = case.model_dump()
    doc["real"] = case.real
    graph = state.ontology()
    concepts = {r.concept for r in case.risks} | set(case.causes) | set(case.indicators) | {
        s.concept for s in case.strategies}
    labels = {}
    for c in sorted(concepts):
        from ontology.namespace import concept_iri

        labels[c] = model.labels(graph, concept_iri(c))
    doc["labels"] = labels
    return doc


def _rejected(exc: RejectedBatchError) -> JSONResponse:
    return JSONResponse({"error": str(exc), "violations": [v.as_dict() for v in exc.violations]},
                        status_code=exc.http_status)


# ------------------------------------------------------------------------------------------ JSON API
@router.get("/api/v1/cases")
def list_cases(category: Optional[Category] = None, phase: Optional[Phase] = None, real: Optional[bool] = None,
               state: AppState = Depends(get_state)) -> dict:
    """Cases, filtered by risk category, project phase and real (sourced, not synthetic)."""
    return cases_view(state, category, phase, real)


@router.get("/api/v1/cases/export")
def export_cases(format: ExportFormat = "csv", state: AppState = Depends(get_state)):
    """The case base as CSV/XLSX (docs/cases-spreadsheet.md) or the cases graph as RDF."""
    from graph.io import export_rdf, write_cases_csv, write_cases_xlsx
    from graph.store import CASES_GRAPH

    buf = io.BytesIO()
    if format == "csv":
        text = io.StringIO()
        write_cases_csv(state.cases().all(), text)
        buf.write(text.getvalue().encode("utf-8-sig"))
    elif format == "xlsx":
        write_cases_xlsx(state.cases().all(), buf)
    else:
        export_rdf(state.store(), buf, format, graphs=[CASES_GRAPH])
    headers = {"Content-Disposition": f'attachment; filename="corisk-cases.{SUFFIX[format]}"'}
    return Response(buf.getvalue(), media_type=MEDIA[format], headers=headers)


@router.post("/api/v1/cases/import")
async def import_cases(file: UploadFile = File(...), format: Optional[str] = Form(None),
                       replace: bool = Form(False), state: AppState = Depends(get_state)):
    """Import cases from CSV/XLSX or RDF (Turtle, TriG, JSON-LD, N-Quads) as one validated batch."""
    from graph.io import import_rdf, is_spreadsheet, read_cases_file

    data = await file.read()
    name = file.filename or "upload"
    try:
        if is_spreadsheet(name, format):
            cases = read_cases_file(data=data, name=name, fmt=format)
            n = state.cases().put_many(cases, replace_all=replace, what=f"the import of {name}")
            return {"imported": n, "unit": "cases"}
        n = import_rdf(state.store(), data=data, fmt=format, name=name, replace_graphs=replace)
        return {"imported": n, "unit": "triples"}
    except RejectedBatchError as exc:
        return _rejected(exc)


@router.get("/api/v1/cases/{case_id}")
def get_case(case_id: str, state: AppState = Depends(get_state)) -> dict:
    """One case (the case page's twin)."""
    return case_view(state, case_id)


@router.post("/api/v1/cases", status_code=201)
def create_case(case: Case, state: AppState = Depends(get_state)):
    """Add a case; it is validated against the shapes and written in one transaction."""
    try:
        state.cases().put(case, create=True)
    except RejectedBatchError as exc:
        return _rejected(exc)
    return JSONResponse(case_view(state, case.id), status_code=201)


@router.put("/api/v1/cases/{case_id}")
def replace_case(case_id: str, case: Case, state: AppState = Depends(get_state)):
    """Replace a case: its old triples go and the new ones come in the same transaction."""
    if case.id != case_id:
        raise CaseError(f"the body's id '{case.id}' differs from the URL's '{case_id}'.")
    try:
        state.cases().put(case, create=False)
    except RejectedBatchError as exc:
        return _rejected(exc)
    return case_view(state, case_id)


@router.delete("/api/v1/cases/{case_id}", status_code=204)
def delete_case(case_id: str, state: AppState = Depends(get_state)) -> Response:
    state.cases().delete(case_id)
    return Response(status_code=204)


# ------------------------------------------------------------------------------------------ pages
@router.get("/cases", include_in_schema=False)
def cases_page(request: Request, category: Optional[str] = None, phase: Optional[str] = None,
               real: Optional[str] = None, state: AppState = Depends(get_state)):
    category = category if category in CATEGORIES else None
    phase = phase if phase in PHASES else None
    flag = {"true": True, "false": False}.get((real or "").lower())
    return render(request, "cases.html", cases_view(state, category, phase, flag))


@router.get("/cases/{case_id}", include_in_schema=False)
def case_page(case_id: str, request: Request, state: AppState = Depends(get_state)):
    return render(request, "cases_detail.html", case_view(state, case_id))
