"""Evaluation of the extractor on an annotated split (default: test), with the lexicon-only baseline.

Definitions (also in docs/BENCHMARKS.md):
- categories: per sentence, gold = categories of its non-negated mentions, predicted = categories of
  the risks found in it; P/R/F1 per category and micro over (sentence, category) pairs.
- span F1: predicted risks vs gold non-negated mentions, one-to-one; "exact" = same start and end,
  "overlap" = at least one shared character.
- linking accuracy: over gold mentions with a concept that an overlapping predicted risk found, the
  share linked to the gold concept.
- negation accuracy: over gold mentions (negated or not) that an overlapping prediction (risk or
  dismissed) found, the share put on the right side (dismissed ⇔ |neg).
- clause-type F1: predicted typed clauses vs gold clauses, one-to-one, same type and ≥ 50 % of the
  predicted clause inside the gold one.
- missing-clause recall/precision: gold missing = essential types with no gold clause.
"""
from __future__ import annotations

from collections import Counter

from ontology.namespace import CATEGORIES, CLAUSE_TYPES, short_id

from .clauses import ESSENTIAL_CLAUSES


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _ov(a0, a1, b0, b1):
    return max(0, min(a1, b1) - max(a0, b0))


def score(docs, outputs) -> dict:
    """docs: corpus Documents; outputs: the matching extraction documents."""
    cat = {c: Counter() for c in CATEGORIES}
    span_exact = Counter()
    span_ov = Counter()
    link = Counter()
    negc = Counter()
    clause = Counter()
    miss = Counter()
    for d, out in zip(docs, outputs):
        risks = out["risks"]
        allp = [(r, False) for r in risks] + [(r, True) for r in out["dismissed"]]
        # categories per sentence
        for s in d.sentences():
            gold = set(s["categories"])
            pred = set()
            for r in risks:
                if s["start"] <= r["start"] < s["end"]:
                    pred |= set(r.get("categories") or [r["category"]])
            for c in CATEGORIES:
                cat[c]["tp"] += c in gold and c in pred
                cat[c]["fp"] += c not in gold and c in pred
                cat[c]["fn"] += c in gold and c not in pred
        gold_pos = [m for m in d.mentions if not m.neg]
        # exact spans
        pe = {(r["start"], r["end"]) for r in risks}
        ge = {(m.start, m.end) for m in gold_pos}
        span_exact["tp"] += len(pe & ge); span_exact["fp"] += len(pe - ge); span_exact["fn"] += len(ge - pe)
        # overlap spans, one-to-one greedy by overlap size
        used = set()
        for m in gold_pos:
            best, bov = None, 0
            for k, r in enumerate(risks):
                if k in used:
                    continue
                o = _ov(m.start, m.end, r["start"], r["end"])
                if o > bov:
                    best, bov = k, o
            if best is None:
                span_ov["fn"] += 1
                if m.concept:
                    link["missed"] += 1
                continue
            used.add(best)
            span_ov["tp"] += 1
            if m.concept:
                ok = risks[best]["concept"] and short_id(risks[best]["concept"]) == m.concept
                link["ok" if ok else "wrong"] += 1
        span_ov["fp"] += len(risks) - len(used)
        # negation
        for m in d.mentions:
            hit = None
            bov = 0
            for r, dis in allp:
                o = _ov(m.start, m.end, r["start"], r["end"])
                if o > bov:
                    hit, bov = dis, o
            if hit is None:
                negc["unmatched"] += 1
                continue
            negc["ok" if hit == m.neg else "wrong"] += 1
            if m.neg:
                negc["neg_tp" if hit else "neg_fn"] += 1
            elif hit:
                negc["neg_fp"] += 1
        # clauses
        if d.kind == "contract":
            gold_cl = list(d.clauses)
            usedg = set()
            for pc in out["clauses"]:
                match = None
                for k, g in enumerate(gold_cl):
                    if k in usedg or g.type != pc["type"]:
                        continue
                    if _ov(g.start, g.end, pc["start"], pc["end"]) >= 0.5 * (pc["end"] - pc["start"]):
                        match = k
                        break
                if match is None:
                    clause["fp"] += 1
                else:
                    usedg.add(match); clause["tp"] += 1
            clause["fn"] += len(gold_cl) - len(usedg)
            gold_missing = {t for t in ESSENTIAL_CLAUSES if t not in {g.type for g in gold_cl}}
            pm = set(out["missing_clauses"])
            miss["tp"] += len(gold_missing & pm); miss["fp"] += len(pm - gold_missing); miss["fn"] += len(gold_missing - pm)
    per_cat = {c: dict(zip(("p", "r", "f1"), _prf(v["tp"], v["fp"], v["fn"]))) | {"support": v["tp"] + v["fn"]}
               for c, v in cat.items()}
    tot = Counter()
    for v in cat.values():
        tot.update(v)
    mp, mr, mf = _prf(tot["tp"], tot["fp"], tot["fn"])
    ep, er, ef = _prf(span_exact["tp"], span_exact["fp"], span_exact["fn"])
    op, orr, of = _prf(span_ov["tp"], span_ov["fp"], span_ov["fn"])
    cp, cr, cf = _prf(clause["tp"], clause["fp"], clause["fn"])
    mip, mir, mif = _prf(miss["tp"], miss["fp"], miss["fn"])
    found = link["ok"] + link["wrong"]
    negn = negc["ok"] + negc["wrong"]
    return {
        "categories": per_cat,
        "category_micro": {"p": mp, "r": mr, "f1": mf},
        "span_exact": {"p": ep, "r": er, "f1": ef},
        "span_overlap": {"p": op, "r": orr, "f1": of},
        "linking_accuracy": link["ok"] / found if found else 0.0,
        "linking_end_to_end": link["ok"] / (found + link["missed"]) if found + link["missed"] else 0.0,
        "negation_accuracy": negc["ok"] / negn if negn else 0.0,
        "negation_found": negn,
        "negation_prf": dict(zip(("p", "r", "f1"), _prf(negc["neg_tp"], negc["neg_fp"], negc["neg_fn"]))),
        "clause_type": {"p": cp, "r": cr, "f1": cf},
        "missing_clauses": {"p": mip, "r": mir, "f1": mif},
        "counts": {"documents": len(docs), "gold_mentions": sum(len(d.mentions) for d in docs),
                   "contracts": sum(d.kind == "contract" for d in docs)},
    }


def run(extractor, docs) -> dict:
    outs = [extractor.extract_text(d.text, kind=d.kind, lang="auto", source=d.id) for d in docs]
    return score(docs, outs)


def evaluate(split: str = "test", model_dir=None, baseline: bool = True) -> dict:
    """The figures of `corisk evaluate`: {"split", "version", "model": {...}, "baseline": {...}}."""
    from .corpus import load_corpus
    from .extract import Extractor

    docs = load_corpus((split,))
    ex = Extractor.load(model_dir)
    result = {"split": split, "version": ex.version, "model": run(ex, docs)}
    if baseline:
        ex.lexicon_only = True
        result["baseline"] = run(ex, docs)
        ex.lexicon_only = False
    return result


CLAUSE_TYPES = CLAUSE_TYPES
