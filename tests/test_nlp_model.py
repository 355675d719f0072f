"""The trained model's building blocks: the hashed TF-IDF, the bilingual analyzer, lexicon features,
linking that prefers the lexicon, and several statements in one sentence."""
import numpy as np
import pytest

from nlp.extract import Extractor
from nlp.model import HashedTfidf, analyze

IRI = "https://w3id.org/corisk/id/"


def test_hashed_tfidf_equals_a_vocabulary_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    train = ["双方系统接口不兼容，上线可能推迟", "The APIs don't line up and integration may fail", "SLA 违约 risk",
             "资金缺口很大 funding gap"]
    query = ["接口不兼容 integration fails", "unseen 词 words", "funding 资金"]
    a = HashedTfidf().fit(train)
    b = TfidfVectorizer(analyzer=analyze, sublinear_tf=True).fit(train)
    assert a.n_features == len(b.vocabulary_)
    A, B = a.transform(query).toarray(), b.transform(query).toarray()
    np.testing.assert_allclose(np.sort(A, axis=1), np.sort(B, axis=1), rtol=1e-5, atol=1e-6)


def test_the_analyzer_puts_both_languages_in_one_space():
    f = analyze("SLA 违约 breaches")
    assert {"违", "违约", "w sla", "b sla breaches", " bre", "aches"} <= set(f)


@pytest.fixture(scope="module")
def ex():
    return Extractor.load()


def test_a_lexicon_match_whose_category_agrees_decides_the_link(ex):
    doc = ex.extract_text("SLA 违约的风险很高。")
    assert [r["concept"] for r in doc["risks"]] == [IRI + "risk-sla-breach"]


def test_two_statements_in_one_sentence_keep_their_own_categories(ex):
    text = ("- Customer logs are sent to the partner in India without SCCs: cross-border transfer is not covered, "
            "and the funding for phase 2 is not secured")
    doc = ex.extract_text(text)
    cats = {c for r in doc["risks"] for c in r["categories"]}
    assert {"legal", "financial"} <= cats
    assert len({r["concept"] for r in doc["risks"]}) == len(doc["risks"]) >= 2


def test_lexicon_features_name_the_categories_of_risks_and_of_causes(ex):
    model = ex.pipelines["zh"].get_pipe("corisk_risks").model
    risk = "risk-sla-breach"
    cause = next(iter(model.cause_risks))
    F = model.lex_features([[(0, 2, risk)], [(0, 2, cause)], []]).toarray()
    assert F[0, :5].sum() >= 1 and F[0, 5:].sum() == 0
    assert F[1, :5].sum() == 0 and F[1, 5:].sum() >= 1
    assert F[2].sum() == 0
