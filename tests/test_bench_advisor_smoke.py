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
