"""The advisor as the service uses it: free text → concepts (nlp), then ranked strategies (graph).

The advisor's indexes live in memory, built once per process from the store; after that, each
request applies only the cases that changed since (the store's change log), so an edited case
changes the next answer without a restart and without a rebuild.
"""
from __future__ import annotations

import hashlib
import pickle
import threading

from graph.advisor import Advisor, AdvisorError, Ranker
from graph.casebase import record_of

from .state import AppState

_lock = threading.Lock()


def advisor(state: AppState) -> Advisor:
    """The process's advisor, brought up to date with the case base."""
    with _lock:
        entry = state.get("advisor", lambda: _build(state))
        onto_version = state.store().graph_version(_onto_graph())
        if entry["onto_version"] != onto_version:
            state.invalidate("advisor")
            entry = state.get("advisor", lambda: _build(state))
        version, keys = state.changes_since(entry["version"])
        if version != entry["version"]:
            if keys is None:
                state.invalidate("advisor")
                entry = state.get("advisor", lambda: _build(state))
            else:
                _apply_changes(state, entry["advisor"], keys)
                entry["version"] = version
        return entry["advisor"]


def _onto_graph():
    from graph.store import ONTOLOGY_GRAPH

    return ONTOLOGY_GRAPH


def _build(state: AppState) -> dict:
    version, _ = state.changes_since(-1)
    records = [record_of(c) for c in state.cases().all()]
    adv = Advisor(state.ontology(), records)
    adv._ranker = _cached_ranker(state, adv)
    return {"advisor": adv, "version": version, "onto_version": state.store().graph_version(_onto_graph())}


def _apply_changes(state: AppState, adv: Advisor, keys: set[str]) -> None:
    cases = state.cases()
    for key in sorted(keys):
        if not key.startswith("case:"):
            continue
        case_id = key[len("case:"):]
        if cases.exists(case_id):
            adv.cases.upsert(record_of(cases.get(case_id)))
        else:
            adv.cases.remove(case_id)


def _cached_ranker(state: AppState, adv: Advisor) -> Ranker:
    """The ranker learned from this case base: loaded from disk when the case base is the same."""
    digest = hashlib.sha256()
    for cid in sorted(adv.cases.records):
        r = adv.cases.records[cid]
        digest.update(repr((cid, r.risks, sorted(r.causes), sorted(r.indicators), r.phase, r.service_type,
                            r.applications)).encode())
    digest.update(str(len(adv.onto.kind)).encode())
    path = state.settings.home / "advisor" / f"ranker-{digest.hexdigest()[:16]}.pkl"
    if path.exists():
        try:
            with path.open("rb") as fh:
                ranker = pickle.load(fh)
            if isinstance(ranker, Ranker):
                return ranker
        except Exception:  # a stale or unreadable cache is rebuilt, never fatal
            pass
    ranker = adv.fit_ranker()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("ranker-*.pkl"):
            old.unlink()
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(ranker, fh)
        tmp.replace(path)
    except OSError:
        pass
    return ranker


def concepts_from_text(state: AppState, text: str) -> tuple[list[str], list[dict]]:
    """Risk concepts the extractor finds in `text` (best first), and the risks themselves."""
    from nlp.extract import concepts_from_text as extract_concepts

    found = extract_concepts(text, extractor=state.extractor())
    return [r["concept"] for r in found], found


PROJECT_CONTEXT = """
PREFIX cr: <https://w3id.org/corisk/ontology#>
SELECT ?risk ?phase ?status ?likelihood ?impact WHERE {
  ?entry a cr:RegisterEntry ; cr:riskConcept ?risk .
  OPTIONAL { ?entry cr:status ?status }
  OPTIONAL { ?entry cr:likelihood ?likelihood }
  OPTIONAL { ?entry cr:impact ?impact }
  OPTIONAL { ?project a cr:Project ; cr:inPhase ?phase }
}"""


def project_context(state: AppState, project_id: str) -> tuple[list[str], str | None]:
    """The open risks of a project's register (highest rating first) and the project's phase."""
    from graph.store import project_graph
    from ontology.errors import NotFoundError
    from ontology.namespace import PHASES, short_id

    rows = state.store().select(PROJECT_CONTEXT, graphs=[project_graph(project_id)])
    if not rows:
        raise NotFoundError(f"no project '{project_id}' with a risk register in the store.")
    phase = next((short_id(r["phase"]).removeprefix("phase-") for r in rows if "phase" in r), None)
    rating = {}
    for r in rows:
        if str(r.get("status", "open")).lower() in ("closed", "retired"):
            continue
        score = int(r.get("likelihood", 3)) * int(r.get("impact", 3))
        rating[str(r["risk"])] = max(score, rating.get(str(r["risk"]), 0))
    risks = sorted(rating, key=lambda k: (-rating[k], k))
    return risks, phase if phase in PHASES else None


def recommend_view(state: AppState, *, text: str | None = None, concepts: list[str] | None = None,
                   phase: str | None = None, categories: list[str] | None = None, top: int = 5,
                   top_cases: int = 5, service_type: str | None = None, project: str | None = None) -> dict:
    """The document of DESIGN.md's recommend contract (plus an `explanation` per strategy).

    A project adds context: the open risks of its register join the query after the ones asked
    about (the first asked stays the main risk), and its phase is used when none is given.
    """
    if top < 1 or top > 50:
        raise AdvisorError("top must be between 1 and 50.")
    adv = advisor(state)
    refs = list(concepts or [])
    found: list[dict] = []
    if text:
        from_text, found = concepts_from_text(state, text)
        refs += [c for c in from_text if c not in refs]
        if not refs:
            raise AdvisorError("no risk found in the text; describe the risk more plainly or pick a concept.")
    if project:
        register, project_phase = project_context(state, project)
        refs += [r for r in register if r not in refs]
        phase = phase or project_phase
    q = adv.make_query(refs, phase=phase, categories=categories, service_type=service_type, text=text or "")
    doc = adv.recommend(q, top=top, top_cases=top_cases)
    for item in doc["strategies"]:
        item["explanation"] = {"en": adv.explain(item, "en"), "zh": adv.explain(item, "zh")}
    if text:
        doc["query"]["text"] = text
        doc["query"]["risks_found"] = found
    if project:
        doc["query"]["project"] = project
    return doc
