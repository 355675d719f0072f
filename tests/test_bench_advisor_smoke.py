"""The advisor benchmarks still run end to end and print their tables (tiny sizes, so they can't rot)."""
import pytest

from bench import bench_advisor
from ontology import load


@pytest.fixture(scope="module")
def graph():
    return load().graph


def test_the_latency_bench_measures_the_shipped_and_a_synthetic_case_base(graph, capsys):
    out = bench_advisor.main(["--cases", "200", "--queries", "12", "--concept-queries", "4", "--shipped-queries", "12",
                              "--fit-cases", "60"], graph=graph)
    shipped, synthetic = dict(out["shipped"]), dict(out["synthetic"])
    assert int(shipped["cases"]) > 50
    assert any(k.startswith("recommend, case queries") for k in shipped)
    assert synthetic["cases"] == "200"
    for row in ("index build: Advisor(onto, cases) (s)", "fit_ranker, 60 sampled cases (s)",
                "recommend (n=12) p50 / p95 / max (ms)", "upsert one changed case (ms)",
                "first recommend after it (ms)", "rebuild from scratch + first recommend (s)"):
        assert row in synthetic, row
    printed = capsys.readouterr().out
    assert "Advisor latency, shipped case base" in printed and "synthetic case base of 200 cases" in printed


def test_synthetic_cases_use_only_the_ontology_and_real_links(graph):
    from graph.advisor import OntologyIndex

    onto = OntologyIndex(graph)
    cases = bench_advisor.synthetic_records(onto, 50, seed=1)
    assert cases == bench_advisor.synthetic_records(onto, 50, seed=1)      # reproducible
    for c in cases:
        assert 1 <= len(c.risks) <= 3 and c.causes <= {x for r in c.risks for x in onto.risk_causes[r]}
        for s, _ in c.applications:
            info = onto.strategies[s]
            assert info.risks & set(c.risks) or info.causes & c.causes
        assert c.text.strip()


def test_the_cbrkit_comparison_prints_both_side_by_side_with_ratios(graph, capsys):
    pytest.importorskip("cbrkit")
    from bench import bench_cbrkit

    out = bench_cbrkit.main(["--folds", "2", "--queries", "5"], graph=graph)
    measures = [r[0] for r in out["side_by_side"]]
    assert measures[:6] == ["recall@5", "mrr", "ndcg@10", "case_precision@5", "latency p50 (ms)", "latency p95 (ms)"]
    assert all(r[3] for r in out["side_by_side"][:6])                      # a ratio for every measure
    assert out["cbrkit"]["row"]["queries"] == 5
    assert [r[0] for r in out["quality"]][-1].startswith("cbrkit")
    assert "corisk vs cbrkit" in capsys.readouterr().out


def _case_scores_one_by_one(adv, q):
    """The per-case loop the advisor used before it scored every case at once with numpy."""
    from graph.advisor import SIMILARITY_WEIGHTS as w, _jaccard

    ordered = adv._query_risks(q)
    main_risk = ordered[0] if ordered else None
    risks, causes = set(ordered), set(q.causes)
    query_cats = set(q.categories) or {c for r in risks for c in adv.onto.risk_categories.get(r, ())}
    text = q.text or " ".join(v for c in q.concepts for v in adv.onto.labels.get(c, {}).values())
    text_sim = adv.cases.text_scores(text)
    candidates = set(text_sim)
    for c in risks | causes | set(q.indicators):
        candidates |= adv.cases.by_concept.get(c, set())
    candidates.discard(q.exclude_case)
    out = []
    for cid in candidates:
        case = adv.cases.records[cid]
        case_cats = {c for r in case.risks for c in adv.onto.risk_categories.get(r, ())}
        s = (w["text"] * text_sim.get(cid, 0.0) + w["main"] * (main_risk is not None and main_risk == case.main_risk)
             + w["risks"] * _jaccard(risks, set(case.risks)) + w["causes"] * _jaccard(causes, case.causes)
             + w["category"] * _jaccard(query_cats, case_cats) + w["phase"] * (q.phase is not None and q.phase == case.phase)
             + w["service"] * (q.service_type is not None and q.service_type == case.service_type))
        if q.categories and not (case_cats & set(q.categories)):
            continue
        if s > 0:
            out.append((cid, s))
    out.sort(key=lambda x: (-x[1], x[0]))
    return out


def test_scoring_every_case_at_once_gives_the_same_scores_as_case_by_case_even_after_edits(graph):
    import dataclasses

    from graph.advisor import Advisor, OntologyIndex

    onto = OntologyIndex(graph)
    cases = bench_advisor.synthetic_records(onto, 300, seed=3)
    adv = Advisor(onto, cases)
    queries = [adv.query_for_case(c) for c in cases[:15]] + bench_advisor.concept_queries(adv, 5, seed=3)
    queries.append(adv.make_query(["risk-vendor-lock-in"], categories=["technical"], text="迁移 migration"))
    for step, q in enumerate(queries):
        assert adv._case_scores(q) == _case_scores_one_by_one(adv, q)
        assert adv._case_scores(q, limit=7) == _case_scores_one_by_one(adv, q)[:7]
        old = cases[40 + step]
        if step % 3 == 0:
            adv.cases.remove(old.id)
        elif step % 3 == 1:
            adv.cases.upsert(dataclasses.replace(old, text=old.text + " 变更", risks=old.risks[::-1], phase=None))
        else:
            adv.cases.upsert(dataclasses.replace(old, id=f"added-{step}"))
