"""`corisk train`'s model selection: the tuning split (a fifth of train, by document, stratified by
language and kind) and the tuning of thresholds and weights, the same in two processes as in one."""
from collections import Counter

from nlp.corpus import folds_by_document, load_corpus
from nlp.extract import Extractor
from nlp.model import Params
from nlp.train import tune_params


def test_the_tuning_split_holds_out_whole_documents_in_every_language_and_kind_alike():
    docs = load_corpus(("train",))
    folds = folds_by_document(docs, 5, 0)
    flat = [i for f in folds for i in f]
    assert sorted(flat) == list(range(len(docs)))               # each document in exactly one fold
    assert folds == folds_by_document(docs, 5, 0)               # the same split every build
    assert folds != folds_by_document(docs, 5, 1)
    groups = Counter((d.lang, d.kind) for d in docs)
    held = Counter((docs[i].lang, docs[i].kind) for i in folds[0])
    for g, n in groups.items():
        assert abs(held[g] - n / 5) <= 1, g                      # a fifth of each group, give or take one


def test_tuning_in_two_processes_chooses_what_one_process_chooses():
    ex = Extractor.load()
    model = ex.pipelines["zh"].get_pipe("corisk_risks").model
    shipped = model.params
    dev = load_corpus(("dev",))[:4]
    # a threshold of 1.01 admits no risk sentence at all: tuning must never pick it
    grid = {"t_risk": [1.01, 0.5, 0.65], "t_cat2": [0.5, 1.01]}
    try:
        p1, s1 = tune_params(model, ex.pipelines, dev, grid=grid, jobs=1)
        p2, s2 = tune_params(model, ex.pipelines, dev, grid=grid, jobs=2)
    finally:
        model.params = shipped
    assert p1 == p2 and s1 == s2
    assert isinstance(p1, Params) and p1.t_risk != 1.01
    assert s1["category_micro"]["f1"] > 0.5
