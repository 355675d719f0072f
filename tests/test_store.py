"""The knowledge-graph store, told as a knowledge officer meets it. Every test in the first part runs
on each backend: embedded Oxigraph, Oxigraph's own server and Virtuoso."""
from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from graph.cases import CaseBase, case_iri, parse_case
from graph.io import backup, export_rdf, import_rdf, restore
from graph.store import (
    CASES_GRAPH, ONTOLOGY_GRAPH, Batch, RejectedBatchError, UnsafeTermError, inject_values, open_store, sparql_term,
)
from ontology.namespace import CR, CRK

from .conftest import case_doc


def canonical(g) -> set:
    """Triples (quads for a Dataset) with literals in canonical form (servers rewrite 1.50 as 1.5, en-GB as en-gb)."""
    items = g.quads((None, None, None, None)) if isinstance(g, Dataset) else ((s, p, o, None) for s, p, o in g)
    out = set()
    for s, p, o, c in items:
        if isinstance(o, Literal):
            lang = o.language.lower() if o.language else None
            o = Literal(o.toPython(), datatype=o.datatype) if o.datatype else Literal(str(o), lang=lang)
        out.add((s, p, o, getattr(c, "identifier", c)))
    return out


# ------------------------------------------------------------------------------------------ every backend
def test_loading_the_knowledge_base_fills_the_ontology_and_case_graphs(kb_store):
    assert kb_store.count(ONTOLOGY_GRAPH) > 100
    assert set(kb_store.named_graphs()) == {ONTOLOGY_GRAPH, CASES_GRAPH}
    assert CaseBase(kb_store).counts() == (3, 2)


def test_a_case_reads_back_as_it_was_written(kb_store):
    written = parse_case(case_doc())
    assert CaseBase(kb_store).get("hk-zone-outage") == written.canonical()


def test_filtering_cases_by_category_and_phase(kb_store):
    cases = CaseBase(kb_store)
    assert cases.filter_ids(category="technical") == ["hk-zone-outage", "syn-budget-overrun"]
    assert cases.filter_ids(category="financial", phase="preparation") == ["jv-board-deadlock"]
    assert [c["id"] for c in cases.list(real=False)] == ["syn-budget-overrun"]
    assert [c["id"] for c in cases.list(category="legal", real=True)] == ["hk-zone-outage"]
    assert len(cases.filter_ids(category="technical", limit=1)) == 1
    counts = cases.category_counts()
    assert (counts["technical"], counts["cooperation"], counts["financial"], counts["market"]) == (2, 1, 2, 0)
    cases.delete("syn-budget-overrun")
    assert cases.category_counts()["financial"] == 1  # the counts follow the change
    assert cases.filter_ids(category="technical") == ["hk-zone-outage"]


def _slow_filter(store, category, phase):
    """The same filter answered by a join over the case base (what the index stands in for)."""
    from graph.cases import _CASE_FILTER
    from ontology.namespace import category_iri, phase_iri

    rows = store.select(_CASE_FILTER, {"category": category_iri(category), "phase": phase_iri(phase)})
    return sorted(str(r["case"]).rsplit("case-", 1)[-1] for r in rows)


def test_the_case_index_agrees_with_the_cases_after_every_kind_of_write(kb_store, tmp_path):
    from ontology.namespace import CATEGORIES, PHASES

    cases = CaseBase(kb_store)

    def agree():
        for c in CATEGORIES:
            for p in PHASES:
                assert cases.filter_ids(category=c, phase=p) == _slow_filter(kb_store, c, p), (c, p)

    agree()
    # an edit that moves a case to another phase and changes its risks
    edited = parse_case(case_doc(phase="preparation", risks=[{"concept": "risk-price-war"}]))
    cases.put(edited, create=False)
    assert "hk-zone-outage" in cases.filter_ids(category="market", phase="preparation")
    assert "hk-zone-outage" not in cases.filter_ids(category="technical")
    agree()
    # a raw RDF import of a new case
    ttl = tmp_path / "new.ttl"
    ttl.write_text("""
        @prefix cr: <https://w3id.org/corisk/ontology#> . @prefix crk: <https://w3id.org/corisk/id/> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        crk:case-imported a cr:Case ; cr:synthetic true ; dcterms:title "导入"@zh , "imported"@en ;
            cr:summary "导入"@zh , "imported"@en ; cr:inPhase crk:phase-operation ;
            cr:materialised crk:risk-customer-churn .
    """, encoding="utf-8")
    import_rdf(kb_store, ttl)
    assert "imported" in cases.filter_ids(category="market", phase="operation")
    agree()
    # many cases in one batch (over the size that rebuilds the whole index)
    many = [parse_case(case_doc(f"bulk-{i}", phase="implementation")) for i in range(320)]
    cases.put_many(many)
    assert cases.category_counts()["technical"] >= 320
    assert len(cases.filter_ids(category="technical", phase="implementation")) >= 320
    agree()


def test_a_store_without_a_case_index_gets_one_on_first_use(kb_store):
    from graph.store import INDEX_GRAPH

    before = CaseBase(kb_store).category_counts()
    kb_store._apply(Batch(replace_graphs={INDEX_GRAPH}, keys=None, validate=False))  # as an older corisk left it
    kb_store.refresh()   # what a process does when the store was written by another one
    assert not kb_store.has_case_index()
    fresh = CaseBase(kb_store)
    assert fresh.category_counts() == before
    assert kb_store.has_case_index()


def test_moving_a_risk_to_another_category_in_the_ontology_moves_its_cases(kb_store):
    cases = CaseBase(kb_store)
    assert "jv-board-deadlock" not in cases.filter_ids(category="market")
    financial = set(kb_store.ontology_graph().subjects(CR.category, CRK["category-financial"]))
    rows = kb_store.select("PREFIX cr: <https://w3id.org/corisk/ontology#> SELECT ?r WHERE { ?c cr:materialised ?r }",
                           {"c": case_iri("jv-board-deadlock")})
    moved = sorted(str(r["r"]) for r in rows if r["r"] in financial)
    assert moved
    batch = Batch(validate=False, what="an ontology edit")
    batch.add(ONTOLOGY_GRAPH, [(URIRef(moved[0]), CR.category, CRK["category-market"])])
    kb_store.write(batch)
    assert "jv-board-deadlock" in cases.filter_ids(category="market")


def test_a_case_that_names_an_unknown_risk_is_rejected_with_node_and_rule(kb_store):
    bad = parse_case(case_doc("bad-case", risks=[{"concept": "risk-no-such-thing"}]))
    before = kb_store.count(CASES_GRAPH)
    with pytest.raises(RejectedBatchError) as err:
        CaseBase(kb_store).put(bad)
    assert any(v.focus == "case-bad-case" and v.rule == "crs:case-risk" for v in err.value.violations)
    assert "case-bad-case" in str(err.value) and "crs:case-risk" in str(err.value)
    assert kb_store.count(CASES_GRAPH) == before


def test_editing_a_case_replaces_its_old_triples_in_one_go(kb_store):
    cases = CaseBase(kb_store)
    before = kb_store.count(CASES_GRAPH)
    edited = parse_case(case_doc(partners=[{"name": "Only one", "role": "provider"}],
                                 strategies=[{"concept": "strategy-multi-region-redundancy", "outcome": "partial"}]))
    cases.put(edited, create=False)
    assert cases.get("hk-zone-outage") == edited.canonical()
    assert kb_store.count(CASES_GRAPH) < before
    assert not kb_store.ask("ASK { ?s ?p ?o FILTER(STRENDS(STR(?s), 'hk-zone-outage/partner/2')) }", graphs=[CASES_GRAPH])


def test_deleting_a_case_removes_it_and_its_parts(kb_store):
    cases = CaseBase(kb_store)
    cases.delete("jv-board-deadlock")
    assert not cases.exists("jv-board-deadlock")
    rows = kb_store.select("SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?s), 'jv-board-deadlock')) }",
                           graphs=[CASES_GRAPH])
    assert rows == []
    assert cases.counts() == (2, 1)


def test_a_failed_import_leaves_the_store_exactly_as_before(kb_store, tmp_path):
    before = canonical(kb_store.dataset_copy())
    bad = tmp_path / "cases.ttl"
    bad.write_text("""
        @prefix cr: <https://w3id.org/corisk/ontology#> . @prefix crk: <https://w3id.org/corisk/id/> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        crk:case-good a cr:Case ; cr:synthetic true ; dcterms:title "好"@zh , "good"@en ;
            cr:summary "好"@zh , "good"@en ; cr:materialised crk:risk-service-outage .
        crk:case-bad a cr:Case ; cr:synthetic true ; dcterms:title "坏"@zh , "bad"@en ;
            cr:summary "坏"@zh , "bad"@en ; cr:materialised crk:cause-single-region-deployment .
    """, encoding="utf-8")
    with pytest.raises(RejectedBatchError) as err:
        import_rdf(kb_store, bad)
    assert "case-bad" in str(err.value)
    assert canonical(kb_store.dataset_copy()) == before


def test_an_import_with_a_good_case_adds_it(kb_store, tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text("""
        @prefix cr: <https://w3id.org/corisk/ontology#> . @prefix crk: <https://w3id.org/corisk/id/> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        crk:case-good a cr:Case ; cr:synthetic true ; dcterms:title "好"@zh , "good"@en ;
            cr:summary "好"@zh , "good"@en ; cr:materialised crk:risk-service-outage .
    """, encoding="utf-8")
    assert import_rdf(kb_store, good) == 7
    assert CaseBase(kb_store).exists("good")


INJECTIONS = [
    '" } ; DROP ALL ; INSERT DATA { <x:a> <x:b> "c',
    "x' . } DELETE WHERE { ?s ?p ?o } #",
    "\\\" } } ; CLEAR ALL #\n",
    "Robert'); DROP TABLE cases;--",
]


def test_injection_attempts_through_labels_are_stored_as_plain_text(kb_store):
    cases = CaseBase(kb_store)
    before = kb_store.count(ONTOLOGY_GRAPH)
    for i, label in enumerate(INJECTIONS):
        case = parse_case(case_doc(f"tricky-{i}", title={"en": label, "zh": label}, lessons={"en": [label], "zh": []}))
        cases.put(case)
        assert cases.get(f"tricky-{i}").title.en == label
        rows = kb_store.select("PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?c WHERE { ?c dcterms:title ?t }",
                               {"t": Literal(label, lang="en")}, graphs=[CASES_GRAPH])
        assert [r["c"] for r in rows] == [case_iri(f"tricky-{i}")]
    assert kb_store.count(ONTOLOGY_GRAPH) == before
    assert cases.counts() == (3 + len(INJECTIONS), 2 + len(INJECTIONS))


def test_injection_attempts_through_ids_are_refused(kb_store):
    from graph.cases import CaseError

    for evil in ["x> <y> <z> . } ; DROP ALL ; #", "a b", "case-1\n", "../../etc", "A-Upper"]:
        with pytest.raises((CaseError, UnsafeTermError)):
            CaseBase(kb_store).get(evil)
    for evil in ["x> <y> <z> . } ; DROP ALL ; #", "a b", "case-1\n", 'q"uote', "{braces}"]:
        with pytest.raises(UnsafeTermError):
            kb_store.select("SELECT * WHERE { ?s ?p ?o }", {"s": URIRef("https://w3id.org/corisk/id/" + evil)})
    assert kb_store.count(ONTOLOGY_GRAPH) > 0 and CaseBase(kb_store).counts() == (3, 2)


def test_backup_and_restore_round_trip_to_identical_graphs(kb_store, tmp_path):
    original = kb_store.dataset_copy()
    n = backup(kb_store, tmp_path / "kb.nq.gz")
    assert n == sum(1 for _ in kb_store.quads())
    CaseBase(kb_store).delete("hk-zone-outage")
    kb_store.write(Batch(validate=False).add(CASES_GRAPH, [(CRK["x"], RDF.type, CR.Case)]))
    restore(kb_store, tmp_path / "kb.nq.gz")
    restored = kb_store.dataset_copy()
    for g in (ONTOLOGY_GRAPH, CASES_GRAPH):
        a, b = original.graph(g), restored.graph(g)
        assert len(a) == len(b)
        assert isomorphic(a, b) or canonical(a) == canonical(b)


def test_export_writes_every_graph_in_each_format(kb_store, tmp_path):
    from graph.store import parse_quads, rdf_format

    total = kb_store.count()
    triples = len({(q.subject, q.predicate, q.object) for q in kb_store.quads()})
    for fmt in ("turtle", "trig", "jsonld", "nquads"):
        out = tmp_path / f"kb.{fmt}"
        assert export_rdf(kb_store, out, fmt) == total
        quads = parse_quads(path=out, fmt=rdf_format(fmt), default_graph=CASES_GRAPH)
        if fmt == "turtle":
            assert len(quads) == triples
        else:
            assert len(quads) == total
            assert {q.graph_name.value for q in quads} == {str(ONTOLOGY_GRAPH), str(CASES_GRAPH)}


def test_the_rdflib_view_of_a_graph_answers_rdflib_calls(kb_store):
    onto = kb_store.graph(ONTOLOGY_GRAPH)
    assert (CRK["risk-service-outage"], RDF.type, CR.Risk) in onto
    assert str(onto.value(CRK["risk-service-outage"], SKOS.prefLabel)) in ("服务中断", "Service outage")
    cases = kb_store.graph(CASES_GRAPH)
    assert len(list(cases.subjects(RDF.type, CR.Case))) == 3


def test_changes_are_counted_for_incremental_indexes(kb_store):
    version, _ = kb_store.changes_since(0)
    CaseBase(kb_store).put(parse_case(case_doc("another-one")))
    now, keys = kb_store.changes_since(version)
    assert now == version + 1 and keys == {"case:another-one"}


# ------------------------------------------------------------------------------------------ embedded only
def test_a_restart_keeps_the_data(loaded_store_dir):
    store = open_store(loaded_store_dir)
    before = canonical(store.dataset_copy())
    store.close()
    again = open_store(loaded_store_dir)
    assert canonical(again.dataset_copy()) == before
    assert CaseBase(again).counts() == (3, 2)
    again.close()


def test_a_second_process_gets_a_clear_locked_error(loaded_store_dir):
    import subprocess
    import sys

    store = open_store(loaded_store_dir)
    try:
        code = ("from graph.store import open_store, StoreLockedError\n"
                "try:\n    open_store(%r)\nexcept StoreLockedError as e:\n    print('LOCKED', e)\n"
                "ro = open_store(%r, fallback_read_only=True)\nprint('READONLY', ro.read_only, ro.count() > 0)\n"
                % (str(loaded_store_dir), str(loaded_store_dir)))
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert "LOCKED" in res.stdout and "in use by a running corisk serve" in res.stdout
        assert "READONLY True True" in res.stdout
    finally:
        store.close()


def test_bindings_never_become_query_text():
    q = inject_values("SELECT ?c WHERE { ?c ?p ?t }", {"t": Literal('x" } ; DROP ALL ; #')})
    assert 'VALUES (?t) { ("x\\" } ; DROP ALL ; #") }' in q
    with pytest.raises(UnsafeTermError):
        sparql_term(URIRef("http://x> DROP ALL <y"))
    with pytest.raises(UnsafeTermError):
        inject_values("SELECT * WHERE { ?s ?p ?o }", {"s } DROP ALL {": URIRef("http://x")})
