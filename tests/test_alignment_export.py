"""A DPV user takes `corisk kb export`, parses it with rdflib, and the two queries in docs/ontology.md
answer with corisk's mitigation measures and cases, by DPV concept."""
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SKOS

from ontology import CR, CRK, load
from service.settings import REPO_ROOT, Settings

DOC = REPO_ROOT / "docs" / "ontology.md"
RISK = "https://w3id.org/dpv/risk#"


def documented_queries() -> list[str]:
    return re.findall(r"```sparql\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Graph:
    """The knowledge base exported as Turtle the way `corisk kb export` does, parsed back with rdflib."""
    tmp = tmp_path_factory.mktemp("export")
    out = tmp / "kb.ttl"
    try:
        from graph.io import export_rdf, load_knowledge_base
        from graph.store import open_store
    except ImportError:  # before graph/ has an exporter: the ontology graph alone
        load().graph.serialize(out, format="turtle")
    else:
        store = open_store(tmp / "store")
        load_knowledge_base(store, Settings().cases_dir)
        export_rdf(store, out, "turtle")
    return Graph().parse(out, format="turtle")


def test_docs_show_two_sparql_queries():
    assert len(documented_queries()) == 2


def test_the_export_carries_the_mappings(export):
    assert (CR.Risk, RDFS.subClassOf, URIRef("https://w3id.org/dpv#Risk")) in export
    assert (CRK["enisa-R1"], SKOS.closeMatch, CRK["risk-vendor-lock-in"]) in export
    assert (CRK["risk-data-breach"], SKOS.closeMatch, URIRef(RISK + "DataBreach")) in export
    assert (CRK["strategy-mfa-least-privilege"], SKOS.relatedMatch,
            URIRef("https://doi.org/10.6028/NIST.SP.800-53r5#ia-2.1")) in export


def test_query_1_lists_the_mitigation_measures_for_a_dpv_risk_concept(export):
    rows = list(export.query(documented_queries()[0]))
    measures = {str(r.measure).removeprefix(str(CRK)) for r in rows}
    assert "strategy-full-lifecycle-encryption" in measures
    assert {str(r.risk).removeprefix(str(CRK)) for r in rows} >= {"risk-data-breach"}
    # every answer is a real corisk strategy that mitigates the corisk risk it names
    for r in rows:
        assert (r.measure, CR.mitigates, r.risk) in export
        assert r.measureLabel.language == "en"


def test_query_2_counts_cases_behind_dpv_risk_concepts(export):
    rows = {str(r.dpvConcept): int(r.cases) for r in export.query(documented_queries()[1])}
    assert RISK + "DataBreach" in rows and RISK + "ServiceQualityReduced" in rows
    if any(export.subjects(CR.materialised, None)):  # the export holds the case base
        assert rows[RISK + "DataBreach"] > 0
        expected = len({c for c in export.subjects(CR.materialised, CRK["risk-data-breach"])})
        assert rows[RISK + "DataBreach"] >= expected
