"""Extraction: POST /api/v1/extract (JSON or multipart upload) and the /extract page, one view function."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..app import get_state, render
from ..state import AppState

router = APIRouter()



async def _payload(request: Request) -> tuple[str, str, str, str] | None:
    """(text, kind, lang, source) from a JSON body or a form with a textarea and/or a file."""
    from nlp.errors import ExtractError
    from nlp.readers import read_bytes

    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise ExtractError("the request body is not valid JSON; send {\"text\": …, \"kind\": …, \"lang\": …}.") from None
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise ExtractError("send a JSON object with a \"text\" string (and optionally \"kind\", \"lang\").")
        return body["text"], body.get("kind") or "auto", body.get("lang") or "auto", body.get("source") or "-"
    form = await request.form()
    kind, lang = str(form.get("kind") or "auto"), str(form.get("lang") or "auto")
    upload = form.get("file")
    if upload is not None and hasattr(upload, "read"):
        data = await upload.read()
        if data:
            return read_bytes(data, upload.filename or ""), kind, lang, upload.filename or "upload"
    text = form.get("text")
    if isinstance(text, str) and text.strip():
        return text, kind, lang, "-"
    return None


def extract_view(state: AppState, text: str | None, kind: str = "auto", lang: str = "auto", source: str = "-") -> dict:
    """The extraction document of DESIGN.md for one text (no text → an empty document list)."""
    ex = state.extractor()
    docs = [] if text is None else [ex.extract_text(text, kind, lang, source=source)]
    return {"extractor": {"version": ex.version}, "documents": docs}


@router.post("/api/v1/extract")
async def extract_api(request: Request, state: AppState = Depends(get_state)):
    """Risks in a text (JSON {"text", "kind", "lang"}) or an uploaded file (multipart field "file")."""
    payload = await _payload(request)
    if payload is None:
        return JSONResponse({"error": "nothing to extract: send \"text\" or a file."}, status_code=400)
    return extract_view(state, *payload)


@router.get("/extract", include_in_schema=False)
def extract_page(request: Request, state: AppState = Depends(get_state)):
    return render(request, "extract.html", {"extractor": {"version": ""}, "documents": [], "input": ""})


@router.post("/extract", include_in_schema=False)
async def extract_page_post(request: Request, state: AppState = Depends(get_state)):
    payload = await _payload(request)
    doc = extract_view(state, *payload) if payload else extract_view(state, None)
    if payload:
        doc["input"] = payload[0]
        for d in doc["documents"]:
            d["pieces"] = highlight(payload[0], d["risks"], d["dismissed"])
    return render(request, "extract.html", doc)


def highlight(text: str, risks: list, dismissed: list, limit: int = 200_000) -> list[dict]:
    """The text cut into pieces, each plain or one found span (risk or dismissed), for the page."""
    marks = sorted([(r["start"], r["end"], "risk", r) for r in risks] + [(r["start"], r["end"], "dismissed", r) for r in dismissed])
    pieces, pos = [], 0
    text = text[:limit]
    for s, e, kind, r in marks:
        if s < pos or s >= len(text):
            continue
        if s > pos:
            pieces.append({"text": text[pos:s]})
        pieces.append({"text": text[s:e], "kind": kind, "category": r["category"], "label": r["label"] or "",
                       "reason": r.get("reason")})
        pos = e
    pieces.append({"text": text[pos:]})
    return pieces
