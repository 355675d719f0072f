"""Turn text or files into the extraction document of DESIGN.md (`corisk extract`, POST /api/v1/extract).

    ex = Extractor.load()                      # the trained pipelines (built first if missing)
    ex.extract_text(text, kind="auto", lang="auto", source="-")   → one "documents" entry
    extract_paths(paths, kind, lang, workers=2)                   → {"extractor", "documents"}
    concepts_from_text(text)                                      → risk concepts a free text names
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .clauses import (ESSENTIAL_CLAUSES, clause_heading_text, clause_risks, looks_like_contract, rule_types, segment,
                      untyped_heading)
from .errors import ExtractError
from .lang import detect_language, is_mixed
from .lexicon import load_lexicon

CHUNK = 50_000          # characters per spaCy Doc: bounded memory for big documents
KINDS = ("auto", "notes", "contract")
LANGS = ("auto", "zh", "en")


class Extractor:
    def __init__(self, pipelines: dict, meta: dict, lexicon_only: bool = False):
        self.pipelines = pipelines
        self.meta = meta
        self.lexicon_only = lexicon_only
        self.lexicon = load_lexicon()

    @classmethod
    def load(cls, model_dir: Path | None = None, build_if_missing: bool = True, lexicon_only: bool = False) -> "Extractor":
        import spacy

        from . import pipeline  # noqa: F401  (registers the factories)
        from .train import default_model_dir, read_meta, train

        model_dir = Path(model_dir or default_model_dir())
        meta = read_meta(model_dir)
        if meta is None:
            if not build_if_missing:
                raise ExtractError(f"no trained extraction model in {model_dir}; run `corisk train`.")
            print(f"corisk: no extraction model in {model_dir}; building it from corpus/annotations …", file=sys.stderr)
            train(model_dir, log=lambda m: print(f"corisk: {m}", file=sys.stderr))
            meta = read_meta(model_dir)
        try:
            pipes = {lang: spacy.load(model_dir / lang) for lang in ("zh", "en")}
        except Exception as exc:
            raise ExtractError(f"the extraction model in {model_dir} cannot be loaded ({exc}); run `corisk train`.") from None
        return cls(pipes, meta, lexicon_only=lexicon_only)

    @property
    def version(self) -> str:
        return self.meta.get("version", "unknown")

    # ------------------------------------------------------------------ one text
    def extract_text(self, text: str, kind: str = "auto", lang: str = "auto", source: str = "-") -> dict:
        if kind not in KINDS:
            raise ExtractError(f"unknown kind '{kind}'; use one of {', '.join(KINDS)}.")
        if lang not in LANGS:
            raise ExtractError(f"unknown language '{lang}'; use one of {', '.join(LANGS)}.")
        language = detect_language(text) if lang == "auto" else lang
        if kind == "auto":
            kind = "contract" if looks_like_contract(text) else "notes"
        doc_out = {"source": source, "language": language, "kind": kind, "mixed": is_mixed(text),
                   "risks": [], "dismissed": [], "clauses": [], "missing_clauses": []}
        if not text.strip():
            return doc_out
        nlp = self.pipelines["en" if language == "en" else "zh"]
        view_lang = "zh" if language == "zh" else "en"
        chunks = _chunks(text, CHUNK)
        for (offset, _), doc in zip(chunks, nlp.pipe(_with_flag(nlp, [c for _, c in chunks], self.lexicon_only, kind))):
            cues = list(doc.spans.get("negation_cues", []))
            attach = [sp for sp in doc.spans.get("lexicon", []) if not sp.label_.startswith("risk-")]
            for group, key in (("risks", "risks"), ("dismissed", "dismissed")):
                for sp in doc.spans.get(group, []):
                    doc_out[key].append(self._risk_dict(text, offset, sp, attach, cues, view_lang, key == "dismissed"))
        if kind == "contract":
            self._contract(text, doc_out, view_lang)
        for key in ("risks", "dismissed"):
            doc_out[key].sort(key=lambda r: (r["start"], r["end"]))
        return doc_out

    def _risk_dict(self, text, offset, sp, attach, cues, lang, dismissed: bool) -> dict:
        info = sp._.risk
        s, e = sp.start_char + offset, sp.end_char + offset
        ss, se = info["sentence"][0] + offset, info["sentence"][1] + offset
        concept = self.lexicon.concepts.get(info["concept"]) if info["concept"] else None
        causes, indicators = [], []
        related = set(concept.related) if concept else set()
        for a in attach:
            a_s, a_e = a.start_char + offset, a.end_char + offset
            if not (ss <= a_s < se):
                continue
            c = self.lexicon.concepts.get(a.label_)
            if c is None:
                continue
            item = {"concept": c.iri, "label": c.label(lang), "text": text[a_s:a_e], "start": a_s, "end": a_e,
                    "related": c.id in related or concept is not None and concept.id in c.related}
            (causes if c.kind == "cause" else indicators).append(item)
        out = {"text": text[s:e], "start": s, "end": e, "sentence": _one_line(text[ss:se]),
               "category": info["categories"][0], "categories": list(info["categories"]),
               "concept": concept.iri if concept else None, "label": concept.label(lang) if concept else None,
               "confidence": info["confidence"], "causes": causes, "indicators": indicators}
        if dismissed:
            out["reason"] = info["reason"] or "negated"
            cue = [c.text for c in cues if ss <= c.start_char + offset < se]
            if cue:
                out["cue"] = cue[0]
        return out

    def _contract(self, text: str, doc_out: dict, lang: str) -> None:
        spans = segment(text)
        typed = []
        model = self.pipelines["zh"].get_pipe("corisk_risks").model
        ml = model.clause_types([clause_heading_text(text[c.start:c.end]) for c in spans]) if not self.lexicon_only else [(None, 0.0)] * len(spans)
        t_clause = model.params.__dict__.get("t_clause", 0.45)
        for c, (mtype, p) in zip(spans, ml):
            rtypes = rule_types(c.heading)
            if not rtypes and not untyped_heading(c.heading) and mtype and p >= t_clause:
                rtypes = [mtype]
            for ctype in rtypes:
                typed.append({"type": ctype, "start": c.start, "end": c.end, "text": text[c.start:c.end]})
        present = {c["type"] for c in typed}
        doc_out["clauses"] = typed
        doc_out["missing_clauses"] = [t for t in ESSENTIAL_CLAUSES if t not in present]
        for r in clause_risks(text, typed):
            if any(x["start"] < r.end and r.start < x["end"] for x in doc_out["risks"]):
                continue
            c = self.lexicon.concepts.get(r.concept)
            doc_out["risks"].append({
                "text": text[r.start:r.end], "start": r.start, "end": r.end, "sentence": _one_line(text[r.start:r.end]),
                "category": r.categories[0], "categories": list(r.categories),
                "concept": c.iri if c else None, "label": c.label(lang) if c else None, "confidence": 0.6,
                "causes": [{"concept": _iri(r.cause), "label": _label(self.lexicon, r.cause, lang), "text": None,
                            "start": None, "end": None, "related": True}] if r.cause else [],
                "indicators": [], "rule": r.reason})


def _iri(short: str) -> str:
    from ontology.namespace import CRK_IRI

    return CRK_IRI + short


def _label(lexicon, short, lang):
    c = lexicon.concepts.get(short)
    return c.label(lang) if c else short


def _with_flag(nlp, texts, lexicon_only, kind="notes"):
    for t in texts:
        d = nlp.make_doc(t)
        d._.corisk_lexicon_only = lexicon_only
        d._.corisk_kind = kind
        d._.corisk_text = t
        yield d


def _one_line(s: str) -> str:
    """The sentence for display: wrapped lines joined (no space between Chinese characters)."""
    import re

    s = re.sub(r"(?<=[\u3400-\u9fff，。；：、])\n\s*(?=[\u3400-\u9fff])", "", s)
    return re.sub(r"\s*\n\s*", " ", s)


def _chunks(text: str, size: int) -> list[tuple[int, str]]:
    """Cut at blank lines (or line ends) near `size` characters; sentences never span a cut."""
    out, pos, n = [], 0, len(text)
    while pos < n:
        if n - pos <= size:
            out.append((pos, text[pos:]))
            break
        end = text.rfind("\n\n", pos + size // 2, pos + size)
        if end < 0:
            end = text.rfind("\n", pos + size // 2, pos + size)
        if end < 0:
            end = pos + size
        else:
            end += 1
        out.append((pos, text[pos:end]))
        pos = end
    return out


# ---------------------------------------------------------------------- many files, two cores
_WORKER: Extractor | None = None


def _init_worker(model_dir):
    global _WORKER
    _WORKER = Extractor.load(model_dir)


def _work(args):
    path, kind, lang = args
    from .readers import read_path

    try:
        return _WORKER.extract_text(read_path(path), kind, lang, source=str(path))
    except ExtractError as exc:
        return {"source": str(path), "error": str(exc)}


def expand_paths(paths) -> list[str]:
    from .readers import SUPPORTED

    out = []
    for p in paths:
        if p != "-" and Path(p).is_dir():
            out += sorted(str(f) for f in Path(p).rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED)
        else:
            out.append(str(p))
    return out


def extract_paths(paths, kind="auto", lang="auto", workers: int | None = None, extractor: Extractor | None = None,
                  stdin_text: str | None = None) -> dict:
    """Extract from files (folders expanded; '-' reads stdin); several files use `workers` processes."""
    from .readers import check_path, read_path

    files = expand_paths(paths)
    for f in files:
        if f != "-":
            check_path(f)   # a bad path fails with its one-line error before the model is loaded
    ex = extractor or Extractor.load()
    workers = workers or min(2, os.cpu_count() or 1)
    docs = []
    disk = [f for f in files if f != "-"]
    if len(disk) >= 2 and workers > 1:
        import multiprocessing as mp

        from .train import default_model_dir

        ctx = mp.get_context("fork") if hasattr(os, "fork") else mp.get_context()
        with ctx.Pool(workers, initializer=_init_worker, initargs=(str(default_model_dir()),)) as pool:
            res = dict(zip(disk, pool.map(_work, [(f, kind, lang) for f in disk], chunksize=1)))
    else:
        res = {}
        for f in disk:
            res[f] = ex.extract_text(read_path(f), kind, lang, source=f)
    for f in files:
        if f == "-":
            docs.append(ex.extract_text(stdin_text if stdin_text is not None else sys.stdin.read(), kind, lang, source="-"))
        else:
            r = res[f]
            if "error" in r:
                raise ExtractError(r["error"])
            docs.append(r)
    return {"extractor": {"version": ex.version}, "documents": docs}


def concepts_from_text(text: str, lang: str = "auto", extractor: Extractor | None = None) -> list[dict]:
    """For the advisor: the risk concepts a free text names, best first, negated ones left out.
    → [{"concept": IRI, "label", "category", "categories", "confidence", "text", "start", "end"}]"""
    ex = extractor or Extractor.load()
    doc = ex.extract_text(text, kind="notes", lang=lang)
    best: dict[str, dict] = {}
    for r in doc["risks"]:
        if r["concept"] and (r["concept"] not in best or r["confidence"] > best[r["concept"]]["confidence"]):
            best[r["concept"]] = {k: r[k] for k in ("concept", "label", "category", "categories", "confidence",
                                                    "text", "start", "end")}
    return sorted(best.values(), key=lambda r: -r["confidence"])
