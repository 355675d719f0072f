"""Would a neural text classifier trained from scratch beat the linear n-gram models? K-fold
cross-validation over train + dev (by document, the folds of bench/cv_extract.py; never test), on the
two steps whose ceilings bound the extraction figures (issue #4):

    category   gold risk sentences (a non-negated mention inside) → their categories
    concept    gold mentions with a concept (span + its sentence) → the concept

    .venv/bin/python -m bench.cv_textcat                 # 5 folds, 3 epochs, 2 processes
    options: --folds K (5), --seed S (0), --epochs E (3; 0: no CNN), --jobs N (2), --json FILE,
             --docs N (a random sample of N documents: a quick run, not a figure to record)

Category, trained on the other folds' gold risk sentences and mention texts (text only, no lexicon
features, for every model alike):
    nblr        the shipped category model (nlp.model.NBOvR, one NB-LR per category, same n-grams)
    cnn@e       spaCy `textcat_multilabel` with `spacy.TextCatCNN.v2` over a from-scratch tok2vec
                (MultiHashEmbed of NORM/PREFIX/SUFFIX/SHAPE, width 96, MaxoutWindowEncoder depth 3;
                Chinese one token per character, English by word), after epoch e (dropout 0.2)
    mix@e       0.3 × cnn + 0.7 × nblr probabilities
Figures: top-1 (the most probable category is a gold one, as `cat@gold-sents` of cv_extract) and
micro-F1 (the top category plus every other at p ≥ 0.5).

Concept, trained on the other folds' mentions plus the ontology's labels and definitions (weak, weight
0.5), as nlp.model.RiskModel does:
    svm         LinearSVC over mention + sentence n-grams summed (the shipped linker's model)
    svm-blocks  the same with mention and sentence n-grams in separate columns
    knn5        the 5 nearest training mentions (cosine), similarity-weighted vote
    svm+knn     SVM score + the best cosine to a training mention of each concept
Figure: accuracy given the gold span (the linker's joint scoring with categories and lexicon hits is
left out, so this sits a little below `link@gold-spans` of cv_extract).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time

_STATE: dict = {}
_TOK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z][A-Za-z0-9'-]*|[0-9]+(?:\.[0-9]+)?%?|\S")
MIX = 0.3


def _cat_data(docs):
    x, y = [], []
    for d in docs:
        for s in d.sentences():
            if s["categories"]:
                x.append(s["text"]); y.append(list(s["categories"]))
    return x, y


def _cat_scores(P, Y, cats) -> dict:
    import numpy as np

    top1 = tp = fp = fn = 0
    for p, y in zip(P, Y):
        best = cats[int(np.argmax(p))]
        top1 += best in y
        pred = {best} | {c for c, v in zip(cats, p) if v >= 0.5}
        tp += len(pred & set(y)); fp += len(pred - set(y)); fn += len(set(y) - pred)
    return {"top1": top1 / len(Y), "f1": 2 * tp / (2 * tp + fp + fn)}


def _textcat(epochs: int, x, y, x_test, cats, seed: int):
    """Yield (epoch, probabilities on x_test) while training a from-scratch spaCy CNN textcat."""
    import numpy as np
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("xx")

    def doc(t):
        return Doc(nlp.vocab, words=_TOK.findall(t) or ["。"])

    t2v = {"@architectures": "spacy.Tok2Vec.v2",
           "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 96,
                     "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [20000, 2000, 4000, 1000],
                     "include_static_vectors": False},
           "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "window_size": 1,
                      "maxout_pieces": 3, "depth": 3}}
    tc = nlp.add_pipe("textcat_multilabel", config={"model": {"@architectures": "spacy.TextCatCNN.v2",
                                                              "exclusive_classes": False, "tok2vec": t2v}})
    for c in cats:
        tc.add_label(c)
    exs = [Example.from_dict(doc(t), {"cats": {c: float(c in ys) for c in cats}}) for t, ys in zip(x, y)]
    opt = nlp.initialize(lambda: exs[:500])
    test = [doc(t) for t in x_test]
    rng = random.Random(seed)
    for ep in range(1, epochs + 1):
        rng.shuffle(exs)
        for batch in minibatch(exs, size=compounding(16.0, 64.0, 1.001)):
            nlp.update(batch, sgd=opt, drop=0.2)
        yield ep, np.array([[d.cats[c] for c in cats] for d in tc.pipe(test, batch_size=256)])


def run_fold(f: int) -> dict:
    import numpy as np
    from scipy import sparse
    from sklearn.preprocessing import MultiLabelBinarizer, normalize
    from sklearn.svm import LinearSVC

    from nlp.model import CATEGORIES, NBOvR, _vectorizer

    docs, folds, weak, epochs, seed = (_STATE[k] for k in ("docs", "folds", "weak", "epochs", "seed"))
    held = [docs[i] for i in folds[f]]
    rest = [docs[i] for g, fl in enumerate(folds) if g != f for i in fl]
    cats = list(CATEGORIES)
    out: dict = {"fold": f}
    t0 = time.time()
    # ---------------------------------------------------------------- categories
    x, y = _cat_data(rest)
    men = [(m.text, list(m.categories)) for d in rest for m in d.mentions if not m.neg and m.categories]
    x += [t for t, _ in men]; y += [c for _, c in men]
    xt, yt = _cat_data(held)
    tn = time.time()
    vec = _vectorizer().fit(x)
    Y = MultiLabelBinarizer(classes=cats).fit_transform(y)
    Pnb = NBOvR(C=16.0).fit(vec.transform(x), Y).predict_proba(vec.transform(xt))
    out["nblr_fit_s"] = round(time.time() - tn, 1)
    for k, v in _cat_scores(Pnb, yt, cats).items():
        out[f"cat_{k} nblr"] = v
    t1 = time.time()
    for ep, P in (_textcat(epochs, x, y, xt, cats, seed + f) if epochs else ()):
        for k, v in _cat_scores(P, yt, cats).items():
            out[f"cat_{k} cnn@{ep}"] = v
        for k, v in _cat_scores(MIX * P + (1 - MIX) * Pnb, yt, cats).items():
            out[f"cat_{k} mix@{ep}"] = v
    out["cnn_fit_s"] = round(time.time() - t1, 1)
    # ---------------------------------------------------------------- concepts
    def men_data(ds):
        m_, t_, c_ = [], [], []
        for d in ds:
            for s in d.sentences():
                for i in s["mentions"]:
                    m = d.mentions[i]
                    if m.concept:
                        m_.append(m.text); t_.append(s["text"]); c_.append(m.concept)
        return m_, t_, c_

    M, T, C = men_data(rest)
    Mq, Tq, Cq = men_data(held)
    wx, wc = [w for w, _ in weak], [c for _, c in weak]
    v2 = _vectorizer().fit(T + wx)
    Xm, Xt, Xw, Qm, Qt = (v2.transform(z) for z in (M, T, wx, Mq, Tq))
    sw = np.array([1.0] * len(M) + [0.5] * len(wc))
    gold = np.array(Cq)
    svm = LinearSVC(C=0.5, random_state=0).fit(sparse.vstack([Xm + Xt, Xw]), C + wc, sample_weight=sw)
    D = svm.decision_function(Qm + Qt)
    out["concept svm"] = float(np.mean(svm.classes_[D.argmax(1)] == gold))
    blocks = LinearSVC(C=0.5, random_state=0).fit(
        sparse.vstack([sparse.hstack([Xm, Xt]), sparse.hstack([Xw, Xw])]), C + wc, sample_weight=sw)
    out["concept svm-blocks"] = float(np.mean(blocks.classes_[blocks.decision_function(sparse.hstack([Qm, Qt])).argmax(1)] == gold))
    A = normalize(sparse.vstack([Xm + Xt, Xw]).tocsr())
    ya = np.array(C + wc)
    S = (normalize(Qm + Qt) @ A.T).toarray()
    top = np.argsort(-S, axis=1)[:, :5]
    pred = []
    for r, row in enumerate(top):
        votes: dict = {}
        for j in row:
            votes[ya[j]] = votes.get(ya[j], 0.0) + S[r, j]
        pred.append(max(votes, key=votes.get))
    out["concept knn5"] = float(np.mean(np.array(pred) == gold))
    best = np.column_stack([S[:, ya == c].max(axis=1) for c in svm.classes_])
    out["concept svm+knn"] = float(np.mean(svm.classes_[(D + best).argmax(1)] == gold))
    pred = svm.classes_[D.argmax(1)]
    out["confusions"] = [f"{g} -> {p}" for g, p in zip(gold, pred) if g != p]
    out["s"] = round(time.time() - t0, 1)
    print(f"fold {f}: {json.dumps({k: round(v, 3) for k, v in out.items() if k != 'confusions'})}", file=sys.stderr,
          flush=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", help="write per-fold figures to this file")
    ap.add_argument("--docs", type=int, help="only a random sample of this many documents (quick run)")
    a = ap.parse_args(argv)

    from bench.cv_extract import make_folds
    from nlp.corpus import load_corpus
    from nlp.lexicon import load_lexicon

    t0 = time.time()
    docs = load_corpus(("train", "dev"))
    if a.docs and a.docs < len(docs):
        docs = [docs[i] for i in sorted(random.Random(a.seed).sample(range(len(docs)), a.docs))]
    weak = []
    for c in load_lexicon().of_kind("risk"):
        weak += [(lab, c.id) for labs in c.labels.values() for lab in labs]
        weak += [(df, c.id) for df in c.definition.values()]
    _STATE.update(docs=docs, folds=make_folds(docs, a.folds, a.seed), weak=weak, epochs=a.epochs, seed=a.seed)
    print(f"{len(docs)} documents (train + dev), {a.folds} folds, seed {a.seed}, {a.epochs} epochs", file=sys.stderr)
    if a.jobs > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(a.jobs) as pool:
            rows = pool.map(run_fold, range(a.folds), chunksize=1)
    else:
        rows = [run_fold(f) for f in range(a.folds)]
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1)
    ref = {"cat": "cat_top1 nblr", "concept": "concept svm"}
    print(f"{'figure':24s} {'mean ± sd':>15s} {'Δ vs linear (paired)':>22s}")
    for k in [k for k in rows[0] if k.startswith(("cat_", "concept"))]:
        v = [r[k] for r in rows]
        base = ref["cat"].replace("top1", k.split()[0].split("_")[1]) if k.startswith("cat_") else ref["concept"]
        d = [r[k] - r[base] for r in rows]
        sd = lambda z: statistics.stdev(z) if len(z) > 1 else 0.0  # noqa: E731
        print(f"{k:24s} {statistics.mean(v):7.3f} ± {sd(v):.3f} {statistics.mean(d):+13.3f} ± {sd(d):.3f}")
    print(f"fit per fold: NB-LR (with its n-grams) {statistics.mean(r['nblr_fit_s'] for r in rows):.0f} s, "
          f"CNN {statistics.mean(r['cnn_fit_s'] for r in rows):.0f} s ({a.epochs} epochs)")
    from collections import Counter

    conf = Counter(c for r in rows for c in r["confusions"])
    n = sum(len(r["confusions"]) for r in rows)
    print(f"\nmost frequent concept confusions of the SVM, all folds (gold -> linked; {n} errors in all)")
    for pair, k in conf.most_common(10):
        print(f"{k:5d}  {pair}")
    print(f"({time.time() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
