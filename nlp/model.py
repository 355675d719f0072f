"""The trained part of the extractor: scikit-learn linear models over one bilingual feature space
(character 1–3-grams of Chinese runs + English words and word bigrams) plus lexicon-hit features.

    risk     sentence → does it state a risk (or rule one out)? (optional, off by default: NB-LR over
             the n-grams + lexicon hits + cue columns — numbers, percentage level, hedges, length,
             contract-content rules of nlp/clauses.py — then a second stage over out-of-fold
             probabilities of the sentence, its neighbours and the whole document, and the kind)
    cats     sentence → P(category | risk sentence), 5 one-vs-rest models; risk labels and
             definitions of the ontology are extra (weak) training examples
    span     segment of a risk sentence → is it the mention?
    neg      sentence + cue features → is the statement negated / ruled out?
    concept  span + sentence → risk concept (linear SVM), with lexicon matches (and the risks of
             matched causes) as bonuses, chosen jointly with the categories: P(concept) x agreement
             of its categories with the category scores; the first category follows the concept
    clause   contract clause → clause type
The spaCy components in nlp/pipeline.py call `RiskModel.predict`; thresholds and weights (Params)
are chosen on the dev split by `corisk train`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse

from ontology.namespace import CATEGORIES

from .negation import cue_features, negation

_SEG_SPLIT = re.compile(r"[，,；;：:]|——|—|–|\s-\s|（|\(|\)|）")
_CONNECTOR = re.compile(
    r"^(?:so that|so|and|but|because|which|while|then|thus|hence|therefore|as|if|since|or|"
    r"所以|因此|但是|但|而且|并且|导致|因而|那么|于是|如果|可能|而|且|还)\s*", re.I)
_TRIM = " \t\n。.!?！？；;、“”\"'"


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


_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9'-]+")


@lru_cache(maxsize=1 << 16)
def _cjk_grams(run: str) -> tuple[str, ...]:
    n = len(run)
    return (*run, *(run[i:i + 2] for i in range(n - 1)), *(run[i:i + 3] for i in range(n - 2)))


@lru_cache(maxsize=1 << 16)
def _word_grams(w: str) -> tuple[str, ...]:
    if len(w) <= 2:
        return ("w " + w,)
    p = " " + w + " "
    return ("w " + w, *(p[i:i + 4] for i in range(len(p) - 3)), *(p[i:i + 5] for i in range(len(p) - 4)))


def analyze(text: str) -> list[str]:
    """One feature space for zh, en and mixed text: character 1–3-grams of each Chinese run, English
    words, word bigrams (prefixed) and character 4/5-grams of padded English words, so both languages
    train one model together (5-fold CV over train+dev, sentence categories: 0.56 → 0.60 with the
    English character n-grams). The n-grams of a run or a word are cached: the same words and runs
    recur, and the analyser was ~18 % of extraction time (same features, counted the same)."""
    t = text.lower()
    f: list[str] = []
    for run in _CJK_RUN.findall(t):
        f.extend(_cjk_grams(run))
    ws = _LATIN_WORD.findall(t)
    if ws:
        # words with the character 4/5-grams inside them: inflections and compounds share features
        for w in ws:
            f.extend(_word_grams(w))
        f.extend("b " + a + " " + b for a, b in zip(ws, ws[1:]))
    return f


class HashedTfidf:
    """TF-IDF over `analyze` features with the vocabulary of the training texts, but looked up by
    hashing (scikit-learn's C feature hasher) instead of a Python dict: the hashed columns seen in
    training are mapped onto compact columns by one sparse product; unseen features drop out as they
    would with a vocabulary. Sublinear tf, smooth idf, l2 norm (as TfidfVectorizer(sublinear_tf=True))."""

    n_hash = 2 ** 21

    def __init__(self, min_df: int = 1):
        self.min_df = min_df      # features in fewer training texts are dropped

    def fit(self, texts):
        from sklearn.feature_extraction.text import HashingVectorizer

        self.hv = HashingVectorizer(analyzer=analyze, n_features=self.n_hash, alternate_sign=False, norm=None,
                                    dtype=np.float32)
        C = self.hv.transform(texts).tocsc()
        used = np.flatnonzero(np.diff(C.indptr) >= max(1, getattr(self, "min_df", 1)))
        self.n_features = len(used)
        self.select = sparse.csr_matrix((np.ones(len(used), np.float32), (used, np.arange(len(used)))),
                                        shape=(self.n_hash, len(used)))
        df = np.diff(C.indptr)[used].astype(np.float64)
        self.idf = (np.log((1 + C.shape[0]) / (1 + df)) + 1.0).astype(np.float32)
        return self

    def transform(self, texts):
        from sklearn.preprocessing import normalize

        X = (self.hv.transform(texts) @ self.select).tocsr()
        np.log(X.data, out=X.data)
        X.data += 1.0
        X = X @ sparse.diags(self.idf)
        return normalize(X, copy=False).astype(np.float32)


def _vectorizer(min_df: int = 1):
    return HashedTfidf(min_df)


def _lr(multiclass: bool = False, **kw):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000, solver="lbfgs" if multiclass else "liblinear", random_state=0, **kw)


N_LEX = 2 * len(CATEGORIES)

# Gate cues the n-grams cannot see: numbers (the analyzer drops digits) and how high a percentage is
# ("compute at 84 %"), comparisons, hedges shared by both languages, questions; and which contract-
# content rules of nlp/clauses.py the sentence carries without their remedy.
_PCT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|％|percent|per cent)|百分之(\d{1,3})")
_DIGIT = re.compile(r"\d")
_CMP = re.compile(r"[<>≤≥]|above|below|exceed|over the|under the|threshold|target|阈值|目标|超过|高于|低于|不足|逼近|接近")
_HEDGE = re.compile(r"\b(?:may|might|could|if|unless|in case|potential(?:ly)?|likely|possibl[ey]|would)\b|"
                    r"可能|万一|如果|若|一旦|假如|或将|恐怕|担心|难以|未必|也许|或许", re.I)
_QUESTION = re.compile(r"[?？]")
N_CUE = 12


def cue_matrix(texts: list[str], length: bool = True):
    """length: the length bucket columns (9–11); off when the context stage reads length instead."""
    from .clauses import CONTENT_RULES, content_rule_hits

    n_rules = len(CONTENT_RULES)
    rows, cols = [], []
    for i, t in enumerate(texts):
        f = []
        if _DIGIT.search(t):
            f.append(0)
            pcts = [float(a or b) for a, b in _PCT.findall(t)]
            if pcts:
                f.append(1)
                top = max(pcts)
                f.append(2 if top >= 90 else 3 if top >= 75 else 4)
            if _CMP.search(t):
                f.append(5)
        if _HEDGE.search(t):
            f.append(6)
        if _QUESTION.search(t):
            f.append(7)
        if length:
            n = len(t)
            f.append(9 if n < 20 else 10 if n < 50 else 11)   # length: short lines lean on their context
        ks = content_rule_hits(t)
        if ks:
            f.append(8)
            f.extend(N_CUE + k for k in ks)
        rows.extend([i] * len(f)); cols.extend(f)
    return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(texts), N_CUE + n_rules))


def _log_count_ratio(B, y, alpha: float) -> np.ndarray:
    """NB log-count ratio of each feature between the rows with y == 1 and the others (B: binarised
    counts, smoothing alpha)."""
    p = alpha + np.asarray(B[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(B[y == 0].sum(axis=0)).ravel()
    return (np.log(p / p.sum()) - np.log(q / q.sum())).astype(np.float32)


def _binarised(X):
    B = X.copy()
    B.data[:] = 1.0
    return B


class NBGate:
    """NB-LR (Wang & Manning 2012, with logistic regression): each feature scaled by its log-count
    ratio between risk and other sentences (binarised counts, smoothing alpha), then the LR."""

    def __init__(self, C=8.0, alpha=1.0):
        self.C, self.alpha = C, alpha

    def fit(self, X, y):
        y = np.asarray(y)
        self.r = _log_count_ratio(_binarised(X), y, self.alpha)
        self.lr = _lr(C=self.C, class_weight="balanced").fit(X @ sparse.diags(self.r), y)
        return self

    def predict_proba(self, X):
        return self.lr.predict_proba(X @ sparse.diags(self.r))


class NBOvR:
    """One NB-LR per category (multilabel Y): the category model with log-count-ratio features."""

    def __init__(self, C=16.0, alpha=1.0):
        self.C, self.alpha = C, alpha

    def fit(self, X, Y):
        B = _binarised(X)
        self.models = []
        for j in range(Y.shape[1]):
            y = Y[:, j]
            r = _log_count_ratio(B, y, self.alpha)
            self.models.append((sparse.diags(r), _lr(C=self.C).fit(X @ sparse.diags(r), y)))
        return self

    def predict_proba(self, X):
        return np.column_stack([lr.predict_proba(X @ D)[:, 1] for D, lr in self.models])


NAMED_RISK_P = 0.9
_NAME_END = re.compile(r"[\s。.;；!！]+$")


def names_a_risk(text: str, hits, concept_cats) -> bool:
    """Does the line only name risks the lexicon knows (a final full stop aside; the sentence splitter
    has taken off bullets and numbers; a line ending in a colon is a heading)? hits: (rel start, rel
    end, concept id). Most sentences hold no risk label: they leave at the first test."""
    spans = [(a, b) for a, b, cid in hits if cid in concept_cats]
    if not spans or text.rstrip().endswith((":", "：")):
        return False
    core = _NAME_END.sub("", text).lstrip()
    if not core:
        return False
    off = text.find(core)
    covered = set()
    for a, b in spans:
        covered.update(range(max(a, off), min(b, off + len(core))))
    rest = [ch for i, ch in enumerate(core, off) if i not in covered and not ch.isspace() and ch not in ",，、/&和及与"]
    return len(covered) > 0 and len(rest) <= 0.2 * len(core)


def _logit(p):
    p = np.clip(p, 0.01, 0.99)
    return np.log(p / (1 - p))


@dataclass
class Params:
    t_risk: float = 0.5        # sentence risk probability
    t_extra: float = 0.8       # a second mention in the same sentence
    t_cat2: float = 0.5        # second category of a sentence
    t_neg: float = 0.5         # negation
    w_lex: float = 1.0         # bonus of a lexicon-matched risk (category agrees) in linking
    w_cause: float = 0.2       # bonus of the risks whose cause the sentence names
    w_sent: float = 2.0        # weight of the sentence next to the span in linking
    w_cat_concept: float = 0.25  # share of the concept scores' categories in a statement's categories
    w_span: float = 0.0        # share of the span's own category scores next to the sentence's
    w_span_multi: float = 0.8  # the same in a sentence with several statements


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
    """Fitted models + thresholds. Pickled into the pipeline's component folder.

    risk   sentence (+ lexicon-hit features) → does it state a risk (or rule one out)?
    cats   sentence (+ lexicon-hit features) → P(category | risk sentence), 5 one-vs-rest models
           trained on the risk sentences of both languages + every risk label/definition (weak)
    span   segment of a risk sentence → is it the mention?
    neg    sentence + cue features → negated / ruled out?
    concept  span + sentence → risk concept, chosen jointly with the categories; lexicon hits count
    """

    def __init__(self, link: str = "joint", gate: str = "nb", gate_cues: bool = True, gate_ctx: bool = True,
                 cat_nb: bool = True, gate_single: bool = True, min_df: int = 1, len_ctx: bool = True,
                 named_rule: bool = True):
        # link: "joint" (concept and categories chosen together, see predict) or "restricted" (the
        # categories first, then the concept among theirs: the model before, kept for comparison)
        # gate, gate_cues, gate_ctx, gate_single: the risk-sentence gate. 5-fold CV over train + dev
        # (bench/cv_extract.py, paired by fold) against the plain LR gate (gate="lr", no cues, no
        # context): category micro-F1 +0.020 ± 0.007 at 424 documents, +0.017 ± 0.007 at 508, +0.018 ±
        # 0.006 at 622. Trained on whole documents only, the context stage learnt that a sentence with
        # nothing before it (a title) is no risk and dropped one-line statements a user pastes ("SLA 违约的
        # 风险很高。"): gate_single also trains it on every sentence as if pasted alone. 786 documents:
        # whole documents +0.016 ± 0.004, every sentence pasted alone (snip_cat_f1) +0.015 ± 0.005
        # (the context stage without gate_single: −0.031 ± 0.018); 1,571 documents: +0.014 ± 0.003 and
        # +0.011 ± 0.002. Models pickled before these attributes existed have none of them and run the
        # plain gate
        self.link = link
        self.gate = gate                    # "lr" (logistic regression) or "nb" (NB-LR, log-count ratios)
        self.gate_cues = gate_cues          # cue_matrix columns in the gate
        self.gate_ctx = gate_ctx            # second stage: neighbours' gate probabilities + document kind
        # category model: NB-LR per category (CV, 1,571 documents, paired by fold: category micro-F1
        # +0.005 ± 0.004 over plain LR, 4 of 5 folds up, fit 66 s instead of 79 s per fold)
        self.cat_nb = cat_nb
        self.gate_single = gate_single      # context stage also trained on each sentence pasted alone
        self.min_df = min_df                # n-grams in fewer training texts than this are dropped
        # a line that only names a risk the lexicon knows ("- 汇率风险", "vendor lock-in") is a risk
        # statement, as the annotation guide decides for items of a risk list: the gate alone reads a
        # short line pasted on its own as a title
        self.named_rule = named_rule
        # a line's length read by the context stage (with its neighbours) rather than by the gate: a short
        # line before content is a title, a short line pasted alone may be the risk ("SLA 违约的风险很高。")
        self.len_ctx = len_ctx and gate_ctx
        self.ctx = None
        self.cat_prior = None
        self.vec = None
        self.risk = None
        self.cats = None
        self.span = None
        self.neg = None
        self.concept = None
        self.concept_ids: list[str] = []
        self.concept_cats: dict[str, tuple[str, ...]] = {}
        self.cause_risks: dict[str, tuple[str, ...]] = {}
        self.clause = None
        self.params = Params()

    # ------------------------------------------------------------------ lexicon features
    def lex_features(self, hits: list[list[tuple[int, int, str]]]):
        """Per sentence: which categories the lexicon hits name (risk labels; causes via their risks)."""
        rows, cols = [], []
        for i, hs in enumerate(hits):
            seen = set()
            for _, _, cid in hs:
                if cid in self.concept_cats:
                    cats, off = self.concept_cats[cid], 0
                elif cid in self.cause_risks:
                    cats = {c for r in self.cause_risks[cid] for c in self.concept_cats.get(r, ())}
                    off = len(CATEGORIES)
                else:
                    continue
                for c in cats:
                    k = off + CATEGORIES.index(c)
                    if k not in seen:
                        seen.add(k)
                        rows.append(i); cols.append(k)
        return sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(hits), N_LEX))

    def _sent_features(self, X, hits):
        return sparse.hstack([X, self.lex_features(hits)], format="csr")

    # ------------------------------------------------------------------ training
    def fit(self, docs, lexicon, log=print, hits: dict | None = None) -> "RiskModel":
        """docs: nlp.corpus.Document of the train split; lexicon: nlp.lexicon.Lexicon; hits: doc id →
        lexicon matches [(start, end, concept id)] over the document (as the pipeline finds them)."""
        hits = hits or {}
        risks = lexicon.of_kind("risk")
        for c in risks:
            self.concept_cats[c.id] = tuple(c.categories)
        cause_risks: dict[str, list[str]] = {}
        for c in risks:
            for cause in c.related:
                cause_risks.setdefault(cause, []).append(c.id)
        self.cause_risks = {k: tuple(v) for k, v in cause_risks.items()}

        sents, s_hits, s_y, s_doc, s_kind = [], [], [], [], []
        cat_rows, cat_y = [], []
        men_x, men_y, men_h = [], [], []
        seg_x, seg_y = [], []
        neg_x, neg_y = [], []
        con_x, con_y, con_w = [], [], []
        for di, d in enumerate(docs):
            dh = sorted(hits.get(d.id, []))
            for s in d.sentences():
                text = s["text"]
                ms = [d.mentions[i] for i in s["mentions"]]
                sh = [(a - s["start"], b - s["start"], c) for a, b, c in dh if s["start"] <= a < s["end"]]
                sents.append(text); s_hits.append(sh); s_doc.append(di); s_kind.append(d.kind)
                s_y.append(1 if ms else 0)
                if not ms:
                    continue
                cats = [c for m in ms for c in m.categories]
                cat_rows.append(len(sents) - 1); cat_y.append(cats)
                for m in ms:
                    men_x.append(m.text); men_y.append(list(m.categories))
                    men_h.append([(a - m.start, b - m.start, c) for a, b, c in dh if a < m.end and b > m.start])
                    neg_x.append(text); neg_y.append(1 if m.neg else 0)
                    if m.concept:
                        con_x.append((m.text, text)); con_y.append(m.concept); con_w.append(1.0)
                for a, b in segments(text):
                    g = any(_overlap((a, b), (m.start - s["start"], m.end - s["start"])) >= 0.5 for m in ms)
                    seg_x.append(text[a:b]); seg_y.append(1 if g else 0)
        # weak supervision: every label and definition of a risk is a short example of its category/concept
        weak, weak_y, weak_c = [], [], []
        for c in risks:
            for lang, labs in c.labels.items():
                for lab in labs:
                    weak.append(lab); weak_y.append(list(c.categories)); weak_c.append(c.id)
            for lang, df in c.definition.items():
                weak.append(df); weak_y.append(list(c.categories)); weak_c.append(c.id)
        self.vec = _vectorizer(self.min_df).fit(sents + weak)
        Xs = self._sent_features(self.vec.transform(sents), s_hits)
        Xgate = self._gate_features(Xs, sents)
        self.risk = self._new_gate().fit(Xgate, s_y)
        if self.gate_ctx:
            # stacking: out-of-fold gate probabilities (folds by document), so the second stage learns
            # how much a neighbour's score says about a sentence as it will see it on new text
            from sklearn.model_selection import GroupKFold

            from concurrent.futures import ThreadPoolExecutor

            y = np.asarray(s_y)
            oof = np.zeros(len(sents))

            def fold(tr_te):
                tr, te = tr_te
                return te, self._new_gate().fit(Xgate[tr], y[tr]).predict_proba(Xgate[te])[:, 1]

            # liblinear releases the GIL: the five fits on two threads (same result, half the wall time)
            with ThreadPoolExecutor(2) as pool:
                for te, p in pool.map(fold, GroupKFold(n_splits=5).split(Xgate, y, s_doc)):
                    oof[te] = p
            # the sentences come document by document: one block of rows per document, in order
            starts = np.r_[0, np.flatnonzero(np.diff(s_doc)) + 1]
            lens = np.array([len(t) for t in sents]) if self.len_ctx else None
            F = np.vstack([self._ctx_features(part, s_kind[i], None if lens is None else lens[i:i + len(part)])
                           for i, part in zip(starts, np.split(oof, starts[1:]))])
            if self.gate_single:
                # every sentence also as if pasted alone (no neighbours, the document is itself): users
                # paste one line, and a training set of whole documents only teaches the stage that a
                # sentence with nothing before it is a title
                Fs = np.vstack([self._ctx_features(oof[i:i + 1], s_kind[i], None if lens is None else lens[i:i + 1])
                                for i in range(len(oof))])
                F, y = np.vstack([F, Fs]), np.r_[y, y]
            self.ctx = _lr(C=1.0, class_weight="balanced").fit(F, y)
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        Xw = self.vec.transform(weak)
        Xw_l = self._sent_features(Xw, [[(0, 1, cid)] for cid in weak_c])
        mlb = MultiLabelBinarizer(classes=list(CATEGORIES))
        Yc = mlb.fit_transform(cat_y + weak_y + men_y)
        # mention texts are examples too (5-fold CV over train+dev: 0.603 → 0.613)
        Xmen = self._sent_features(self.vec.transform(men_x), men_h)
        Xc = sparse.vstack([Xs[cat_rows], Xw_l, Xmen], format="csr")
        if self.cat_nb:
            self.cats = NBOvR(C=16.0).fit(Xc, Yc)
        else:
            self.cats = OneVsRestClassifier(_lr(C=16.0)).fit(Xc, Yc)
        self.span = _lr(C=4.0, class_weight="balanced").fit(self.vec.transform(seg_x), seg_y)
        self.neg = _lr(C=4.0, class_weight="balanced").fit(self._neg_features(neg_x), neg_y)
        Xm = self.vec.transform([m for m, _ in con_x])
        Xt = self.vec.transform([t for _, t in con_x])
        Xcon = sparse.vstack([Xm + Xt, Xw], format="csr")
        from sklearn.svm import LinearSVC

        # one-vs-rest linear SVM: as accurate as a multinomial LR here on dev, 50x faster to fit
        self.concept = LinearSVC(C=0.5, random_state=0).fit(Xcon, con_y + weak_c, sample_weight=np.array(con_w + [0.5] * len(weak_c)))
        self.concept_ids = list(self.concept.classes_)
        # P(first category | concept): the concept fixes the category, except for the few concepts
        # with two, where the annotators' choice in the training mentions decides (+1 smoothing)
        M = self._concept_cat_matrix()
        col = {c: j for j, c in enumerate(self.concept_ids)}
        for d in docs:
            for m in d.mentions:
                if m.concept in col and m.categories and m.categories[0] in CATEGORIES:
                    j = col[m.concept]
                    M[j, CATEGORIES.index(m.categories[0])] += M[j, CATEGORIES.index(m.categories[0])] > 0
        self.cat_prior = M / np.maximum(M.sum(axis=1, keepdims=True), 1e-9)
        log(f"trained on {len(sents)} sentences ({sum(s_y)} with mentions) + {len(weak)} lexicon phrases, "
            f"{len(seg_x)} segments, {sum(neg_y)} negated mentions, {len(set(con_y))} concepts")
        return self

    def fit_clauses(self, docs, log=print) -> None:
        from .clauses import TYPE_KEYWORDS, clause_heading_text

        x, y = [], []
        for d in docs:
            for cl in d.clauses:
                x.append(clause_heading_text(cl.text)); y.append(cl.type)
        # keyword seeds keep every type reachable
        for t, kws in TYPE_KEYWORDS.items():
            for kw in kws:
                x.append(kw); y.append(t)
        X = self.vec.transform(x)
        # only the columns the clause texts use: the other weights would be 0 under the L2 penalty
        # anyway, and lbfgs over the whole vocabulary took 12 s of the 60–90 s of `corisk train`
        self.clause_cols = np.flatnonzero(X.getnnz(axis=0))
        self.clause = _lr(True, C=10.0).fit(X[:, self.clause_cols], y)
        log(f"trained clause typer on {len(x)} examples (clauses + keyword seeds)")

    def _new_gate(self):
        return NBGate(C=8.0) if self.gate == "nb" else _lr(C=8.0, class_weight="balanced")

    def _gate_features(self, Xl, texts):
        if not getattr(self, "gate_cues", False):
            return Xl
        return sparse.hstack([Xl, cue_matrix(texts, length=not getattr(self, "len_ctx", False))], format="csr")

    @staticmethod
    def _ctx_features(p, kind: str, lens=None) -> np.ndarray:
        """One document's sentences (in order): own, previous and next gate logits, edges, kind; with
        `lens` (the sentences' lengths) also short/medium line flags, alone and next to neighbours."""
        n = len(p)
        lg = _logit(np.asarray(p, np.float64))
        prev = np.r_[0.0, lg[:-1]] if n else lg
        nxt = np.r_[lg[1:], 0.0] if n else lg
        has_prev = (np.arange(n) > 0).astype(float)
        has_next = (np.arange(n) < n - 1).astype(float)
        con = np.full(n, 1.0 if kind == "contract" else 0.0)
        # how risky the whole text reads: a chat log about an incident is full of risk-sounding lines
        mean = np.full(n, lg.mean() if n else 0.0)
        cols = [lg, prev, nxt, np.maximum(prev, nxt), has_prev, has_next, con, con * lg, mean]
        if lens is not None:
            lens = np.asarray(lens)
            short = (lens < 20).astype(float)
            med = ((lens >= 20) & (lens < 50)).astype(float)
            cols += [short, med, short * has_next, short * has_prev, med * has_next, med * has_prev]
        return np.column_stack(cols)

    def _concept_cat_matrix(self) -> np.ndarray:
        M = np.zeros((len(self.concept_ids), len(CATEGORIES)), np.float32)
        for j, cid in enumerate(self.concept_ids):
            for c in self.concept_cats.get(cid, ()):
                M[j, CATEGORIES.index(c)] = 1.0
        return M

    def _neg_features(self, texts, X=None):
        X = self.vec.transform(texts) if X is None else X
        feats = [cue_features(t) for t in texts]
        keys = ["pre", "fol", "hypo", "pseudo", "term", "rule"]
        F = np.array([[f[k] for k in keys] for f in feats], dtype=np.float32).reshape(-1, len(keys))
        F = sparse.csr_matrix(np.minimum(F, 3.0))
        return sparse.hstack([X, F]).tocsr()

    # ------------------------------------------------------------------ prediction
    def sentence_scores(self, texts: list[str], hits=None, kind: str = "notes"):
        """P(risk) per sentence (texts: consecutive sentences of one document of `kind`), and the
        sentence features."""
        hits = hits if hits is not None else [[] for _ in texts]
        X = self.vec.transform(texts)
        Xl = self._sent_features(X, hits)
        pr = self.risk.predict_proba(self._gate_features(Xl, texts))[:, 1]
        if getattr(self, "ctx", None) is not None:
            lens = [len(t) for t in texts] if getattr(self, "len_ctx", False) else None
            pr = self.ctx.predict_proba(self._ctx_features(pr, kind, lens))[:, 1]
        return pr, Xl, X

    def predict(self, texts: list[str], lex_hits: list[list[tuple[int, int, str]]] | None = None,
                params: Params | None = None, use_model: bool = True, risk_sents=None,
                spans=None, kind: str = "notes") -> list[list[Prediction]]:
        """For each sentence, the risk statements in it (kept and negated). `lex_hits`: per sentence,
        lexicon matches (rel start, rel end, concept id) of risks and causes.
        Diagnostics (bench/cv_extract.py): `risk_sents` (one bool per sentence) replaces the risk
        gate; `spans` (per sentence, a list of (start, end)) replaces the gate and the span choice."""
        p = params or self.params
        lex_hits = lex_hits or [[] for _ in texts]
        out: list[list[Prediction]] = [[] for _ in texts]
        if not texts:
            return out
        if not use_model:
            return self._predict_lexicon_only(texts, lex_hits)
        pr, Xl, Xs = self.sentence_scores(texts, lex_hits, kind)
        if getattr(self, "named_rule", False):
            pr = np.where([names_a_risk(t, h, self.concept_cats) for t, h in zip(texts, lex_hits)],
                          np.maximum(pr, NAMED_RISK_P), pr)
        if spans is not None:
            risk_sents = [bool(x) for x in spans]
        idx = np.flatnonzero(pr >= p.t_risk) if risk_sents is None else np.flatnonzero(np.asarray(risk_sents, bool))
        if not len(idx):
            return out
        Pcat = self.cats.predict_proba(Xl[idx])
        Pneg = self.neg.predict_proba(self._neg_features([texts[i] for i in idx], Xs[idx]))[:, 1]
        # segments of the risk sentences, scored in one batch
        if spans is not None:
            # given spans: each is one "segment" of its own
            flat = [(k, a, b) for k, i in enumerate(idx) for a, b in spans[i]]
        else:
            flat = [(k, a, b) for k, i in enumerate(idx) for a, b in segments(texts[i])]
        Xg = self.vec.transform([texts[idx[k]][a:b] for k, a, b in flat])
        ps = self.span.predict_proba(Xg)[:, 1] if flat else np.zeros(0)
        by_sent: dict[int, list[int]] = {}
        for r, (k, a, b) in enumerate(flat):
            by_sent.setdefault(k, []).append(r)
        chosen: list[tuple[int, int, int, float, list[int]]] = []   # (k, a, b, score, rows in flat)
        if spans is not None:
            chosen = [(k, a, b, float(ps[r]), [r]) for r, (k, a, b) in enumerate(flat)]
            by_sent = {}
        for k, rows in by_sent.items():
            rows = sorted(rows, key=lambda r: -ps[r])
            picks = [rows[0]] + [r for r in rows[1:] if ps[r] >= p.t_extra]
            text = texts[idx[k]]
            for r in sorted(picks, key=lambda r: flat[r][1]):
                _, a, b = flat[r]
                if chosen and chosen[-1][0] == k and text[chosen[-1][2]:a].strip(" ，,；;：:") == "":
                    ck, ca, cb, cs, crows = chosen[-1]
                    chosen[-1] = (k, ca, b, max(cs, ps[r]), crows + [r])   # touching parts: one span
                else:
                    chosen.append((k, a, b, float(ps[r]), [r]))
        if not chosen:
            return out
        n_spans: dict[int, int] = {}
        for c in chosen:
            n_spans[c[0]] = n_spans.get(c[0], 0) + 1
        multi_rows = [n for n, c in enumerate(chosen) if n_spans[c[0]] > 1]
        Pneg_multi = {}
        if multi_rows:
            mt = [texts[int(idx[chosen[n][0]])][chosen[n][1]:chosen[n][2]] for n in multi_rows]
            Pneg_multi = dict(zip(multi_rows, self.neg.predict_proba(self._neg_features(mt))[:, 1]))
        # linking: span (sum of its segments' vectors) + sentence
        rows_k = [c[0] for c in chosen]
        sel = sparse.csr_matrix((np.ones(sum(len(c[4]) for c in chosen), np.float32),
                                 ([n for n, c in enumerate(chosen) for _ in c[4]], [r for c in chosen for r in c[4]])),
                                shape=(len(chosen), len(flat)))
        multi = np.array([1.0 if n_spans[c[0]] > 1 else p.w_sent for c in chosen], np.float32)
        Xq = sel @ Xg + sparse.diags(multi) @ Xs[idx[rows_k]]
        Pcon = self.concept.decision_function(Xq)
        span_hits = [[h for h in lex_hits[int(idx[c[0]])] if h[0] < c[2] and h[1] > c[1]] for c in chosen]
        Pspan = self.cats.predict_proba(self._sent_features(sel @ Xg, span_hits))
        col = {c: j for j, c in enumerate(self.concept_ids)}
        allowed = {c: np.array([c in self.concept_cats.get(cid, ()) for cid in self.concept_ids]) for c in CATEGORIES}
        # the categories the concept scores point to (softmax over concepts → category mass)
        E = np.exp(5.0 * (Pcon - Pcon.max(axis=1, keepdims=True)))
        Q = (E / E.sum(axis=1, keepdims=True)) @ self._concept_cat_matrix()
        # (a model pickled before joint linking has neither attribute: it links as it did)
        joint = getattr(self, "link", "restricted") == "joint" and getattr(self, "cat_prior", None) is not None
        for n, (k, a, b, sscore, _) in enumerate(chosen):
            i = int(idx[k])
            # a sentence with several statements shares its categories out: each span's own scores lead
            ws = p.w_span_multi if n_spans[k] > 1 else p.w_span
            pc = (1.0 - ws) * Pcat[k] + ws * Pspan[n]
            cs = (1.0 - p.w_cat_concept) * pc + p.w_cat_concept * Q[n]
            ranked = np.argsort(-cs)
            cats = [CATEGORIES[ranked[0]]]
            if cs[ranked[1]] >= p.t_cat2:
                cats.append(CATEGORIES[ranked[1]])
            mask = np.logical_or.reduce([allowed[c] for c in cats]) if not joint else np.ones(len(self.concept_ids), bool)
            con = np.where(mask, Pcon[n], -1e9)
            inside, near = [], []
            for la, lb, cid in lex_hits[i]:
                if cid in col and mask[col[cid]]:
                    (inside if la < b and lb > a else near).append(cid)
                elif cid in self.cause_risks and p.w_cause:
                    for rid in self.cause_risks[cid]:
                        if rid in col and mask[col[rid]]:
                            con[col[rid]] += p.w_cause
            for cid in near:
                con[col[cid]] += 0.5 * p.w_lex
            for cid in inside:
                con[col[cid]] += p.w_lex
            if joint:
                # product of experts: P(concept) (softmax of the SVM scores + lexicon bonuses) times
                # how well the concept's categories agree with the statement's category scores; the
                # first category then follows the concept (5-fold CV over train+dev, against choosing
                # the categories first and the concept among theirs: linking 0.665 → 0.680, gold-span
                # linking 0.685 → 0.701, categories unchanged)
                lp = 5.0 * (con - con.max())
                lp = lp - np.log(np.exp(lp).sum()) + np.log(self.cat_prior @ cs + 1e-6)
                j = int(np.argmax(lp))
                first = int(np.argmax(self.cat_prior[j] * cs))
                second = next(int(q) for q in np.argsort(-cs) if q != first)
                cats = [CATEGORIES[first]] + ([CATEGORIES[second]] if cs[second] >= p.t_cat2 else [])
                concept = self.concept_ids[j]
            else:
                concept = self.concept_ids[int(np.argmax(con))]
            score = {c: float(cs[j]) for j, c in enumerate(CATEGORIES)}
            reason = None
            if n_spans[k] > 1:
                # several statements in one sentence: the sentence-level score cannot tell them apart,
                # so each span is scored on its own text
                neg = bool(Pneg_multi[n] >= p.t_neg)
                if neg:
                    _, reason, _ = negation(texts[i][a:b])
            else:
                neg = bool(Pneg[k] >= p.t_neg)
                if neg:
                    _, reason, cue = negation(texts[i])
                    # the sentence's negation cue scopes over another part of it ("接口不兼容，而且不涉及
                    # 个人信息"): the statement found is not the one ruled out
                    if cue is not None and not negation(texts[i], (a, b))[0]:
                        neg, reason = False, None
            if neg:
                reason = reason or "negated"
            conf = float(pr[i]) * (0.5 + 0.5 * sscore)
            out[i].append(Prediction(start=a, end=b, categories=list(cats), concept=concept,
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
        X = self.vec.transform(texts)
        cols = getattr(self, "clause_cols", None)
        P = self.clause.predict_proba(X if cols is None else X[:, cols])
        return [(str(self.clause.classes_[int(np.argmax(r))]), float(np.max(r))) for r in P]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Overlap of a and b as a share of the shorter one."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / max(1, min(a[1] - a[0], b[1] - b[0]))
