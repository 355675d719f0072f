"""`corisk train`: fit the extractor on corpus/annotations (train split; dev for model selection;
test never) and write the spaCy pipelines to var/model/{zh,en} with meta.json.

--if-stale skips the work when the hash of corpus + ontology + nlp sources matches the built model.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

VERSION = "0.1.0"
NLP_DIR = Path(__file__).resolve().parent
ROOT = NLP_DIR.parent


def default_model_dir() -> Path:
    import os

    return Path(os.environ.get("CORISK_MODEL", str(ROOT / "var" / "model")))


def review_items_path() -> Path:
    """Accepted review items (JSONL, one document a line) that training adds to the train split."""
    import os

    home = Path(os.environ.get("CORISK_HOME", str(ROOT / "var")))
    return home / "review" / "accepted.jsonl"


def input_hash() -> str:
    from ontology.load import ontology_files

    from .corpus import source_files

    h = hashlib.sha1()
    files = source_files() + ontology_files() + sorted(NLP_DIR.glob("*.py")) + sorted(NLP_DIR.glob("*.cfg"))
    rv = review_items_path()
    if rv.exists():
        files.append(rv)
    for f in files:
        h.update(str(Path(f).relative_to(ROOT) if str(f).startswith(str(ROOT)) else f).encode())
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:12]


def read_meta(model_dir: Path) -> dict | None:
    p = Path(model_dir) / "meta.json"
    if not p.exists() or not (Path(model_dir) / "zh").exists() or not (Path(model_dir) / "en").exists():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_stale(model_dir: Path | None = None) -> bool:
    meta = read_meta(Path(model_dir or default_model_dir()))
    return meta is None or meta.get("hash") != input_hash()


def _review_docs() -> list:
    """Accepted review items as training documents: {"text", "lang", "mentions": [{start, end,
    categories, concept, neg}]}."""
    from .corpus import Document, Mention

    p = review_items_path()
    docs = []
    if not p.exists():
        return docs
    for k, line in enumerate(p.read_text(encoding="utf-8").splitlines()):
        if not line.strip():
            continue
        js = json.loads(line)
        ms = [Mention(start=m["start"], end=m["end"], text=js["text"][m["start"]:m["end"]],
                      categories=list(m["categories"]), concept=m.get("concept"), neg=bool(m.get("neg")), line=0)
              for m in js.get("mentions", [])]
        docs.append(Document(id=f"review-{k}", path=str(p), split="train", lang=js.get("lang", "zh"),
                             kind=js.get("kind", "notes"), text=js["text"], mentions=ms))
    return docs


def lexicon_hits(pipes, text: str) -> list[tuple[int, int, str]]:
    """The lexicon matches of the pipeline that will read `text` (same tokenizer, same matcher)."""
    from .lang import detect_language
    from .pipeline import doc_text

    nlp = pipes["en" if detect_language(text) == "en" else "zh"]
    doc = nlp.make_doc(text)
    doc._.corisk_text = text
    doc_text(doc)
    doc = nlp.get_pipe("corisk_lexicon")(doc)
    return [(sp.start_char, sp.end_char, sp.label_) for sp in doc.spans["lexicon"]]


TUNE_GRID = {"t_risk": [0.4, 0.5, 0.55, 0.6, 0.65, 0.7], "t_cat2": [0.3, 0.4, 0.5, 0.6, 1.01],
             "t_neg": [0.4, 0.5, 0.6, 0.7], "t_extra": [0.6, 0.8, 1.01], "w_lex": [0.0, 0.3, 1.0, 3.0],
             "w_cause": [0.0, 0.1, 0.3], "w_sent": [1.0, 2.0, 3.0],
             "w_cat_concept": [0.0, 0.25, 0.5], "w_span": [0.0, 0.3, 0.5],
             "w_span_multi": [0.5, 0.8]}


def new_pipelines() -> dict:
    from . import pipeline

    return {lang: pipeline.blank_pipeline(lang) for lang in ("zh", "en")}


def fit_model(train_docs, lexicon, pipes, hits: dict | None = None, log=print, model_cls=None, **model_kw):
    """Fit the RiskModel (+ clause typer) on `train_docs` and put it into `pipes` (corisk_risks).
    hits: doc id → lexicon matches (computed here for the documents that lack them)."""
    from .model import RiskModel

    hits = dict(hits or {})
    for d in train_docs:
        if d.id not in hits:
            hits[d.id] = lexicon_hits(pipes, d.text)
    model = (model_cls or RiskModel)(**model_kw).fit(train_docs, lexicon, log=log, hits=hits)
    model.fit_clauses(train_docs, log=log)
    for nlp in pipes.values():
        nlp.get_pipe("corisk_risks").model = model
    return model


def tune_params(model, pipes, dev_docs, version: str = "tuning", grid: dict | None = None):
    """Choose the model's thresholds and weights on `dev_docs` (one coordinate-wise pass over `grid`,
    key = category micro-F1 + span overlap F1 + negation accuracy + linking accuracy). Sets
    model.params to the best and returns (params, dev scores)."""
    from .evaluate import score
    from .extract import Extractor
    from .model import Params

    ex = Extractor(pipes, {"version": version})
    best, best_key = None, None
    cur = Params()
    for name, values in (grid or TUNE_GRID).items():
        for v in values:
            p = Params(**{**cur.__dict__, name: v})
            model.params = p
            outs = [ex.extract_text(d.text, kind=d.kind, source=d.id) for d in dev_docs]
            s = score(dev_docs, outs)
            key = (s["category_micro"]["f1"] + s["span_overlap"]["f1"] + s["negation_accuracy"]
                   + s["linking_accuracy"])
            if best_key is None or key > best_key:
                best_key, best = key, (p, s)
        cur = best[0]
    model.params = best[0]
    return best


def train(model_dir: Path | None = None, if_stale: bool = False, log=print) -> dict:
    """Build the model; returns its meta (version, hash, dev figures)."""
    from .corpus import load_corpus
    from .lexicon import load_lexicon

    model_dir = Path(model_dir or default_model_dir())
    digest = input_hash()
    meta = read_meta(model_dir)
    if if_stale and meta and meta.get("hash") == digest:
        log(f"extraction model is up to date ({meta['version']})")
        return meta
    t0 = time.time()
    train_docs = load_corpus(("train",)) + _review_docs()
    dev_docs = load_corpus(("dev",))
    if not train_docs:
        from .errors import ModelError

        raise ModelError("no training documents in corpus/annotations/src/train; cannot build the extraction model.")
    lexicon = load_lexicon()
    pipes = new_pipelines()
    model = fit_model(train_docs, lexicon, pipes, log=log)
    version = f"corisk-extract {VERSION}+{digest}"
    # model selection on dev: thresholds and weights of the trained models
    dev_scores = tune_params(model, pipes, dev_docs, version)[1] if dev_docs else {}
    model_dir.mkdir(parents=True, exist_ok=True)
    for lang, nlp in pipes.items():
        nlp.to_disk(model_dir / lang)
    meta = {"version": version, "hash": digest, "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "train_documents": len(train_docs), "dev_documents": len(dev_docs),
            "params": model.params.__dict__, "seconds": round(time.time() - t0, 1),
            "dev": {k: dev_scores[k] for k in ("category_micro", "span_overlap", "linking_accuracy",
                                                "negation_accuracy", "clause_type")} if dev_scores else {}}
    (model_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    log(f"built {version} in {meta['seconds']} s → {model_dir}")
    return meta
