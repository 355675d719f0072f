"""The networkx projection an analyst (or the recommender) walks: neighbourhoods, paths, centrality."""
from __future__ import annotations

import pytest

from graph.projection import central_risks, explain_paths, from_store, neighbourhood, risk_cooccurrence
from graph.store import open_store
from ontology.namespace import CRK


@pytest.fixture
def G(loaded_store_dir):
    store = open_store(loaded_store_dir)
    try:
        yield from_store(store)
    finally:
        store.close()


def test_concepts_and_cases_become_typed_nodes_and_edges(G):
    assert G.nodes[str(CRK["risk-service-outage"])]["kind"] == "risk"
    assert G.nodes[str(CRK["case-hk-zone-outage"])]["kind"] == "case"
    edges = G.get_edge_data(str(CRK["case-hk-zone-outage"]), str(CRK["strategy-multi-region-redundancy"]))
    assert edges["applied"]["outcome"] == "effective"
    assert G.has_edge(str(CRK["strategy-multi-region-redundancy"]), str(CRK["risk-service-outage"]), key="mitigates")


def test_the_neighbourhood_of_a_risk_holds_its_strategies_and_cases(G):
    near = {n["id"] for n in neighbourhood(G, "risk-service-outage", radius=1)}
    assert {"strategy-multi-region-redundancy", "case-hk-zone-outage", "category-technical"} <= near
    cases = neighbourhood(G, "risk-service-outage", kinds=["case"])
    assert [c["id"] for c in cases] == ["case-hk-zone-outage", "case-syn-budget-overrun"]


def test_an_explanation_path_links_a_case_to_a_strategy_through_the_risk(G):
    paths = explain_paths(G, "case-jv-board-deadlock", "strategy-escalation-decision-rules", max_len=2)
    assert paths[0] == [str(CRK["case-jv-board-deadlock"]), "applied", str(CRK["strategy-escalation-decision-rules"])]
    two_hop = explain_paths(G, "risk-decision-deadlock", "cause-unclear-decision-rights", max_len=1)
    assert two_hop == [[str(CRK["risk-decision-deadlock"]), "hasCause", str(CRK["cause-unclear-decision-rights"])]]
    back = explain_paths(G, "risk-service-outage", "strategy-multi-region-redundancy", max_len=1)
    assert back[0][1] == "^mitigates"


def test_central_risks_and_co_occurrence_across_cases(G):
    top = central_risks(G, top=5)
    assert len(top) == 5 and top[0]["score"] >= top[-1]["score"]
    pairs = {(p["a_id"], p["b_id"]): p["cases"] for p in risk_cooccurrence(G)}
    assert pairs[("risk-service-outage", "risk-sla-breach")] == 1
    assert pairs[("risk-cost-overrun", "risk-service-outage")] == 1


def test_an_unknown_node_is_a_key_error(G):
    with pytest.raises(KeyError):
        neighbourhood(G, "risk-no-such-thing")
