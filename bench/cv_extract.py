"""K-fold cross-validation of the trained extractor over train + dev (by document), to compare model
variants without touching the test split.

    .venv/bin/python -m bench.cv_extract                          # 5 folds, the shipped model ("base")
    .venv/bin/python -m bench.cv_extract --variant base --variant no-joint   # variants, same run
    .venv/bin/python -m bench.cv_extract --variant base --variant base+knn1  # "+" combines variants
    .venv/bin/python -m bench.cv_extract --list                   # the variants known
    .venv/bin/python -m bench.cv_extract --tune                   # tune Params on an inner split
    options: --folds K (5), --seed S (0), --jobs N (2 processes), --json FILE (per-fold figures)

Folds: the documents of train + dev (never test) are grouped by (language, kind), shuffled with the
seed inside each group and dealt round-robin, so each fold gets its share of zh/en/mixed notes and
contracts. The document set is read once at start, so every variant of one run sees the same folds
(other people add training documents meanwhile: compare variants within one run only).

Each fold trains the RiskModel exactly as `corisk train` does (nlp.train.fit_model: same fit, same
clause typer) on the other folds and runs the Extractor on the held-out fold; nlp.evaluate.score
gives category micro-F1, linking accuracy, span overlap F1 and negation accuracy. Params: by default
the defaults of nlp.model.Params (which are close to what dev tuning picks, and keep a run at
~1 min per variant on 2 cores); with --tune, exactly as `corisk train` (nlp.train.fit_and_tune): a
fifth of the training part (by document, stratified the same way) is held out, the model is fitted
on the rest, its Params tuned there coordinate-wise (nlp.train.tune_params), and the model fitted
again on the whole training part keeps those Params — slower (~5 min per variant and fold);
--tune-docs N tunes on N documents of the held-out fifth only (13 is the size of dev).

Two diagnostic ceilings per fold, with gold information given to the same model:
    cat@gold-sents   over gold risk sentences (a non-negated mention inside), the gate replaced by
                     the gold answer: the first category of the most confident statement is a gold one
    link@gold-spans  over gold mentions with a concept, given their gold spans (gate and span choice
                     replaced): the concept linked is the gold one
One figure for pasted snippets: snip_cat_f1, every held-out sentence extracted on its own (a user
pasting one line), category micro-F1 against its non-negated mentions.
Printed: mean ± sd over folds of each figure, one row per variant; with several variants, also each
one's difference from the first, paired by fold (mean ± sd of the per-fold differences).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

# model variants: RiskModel keyword arguments and Params overrides
VARIANTS: dict[str, dict] = {
    "base": {"model": {}, "params": {}},
    # the categories first, then the concept among theirs (the model before joint linking)
    "restricted": {"model": {"link": "restricted"}, "params": {}},
    # more or less of the concept scores' categories in a statement's category scores (default 0.25)
    "wcc0": {"model": {}, "params": {"w_cat_concept": 0.0}},
    "wcc0.5": {"model": {}, "params": {"w_cat_concept": 0.5}},
    # the risk-sentence gate (issue #4): NB-LR features (log-count ratios, Wang & Manning 2012);
    # "nb+cues+ctx": 508 documents, category micro-F1 +0.017 ± 0.007, gate F1 +0.016 ± 0.007 (paired)
    "nb": {"model": {"gate": "nb"}, "params": {}},
    # the plain LR gate without cues or context stage (the default until 2026-12-07)
    "lrgate": {"model": {"gate": "lr", "gate_cues": False, "gate_ctx": False, "gate_single": False}, "params": {}},
    # cue columns in the gate: numbers / percentage level / comparison, hedges, questions, length, and
    # the contract-content rules of nlp/clauses.py (CONTENT_RULES) as features
    "cues": {"model": {"gate_cues": True}, "params": {}},
    # second stage over out-of-fold gate probabilities: the sentence's, its neighbours', the document's
    # mean, and the document kind
    "ctx": {"model": {"gate_ctx": True}, "params": {}},
    # the context stage trained on whole documents only (the default before gate_single)
    "nosingle": {"model": {"gate_single": False}, "params": {}},
    # the Params `corisk train` picked on the 13 dev documents for the 609-document model (2026-11-25):
    # does that tuning carry over to the other folds?
    "shipped-params": {"model": {}, "params": {"t_risk": 0.6, "t_extra": 0.6, "t_cat2": 0.6, "t_neg": 0.5,
                                               "w_lex": 0.0, "w_sent": 1.0, "w_cat_concept": 0.0,
                                               "w_span_multi": 0.5}},
    # the context stage also trained on every sentence as if pasted alone (see snip_cat_f1)
    "single": {"model": {"gate_single": True}, "params": {}},
    # without the rule that a line only naming a known risk is a risk statement
    "nonamed": {"model": {"named_rule": False}, "params": {}},
    # line length as a gate cue (the default before len_ctx) instead of in the context stage
    "lengate": {"model": {"len_ctx": False}, "params": {}},
    # n-grams seen in only one training text dropped (a smaller, faster model)
    "mindf2": {"model": {"min_df": 2}, "params": {}},
    # the category model with NB-LR features (one per category), the default since 2026-12-07
    "nbcat": {"model": {"cat_nb": True}, "params": {}},
    # the category model as plain one-vs-rest LR (the default before)
    "lrcat": {"model": {"cat_nb": False}, "params": {}},
    # the Params `corisk train` picked on dev for the 211-document model (var/model/meta.json):
    # does tuning on 13 dev documents carry over to the other folds?
    "dev-tuned": {"model": {}, "params": {"t_risk": 0.6, "t_extra": 0.8, "t_cat2": 1.01, "t_neg": 0.7, "w_lex": 0.0,
                                          "w_cause": 0.2, "w_sent": 1.0, "w_cat_concept": 0.25, "w_span": 0.0,
                                          "w_span_multi": 0.8}},
}

METRICS = ("cat_f1", "link_acc", "span_ov_f1", "neg_acc", "gate_f1", "snip_cat_f1", "cat@gold-sents",
           "link@gold-spans")

_STATE: dict = {}


def variant(name: str) -> dict:
    """A variant by name; "a+b" merges the settings of a and b (b wins)."""
    out = {"model": {}, "params": {}}
    for part in name.split("+"):
        v = VARIANTS[part]
        out["model"].update(v["model"]); out["params"].update(v["params"])
    return out


def gate_f1(docs, outs) -> float:
    """Sentence level: a sentence holds a found statement (kept or dismissed) vs a gold mention."""
    tp = fp = fn = 0
    for d, out in zip(docs, outs):
        starts = [r["start"] for r in out["risks"] + out["dismissed"]]
        for s in d.sentences():
            p = any(s["start"] <= a < s["end"] for a in starts)
            g = bool(s["mentions"])
            tp += p and g; fp += p and not g; fn += g and not p
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def snippet_cat_f1(ex, docs) -> float:
    """Every sentence of the held-out documents pasted alone (as users paste one line): micro-F1 of
    the categories of the risks reported for it against the categories of its non-negated mentions."""
    tp = fp = fn = 0
    for d in docs:
        for s in d.sentences():
            out = ex.extract_text(s["text"], kind=d.kind, source=d.id)
            pred = {c for r in out["risks"] for c in r["categories"]}
            gold = set(s["categories"])
            tp += len(pred & gold); fp += len(pred - gold); fn += len(gold - pred)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def make_folds(docs, k: int, seed: int) -> list[list[int]]:
    """Indices of docs per fold: grouped by (lang, kind), shuffled within a group, dealt round-robin."""
    from nlp.corpus import folds_by_document

    return folds_by_document(docs, k, seed)


def _sent_hits(doc_hits, s):
    return [(a - s["start"], b - s["start"], c) for a, b, c in doc_hits
            if s["start"] <= a < s["end"] and not c.startswith("kri-")]


def ceilings(model, docs, hits) -> dict:
    """cat@gold-sents and link@gold-spans (see the module docstring)."""
    cat_ok = cat_n = link_ok = link_n = 0
    for d in docs:
        sents = d.sentences()
        texts = [s["text"] for s in sents]
        sh = [_sent_hits(hits[d.id], s) for s in sents]
        gold_risk = [bool(s["categories"]) for s in sents]
        if any(gold_risk):
            preds = model.predict(texts, sh, risk_sents=gold_risk)
            for s, g, ps in zip(sents, gold_risk, preds):
                if not g:
                    continue
                cat_n += 1
                if ps:
                    best = max(ps, key=lambda q: q.confidence)
                    cat_ok += best.categories[0] in s["categories"]
        spans, gold = [], []
        for s in sents:
            ms = [d.mentions[i] for i in s["mentions"]]
            spans.append([(max(m.start, s["start"]) - s["start"], min(m.end, s["end"]) - s["start"]) for m in ms])
            gold.append([m.concept for m in ms])
        if any(spans):
            preds = model.predict(texts, sh, spans=spans)
            for ps, gs in zip(preds, gold):
                for q, g in zip(ps, gs):
                    if g:
                        link_n += 1
                        link_ok += q.concept == g
    return {"cat@gold-sents": cat_ok / cat_n if cat_n else 0.0, "link@gold-spans": link_ok / link_n if link_n else 0.0}


def run_fold(task) -> dict:
    """Train on all folds but one (variant `name`), score the held-out one."""
    name, f = task
    from nlp.evaluate import score
    from nlp.extract import Extractor
    from nlp.model import Params
    from nlp.train import fit_and_tune, fit_model, new_pipelines

    docs, folds, hits, lexicon, tune = (_STATE[k] for k in ("docs", "folds", "hits", "lexicon", "tune"))
    var = variant(name)
    held = [docs[i] for i in folds[f]]
    rest = [docs[i] for g, fl in enumerate(folds) if g != f for i in fl]
    t0 = time.time()
    pipes = new_pipelines()
    quiet = lambda *_: None  # noqa: E731
    if tune:
        # exactly as `corisk train`: fit on four fifths, tune on the last, fit again on all
        model = fit_and_tune(rest, [], lexicon, pipes, hits, log=quiet, tune_docs=_STATE.get("tune_docs"), **var["model"])
        model.params = Params(**{**model.params.__dict__, **var["params"]})
    else:
        model = fit_model(rest, lexicon, pipes, hits, log=quiet, **var["model"])
        model.params = Params(**var["params"])
    fit_s = time.time() - t0
    ex = Extractor(pipes, {"version": f"cv-{name}"})
    outs = [ex.extract_text(d.text, kind=d.kind, source=d.id) for d in held]
    s = score(held, outs)
    out = {"variant": name, "fold": f, "docs": len(held), "fit_s": round(fit_s, 1),
           "cat_f1": s["category_micro"]["f1"], "link_acc": s["linking_accuracy"],
           "span_ov_f1": s["span_overlap"]["f1"], "neg_acc": s["negation_accuracy"], "gate_f1": gate_f1(held, outs),
           "snip_cat_f1": snippet_cat_f1(ex, held)}
    out.update(ceilings(model, held, hits))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--variant", action="append", help="variant name (repeat to compare; default: base)")
    ap.add_argument("--tune", action="store_true", help="tune Params on an inner dev split per fold")
    ap.add_argument("--tune-docs", type=int, help="with --tune: tune on only this many of the inner split's documents")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="write per-fold figures to this file")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)
    if a.list:
        for k, v in VARIANTS.items():
            print(f"{k:24s} {json.dumps(v)}")
        return 0
    names = a.variant or ["base"]
    for n in names:
        if any(part not in VARIANTS for part in n.split("+")):
            print(f"unknown variant {n!r}; known: {', '.join(VARIANTS)}", file=sys.stderr)
            return 2

    from nlp.corpus import load_corpus
    from nlp.lexicon import load_lexicon
    from nlp.train import lexicon_hits, new_pipelines

    t0 = time.time()
    docs = load_corpus(("train", "dev"))
    pipes = new_pipelines()
    _STATE.update(docs=docs, folds=make_folds(docs, a.folds, a.seed), lexicon=load_lexicon(), tune=a.tune,
                  tune_docs=a.tune_docs,
                  hits={d.id: lexicon_hits(pipes, d.text) for d in docs})
    print(f"{len(docs)} documents (train + dev), {sum(len(d.mentions) for d in docs)} mentions, "
          f"{a.folds} folds, seed {a.seed}, {'inner-tuned' if a.tune else 'default'} Params", file=sys.stderr)
    tasks = [(n, f) for n in names for f in range(a.folds)]
    if a.jobs > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(a.jobs) as pool:
            rows = pool.map(run_fold, tasks, chunksize=1)
    else:
        rows = [run_fold(t) for t in tasks]
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1)
    print(f"{'variant':22s} " + " ".join(f"{m:>15s}" for m in METRICS) + f" {'fit s':>6s}")
    for n in names:
        rs = [r for r in rows if r["variant"] == n]
        cells = []
        for m in METRICS:
            v = [r[m] for r in rs]
            cells.append(f"{statistics.mean(v):.3f} ± {statistics.stdev(v) if len(v) > 1 else 0:.3f}")
        print(f"{n:22s} " + " ".join(f"{c:>15s}" for c in cells) + f" {statistics.mean(r['fit_s'] for r in rs):6.1f}")
    if len(names) > 1:
        # paired by fold: the fold-to-fold spread of the difference is the noise that matters here
        print(f"\ndifference from {names[0]} (paired by fold, mean ± sd)")
        ref = {r["fold"]: r for r in rows if r["variant"] == names[0]}
        for n in names[1:]:
            rs = [r for r in rows if r["variant"] == n]
            cells = []
            for m in METRICS:
                v = [r[m] - ref[r["fold"]][m] for r in rs]
                cells.append(f"{statistics.mean(v):+.3f} ± {statistics.stdev(v) if len(v) > 1 else 0:.3f}")
            print(f"{n:22s} " + " ".join(f"{c:>15s}" for c in cells))
    print(f"({time.time() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
