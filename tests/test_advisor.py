"""The advisor, as a manager meets it: ranked, explained strategies and the most similar past cases."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from graph.advisor import Advisor, AdvisorError
from graph.casebase import record_of
from graph.cases import case_files, read_case_file
from ontology import NotFoundError, load
from ontology.namespace import CRK
from service.app import create_app
from service.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CORISK = str(Path(sys.executable).with_name("corisk"))


@pytest.fixture(scope="module")
def onto():
    return load().graph


@pytest.fixture(scope="module")
def shipped(onto):
    records = [record_of(read_case_file(p)) for p in case_files(REPO / "corpus" / "cases")]
    return Advisor(onto, records)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = tmp_path_factory.mktemp("advisor-home")
    with TestClient(create_app(Settings(home=home))) as c:
        yield c


def ids(doc):
    return [s["concept"].rsplit("/", 1)[1] for s in doc["strategies"]]


def test_every_strategy_comes_with_a_checkable_reason(shipped):
    doc = shipped.recommend(shipped.make_query(["risk-vendor-lock-in"], phase="preparation"), top=5)
    assert len(doc["strategies"]) == 5
    for s in doc["strategies"]:
        assert s["because"], s["concept"]
        for path in s["because"]:
            assert path[-1] == s["concept"]          # every path ends at the strategy
            assert len(path) % 2 == 1                # node, property, node, …
        assert s["treatment"] in ("avoid", "reduce", "transfer", "accept")
        assert s["category"] in ("technical", "cooperation", "legal", "market", "financial")
        assert shipped.explain(s, "en").startswith("Recommended because")
        assert shipped.explain(s, "zh").startswith("推荐理由")
    scores = [s["score"] for s in doc["strategies"]]
    assert scores == sorted(scores, reverse=True)


def test_a_risk_with_no_direct_strategy_still_gets_ones_through_its_causes(onto):
    extra = Graph()
    extra.parse(data="""
        @prefix cr: <https://w3id.org/corisk/ontology#> . @prefix crk: <https://w3id.org/corisk/id/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        crk:risk-test-orphan a cr:Risk , skos:Concept ; skos:prefLabel "测试风险"@zh , "Test risk"@en ;
            cr:category crk:category-technical ; cr:hasCause crk:cause-single-region-deployment .
    """, format="turtle")
    adv = Advisor(onto + extra)
    doc = adv.recommend(adv.make_query(["risk-test-orphan"]), top=5)
    assert doc["strategies"], "strategies are found through the risk's cause"
    for s in doc["strategies"]:
        assert any("cr:hasCause" in p and "^cr:addresses" in p for p in s["because"]), s["because"]
    assert "strategy-multi-region-redundancy" in ids(doc)


def test_phase_changes_the_order(shipped):
    prep = shipped.recommend(shipped.make_query(["risk-partner-exit"], phase="preparation"), top=8)
    oper = shipped.recommend(shipped.make_query(["risk-partner-exit"], phase="operation"), top=8)
    assert ids(prep) != ids(oper)
    assert "preparation" in prep["strategies"][0]["phases"]
    assert "operation" in oper["strategies"][0]["phases"]


def test_similar_cases_share_concepts_with_the_query(shipped):
    doc = shipped.recommend(shipped.make_query(["risk-service-outage", "cause-single-region-deployment"]), top=3)
    assert doc["cases"]
    assert all(c["shared_concepts"] for c in doc["cases"][:3])
    assert str(CRK["risk-service-outage"]) in doc["cases"][0]["shared_concepts"]


def test_unknown_concept_and_phase_are_clear_errors(shipped):
    with pytest.raises(NotFoundError, match="unknown concept 'risk-nope'"):
        shipped.make_query(["risk-nope"])
    with pytest.raises(AdvisorError, match="unknown phase 'later'"):
        shipped.make_query(["risk-data-breach"], phase="later")
    with pytest.raises(AdvisorError, match="is a strategy"):
        shipped.make_query(["strategy-contingency-reserve"])


def test_learned_ranking_beats_both_baselines_on_held_out_cases(shipped):
    from graph.advisor_eval import evaluate

    report = evaluate(shipped, folds=5)   # `corisk evaluate --advisor` runs the full leave-one-out
    rows = {r["method"]: r for r in report["rows"]}
    ours = rows["corisk advisor (learned ranker)"]
    for name in ("baseline: most frequent per category", "baseline: text-only retrieval"):
        for metric in ("recall@5", "mrr", "ndcg@10", "case_precision@5"):
            assert ours[metric] > rows[name][metric], (name, metric)


def test_api_follows_the_contract_and_matches_the_page(client):
    doc = client.post("/api/v1/recommend", json={"concepts": ["risk-data-breach"], "phase": "operation", "top": 4}).json()
    assert set(doc) >= {"query", "strategies", "cases"}
    assert doc["query"]["concepts"] == [str(CRK["risk-data-breach"])]
    assert len(doc["strategies"]) == 4
    for s in doc["strategies"]:
        assert set(s) >= {"concept", "label", "category", "treatment", "score", "because", "evidence_cases"}
    for c in doc["cases"]:
        assert set(c) >= {"id", "title", "score", "shared_concepts"}
    page = client.get("/advisor", params={"concept": "risk-data-breach", "phase": "operation", "top": 4})
    assert page.status_code == 200
    for s in doc["strategies"]:
        assert s["label"]["zh"] in page.text
        assert s["explanation"]["en"].split(":")[0] in page.text


def test_api_unknown_concept_is_404_with_a_sentence(client):
    r = client.post("/api/v1/recommend", json={"concepts": ["risk-nope"]})
    assert r.status_code == 404
    assert "unknown concept 'risk-nope'" in r.json()["error"]


def test_free_text_in_chinese_is_turned_into_concepts(client):
    doc = client.post("/api/v1/recommend", json={"text": "担心被单一云厂商锁定，以后迁移成本很高。", "top": 3}).json()
    assert str(CRK["risk-vendor-lock-in"]) in doc["query"]["concepts"]
    assert doc["strategies"]


def test_an_edited_case_changes_results_without_a_restart(client):
    query = {"concepts": ["risk-force-majeure-gap"], "top": 5}
    before = client.post("/api/v1/recommend", json=query).json()
    new_case = {
        "id": "test-flood-contract-gap", "synthetic": True,
        "title": {"en": "Flood halts a jointly run data centre", "zh": "洪水导致联合运营数据中心停摆"},
        "summary": {"en": "A flood stopped the site; the contract had no force-majeure clause.",
                    "zh": "洪水使机房停运，合同中没有不可抗力条款。"},
        "service_type": "data-centre", "phase": "operation",
        "risks": [{"concept": "risk-force-majeure-gap"}],
        "causes": ["cause-no-force-majeure-clause"],
        "strategies": [{"concept": "strategy-cyber-insurance", "outcome": "effective"}],
    }
    created = client.post("/api/v1/cases", json=new_case)
    assert created.status_code == 201, created.text
    after = client.post("/api/v1/recommend", json=query).json()
    assert "test-flood-contract-gap" in [c["id"] for c in after["cases"]]
    assert after != before
    # editing the case's outcome is seen at once, too
    new_case["strategies"][0]["outcome"] = "ineffective"
    assert client.put("/api/v1/cases/test-flood-contract-gap", json=new_case).status_code == 200
    edited = client.post("/api/v1/recommend", json=query).json()
    score = lambda d: next((s["score"] for s in d["strategies"] if s["concept"].endswith("strategy-cyber-insurance")), 0)
    assert score(edited) <= score(after)
    client.delete("/api/v1/cases/test-flood-contract-gap")


def test_cli_on_a_fresh_checkout_loads_the_store_first_and_says_so(tmp_path):
    env = {**os.environ, "CORISK_HOME": str(tmp_path)}
    r = subprocess.run([CORISK, "recommend", "--concept", "risk-partner-exit", "--phase", "preparation",
                        "--format", "json"], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "loaded" in r.stderr
    doc = json.loads(r.stdout)
    assert doc["strategies"] and doc["cases"]
    again = subprocess.run([CORISK, "recommend", "--concept", "nope-concept"], capture_output=True, text=True,
                           env=env, timeout=600)
    assert again.returncode != 0
    assert "unknown concept" in again.stderr and "Traceback" not in again.stderr


def test_a_projects_register_gives_context(client):
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF

    from graph.store import Batch, project_graph
    from ontology.namespace import CR

    state = client.app.state.corisk
    g = project_graph("telecom-saas")
    project = URIRef("https://w3id.org/corisk/id/project-telecom-saas")
    entry = URIRef(f"{project}/entry/1")
    batch = Batch(what="a test register")
    batch.add(g, [(project, RDF.type, CR.Project), (project, CR.inPhase, CRK["phase-operation"]),
                  (project, CR.entry, entry), (entry, RDF.type, CR.RegisterEntry),
                  (entry, CR.riskConcept, CRK["risk-exchange-rate-exposure"]),
                  (entry, CR.likelihood, Literal(4)), (entry, CR.impact, Literal(5))])
    state.store().write(batch)
    plain = client.post("/api/v1/recommend", json={"concepts": ["risk-cost-overrun"], "top": 8}).json()
    with_project = client.post("/api/v1/recommend", json={"concepts": ["risk-cost-overrun"], "top": 8,
                                                          "project": "telecom-saas"}).json()
    assert with_project["query"]["concepts"][0] == str(CRK["risk-cost-overrun"])      # still the main risk
    assert str(CRK["risk-exchange-rate-exposure"]) in with_project["query"]["concepts"]
    assert with_project["query"]["phase"] == "operation"                                # the project's phase
    assert ids(with_project) != ids(plain)
    missing = client.post("/api/v1/recommend", json={"concepts": ["risk-cost-overrun"], "project": "nope"})
    assert missing.status_code == 404 and "no project 'nope'" in missing.json()["error"]
