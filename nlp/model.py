"""The trained part of the extractor: scikit-learn linear models over character and word n-grams.

One bilingual set of models (character n-grams serve zh, en and mixed text alike):
    risk     sentence → does it state a risk (or rule one out)?
    cats     sentence/segment → categories (multi-label, 5)
    span     segment of a risk sentence → is it the mention?
    neg      sentence + cue features → is the statement negated / ruled out?
    concept  segment + sentence (+ lexicon hits) → risk concept
    clause   contract clause → clause type
The spaCy components in nlp/pipeline.py call `RiskModel.predict`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from ontology.namespace import CATEGORIES, CLAUSE_TYPES

from .negation import cue_features, negation

_SEG_SPLIT = re.compile(r"[，,；;：:]|——|—|–|\s-\s|（|\(|\)|）")
_CONNECTOR = re.compile(
    r"^(?:so that|so|and|but|because|which|while|then|thus|hence|therefore|as|if|since|or|"
    r"所以|因此|但是|但|而且|并且|导致|因而|那么|于是|如果|可能|而|且|还)\s*", re.I)
_TRIM = " \t\n。.!?！？；;、“”\"'"
_WORD = r"(?u)\b[A-Za-z][A-Za-z0-9'-]+\b"


def segments(text: str) -> list[tuple[int, int]]:
    """Clause-like parts of a sentence (relative offsets), trimmed of punctuation and connectors."""
    out = []
    pos = 0
    bounds = [m.start() for m in _SEG_SPLIT.finditer(text)] + [len(text)]
    for b in bounds:
        s, e = pos, b
        pos = b + 1
        while s < e and text[s] in _TRIM:
            s += 1
        while e > s and text[e - 1] in _TRIM:
            e -= 1
        m = _CONNECTOR.match(text[s:e])
        if m and m.end() < e - s:
            s += m.end()
        if e - s >= 2:
            out.append((s, e))
    return out or ([(0, len(text))] if text.strip() else [])


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("char", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), lowercase=True, sublinear_tf=True,
                                 min_df=2, max_features=60_000, dtype=np.float32)),
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=True, sublinear_tf=True,
                                 token_pattern=_WORD, min_df=1, dtype=np.float32)),
    ])


def _lr(multiclass: bool = False, **kw):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000, solver="lbfgs" if multiclass else "liblinear", **kw)


@dataclass
class Params:
    t_risk: float = 0.5        # sentence risk probability
    t_extra: float = 0.7       # a second mention in the same sentence
    t_cat2: float = 0.6        # second category
    t_neg: float = 0.5         # negation
    w_lex: float = 0.4         # weight of a lexicon hit in linking
    w_cat_concept: float = 0.3  # weight of the linked concept's categories in categorising


@dataclass
class Prediction:
    start: int                  # relative to the sentence
    end: int
    categories: list[str]
    concept: str | None
    confidence: float
    negated: bool
    reason: str | None
    cat_scores: dict = field(default_factory=dict)


class RiskModel:
    """Fitted models + thresholds. Pickled into the pipeline's component folder."""

    def __init__(self):
        self.vec = None
        self.risk = None
        self.cats = None
        self.span = None
        self.neg = None
        self.concept = None
        self.concept_ids: list[str] = []
        self.concept_cats: dict[str, tuple[str, ...]] = {}
        self.clause = None
        self.params = Params()

    # ------------------------------------------------------------------ training
    def fit(self, docs, lexicon, log=print) -> "RiskModel":
        """docs: nlp.corpus.Document of the train split; lexicon: nlp.lexicon.Lexicon."""
        from sklearn.multiclass import OneVsRestClassifier

        sents, s_y, s_cats = [], [], []
        seg_x, seg_y = [], []
        neg_x, neg_y = [], []
        con_x, con_y, con_w = [], [], []
        cat_x, cat_y = [], []
        for d in docs:
            for s in d.sentences():
                text = s["text"]
                ms = [d.mentions[i] for i in s["mentions"]]
                sents.append(text)
                s_y.append(1 if ms else 0)
                if not ms:
                    continue
                cats = []
                for m in ms:
                    for c in m.categories:
                        if c not in cats:
                            cats.append(c)
                cat_x.append(text); cat_y.append(cats)
                for m in ms:
                    rel = (m.start - s["start"], m.end - s["start"])
                    cat_x.append(m.text); cat_y.append(list(m.categories))
                    neg_x.append(text); neg_y.append(1 if m.neg else 0)
                    if m.concept:
                        con_x.append(m.text + " " + text); con_y.append(m.concept); con_w.append(1.0)
                    del rel
                for a, b in segments(text):
                    g = any(_overlap((a, b), (m.start - s["start"], m.end - s["start"])) >= 0.5 for m in ms)
                    seg_x.append(text[a:b]); seg_y.append(1 if g else 0)
        # the lexicon and definitions make concepts without training mentions reachable
        risks = lexicon.of_kind("risk")
        for c in risks:
            self.concept_cats[c.id] = c.categories
            for lang, labs in c.labels.items():
                for lab in labs:
                    con_x.append(lab); con_y.append(c.id); con_w.append(0.7)
                    if c.categories:
                        cat_x.append(lab); cat_y.append(list(c.categories))
            for lang, df in c.definition.items():
                con_x.append(df); con_y.append(c.id); con_w.append(0.5)
        self.vec = _vectorizer().fit(sents + con_x)
        X = self.vec.transform(sents)
        self.risk = _lr(C=4.0, class_weight="balanced").fit(X, s_y)
        from sklearn.preprocessing import MultiLabelBinarizer

        mlb = MultiLabelBinarizer(classes=list(CATEGORIES))
        Yc = mlb.fit_transform(cat_y)
        self.cats = OneVsRestClassifier(_lr(C=8.0, class_weight="balanced")).fit(self.vec.transform(cat_x), Yc)
        self.span = _lr(C=4.0, class_weight="balanced").fit(self.vec.transform(seg_x), seg_y)
        self.neg = _lr(C=4.0, class_weight="balanced").fit(self._neg_features(neg_x), neg_y)
        self.concept = _lr(True, C=10.0).fit(self.vec.transform(con_x), con_y, sample_weight=np.array(con_w))
        self.concept_ids = list(self.concept.classes_)
        log(f"trained on {len(sents)} sentences ({sum(s_y)} with mentions), {len(seg_x)} segments, "
            f"{sum(neg_y)} negated mentions, {len(set(con_y))} concepts")
        return self

    def fit_clauses(self, docs, log=print) -> None:
        from .clauses import clause_heading_text

        x, y = [], []
        for d in docs:
            for cl in d.clauses:
                x.append(clause_heading_text(cl.text)); y.append(cl.type)
        # keyword seeds keep every type reachable
        from .clauses import TYPE_KEYWORDS

        for t, kws in TYPE_KEYWORDS.items():
            for kw in kws:
                x.append(kw); y.append(t)
        self.clause = _lr(True, C=10.0).fit(self.vec.transform(x), y)
        log(f"trained clause typer on {len(d.clauses) if docs else 0}+ clauses ({len(x)} examples)")

    def _neg_features(self, texts, X=None):
        X = self.vec.transform(texts) if X is None else X
        feats = [cue_features(t) for t in texts]
        keys = ["pre", "fol", "hypo", "pseudo", "term", "rule"]
        F = sparse.csr_matrix(np.array([[min(f[k], 3.0) for k in keys] for f in feats], dtype=np.float32))
        return sparse.hstack([X, F]).tocsr()

    # ------------------------------------------------------------------ prediction
    def risk_scores(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        return self.risk.predict_proba(self.vec.transform(texts))[:, 1]

    def predict(self, texts: list[str], lex_hits: list[list[tuple[int, int, str]]] | None = None,
                params: Params | None = None, use_model: bool = True) -> list[list[Prediction]]:
        """For each sentence, the risk statements in it (kept and negated). `lex_hits`: per sentence,
        lexicon matches (rel start, rel end, concept id) of risk concepts."""
        p = params or self.params
        lex_hits = lex_hits or [[] for _ in texts]
        out: list[list[Prediction]] = [[] for _ in texts]
        if not texts:
            return out
        if not use_model:
            return self._predict_lexicon_only(texts, lex_hits)
        Xs = self.vec.transform(texts)
        pr = self.risk.predict_proba(Xs)[:, 1]
        idx = [i for i, v in enumerate(pr) if v >= p.t_risk]
        if not idx:
            return out
        # segments of the risk sentences, scored in one batch
        segs = {i: segments(texts[i]) for i in idx}
        flat = [(i, a, b) for i in idx for a, b in segs[i]]
        if not flat:
            return out
        Xg = self.vec.transform([texts[i][a:b] for i, a, b in flat])
        ps = self.span.predict_proba(Xg)[:, 1]
        chosen: list[tuple[int, int, int, float, int]] = []   # (sent, a, b, score, row in flat)
        by_sent: dict[int, list[int]] = {}
        for r, (i, a, b) in enumerate(flat):
            by_sent.setdefault(i, []).append(r)
        for i, rows in by_sent.items():
            rows = sorted(rows, key=lambda r: -ps[r])
            best = rows[0]
            picks = [best]
            for r in rows[1:]:
                if ps[r] >= p.t_extra:
                    picks.append(r)
            # merge picks that touch into one span
            for r in sorted(picks, key=lambda r: flat[r][1]):
                _, a, b = flat[r]
                if chosen and chosen[-1][0] == i and texts[i][chosen[-1][2]:a].strip(" ，,；;：:") == "":
                    ci, ca, cb, cs, crow = chosen[-1]
                    chosen[-1] = (ci, ca, b, max(cs, ps[r]), -1)   # merged: vectorize again
                else:
                    chosen.append((i, a, b, float(ps[r]), r))
        rows_sent = [c[0] for c in chosen]
        Xspan = Xg[[max(c[4], 0) for c in chosen]].tolil()
        merged = [k for k, c in enumerate(chosen) if c[4] < 0]
        if merged:
            Xm = self.vec.transform([texts[chosen[k][0]][chosen[k][1]:chosen[k][2]] for k in merged])
            for n_, k in enumerate(merged):
                Xspan[k] = Xm[n_]
        Xspan = Xspan.tocsr()
        Xsent = Xs[rows_sent]
        Pcat = 0.5 * self.cats.predict_proba(Xspan) + 0.5 * self.cats.predict_proba(Xsent)
        Pcon = self.concept.predict_proba(Xspan + 0.5 * Xsent)
        Pneg = self.neg.predict_proba(self._neg_features([texts[i] for i in rows_sent], Xsent))[:, 1]
        col = {c: k for k, c in enumerate(self.concept_ids)}
        for k, (i, a, b, sscore, _) in enumerate(chosen):
            con = Pcon[k].copy()
            for (la, lb, cid) in lex_hits[i]:
                if cid in col:
                    inside = la < b and lb > a
                    con[col[cid]] += p.w_lex * (1.0 if inside else 0.5)
            # constrain by category: the linked concept should share the predicted categories
            catv = Pcat[k]
            for j, cid in enumerate(self.concept_ids):
                cc = self.concept_cats.get(cid, ())
                if cc:
                    con[j] *= 0.5 + 0.5 * max(catv[CATEGORIES.index(c)] for c in cc)
            j = int(np.argmax(con))
            concept = self.concept_ids[j]
            score = {c: float(catv[n]) for n, c in enumerate(CATEGORIES)}
            for c in self.concept_cats.get(concept, ()):
                score[c] += p.w_cat_concept
            ranked = sorted(CATEGORIES, key=lambda c: -score[c])
            cats = [ranked[0]]
            if score[ranked[1]] >= p.t_cat2 + (p.w_cat_concept if ranked[1] in self.concept_cats.get(concept, ()) else 0) * 0.5:
                cats.append(ranked[1])
            neg = bool(Pneg[k] >= p.t_neg)
            reason = None
            if neg:
                _, reason, _ = negation(texts[i])
                reason = reason or "negated"
            conf = float(pr[i]) * (0.5 + 0.5 * sscore)
            out[i].append(Prediction(start=a, end=b, categories=cats, concept=concept,
                                     confidence=round(conf, 3), negated=neg, reason=reason, cat_scores=score))
        return out

    def _predict_lexicon_only(self, texts, lex_hits) -> list[list[Prediction]]:
        """Baseline: a lexicon hit is a risk; its concept's categories; rule negation; its segment as span."""
        out = []
        for text, hits in zip(texts, lex_hits):
            preds = []
            for la, lb, cid in hits:
                if not cid.startswith("risk-"):
                    continue
                seg = next(((a, b) for a, b in segments(text) if a <= la < b), (la, lb))
                if any(q.start == seg[0] for q in preds):
                    continue
                neg, reason, _ = negation(text, seg)
                preds.append(Prediction(start=seg[0], end=seg[1], categories=list(self.concept_cats.get(cid, ())[:2]) or ["technical"],
                                        concept=cid, confidence=0.5, negated=neg, reason=reason))
            out.append(preds)
        return out

    def clause_types(self, texts: list[str]) -> list[tuple[str, float]]:
        if not texts or self.clause is None:
            return [(None, 0.0) for _ in texts]
        P = self.clause.predict_proba(self.vec.transform(texts))
        return [(str(self.clause.classes_[int(np.argmax(r))]), float(np.max(r))) for r in P]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Overlap of a and b as a share of the shorter one."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / max(1, min(a[1] - a[0], b[1] - b[0]))
