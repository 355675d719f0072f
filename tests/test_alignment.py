"""The ontology is a citizen of the semantic web: its mappings to DPV, ENISA, NIST, D3FEND and CSA CCM
point to things that exist, in the right namespace, and ENISA's risks are described in both languages."""
import csv
import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ontology import CR, CRK, load
from ontology.coverage import EXTERNAL_DIR, load_external
from ontology.load import ONTOLOGY_DIR, load_shapes, ontology_files
from ontology.validate import check

MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
DPV_NS = ("https://w3id.org/dpv#", "https://w3id.org/dpv/risk#")
NIST_NS = "https://doi.org/10.6028/NIST.SP.800-53r5#"
D3F_NS = "http://d3fend.mitre.org/ontologies/d3fend.owl#"
CCM_NS = "https://cloudsecurityalliance.org/artifacts/cloud-controls-matrix-v4#"
POLICY_AND_LEGAL = [f"R.{n}" for n in (*range(1, 8), *range(21, 25))]
ALIGNMENT_RULES = re.compile(r"^crs:(Enisa|enisa-|Dpv|dpv-|StrategyControl|control-|RatingLevel)")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return load().graph


@pytest.fixture(scope="module")
def dpv() -> Graph:
    return load_external()


@pytest.fixture(scope="module")
def alignment() -> Graph:
    g = Graph()
    for f in sorted((ONTOLOGY_DIR / "alignment").glob("*.ttl")):
        g.parse(f)
    return g


def _enisa(onto):
    return sorted(onto.subjects(SKOS.inScheme, CRK["scheme-enisa"]), key=str)


def test_every_dpv_iri_the_alignment_maps_to_exists_in_the_kept_dpv_copy(onto, dpv):
    used = {o for s, p, o in onto
            if isinstance(o, URIRef) and str(o).startswith(DPV_NS) and p in (*MATCHES, RDFS.subClassOf, RDFS.subPropertyOf)}
    assert len(used) > 40
    defined = set(dpv.subjects(SKOS.prefLabel, None))
    assert sorted(map(str, used - defined)) == []


def test_the_kept_dpv_copy_carries_dpvs_licence_notice():
    ttl = (EXTERNAL_DIR / "dpv-subset.ttl").read_text(encoding="utf-8")
    header = ttl.split("@prefix", 1)[0]
    assert "World Wide Web Consortium" in header and "https://www.w3.org/copyright/software-license-2023/" in header
    assert "LICENSE-DPV.md" in header
    notice = (EXTERNAL_DIR / "LICENSE-DPV.md").read_text(encoding="utf-8")
    assert "Permission to copy, modify, and distribute this work" in notice
    assert "Notice of any changes or modifications" in notice and "Changes made by corisk" in notice


def test_the_kept_dpv_copy_is_not_loaded_as_part_of_the_ontology(onto):
    assert not any("external" in str(f) for f in ontology_files())
    assert (URIRef("https://w3id.org/dpv/risk#DataBreach"), SKOS.prefLabel, None) not in onto


def test_only_the_likelihood_levels_claim_an_exact_match(onto):
    exact = sorted(str(s).removeprefix(str(CRK)) for s in onto.subjects(SKOS.exactMatch, None))
    assert exact == [f"likelihood-{n}" for n in range(1, 6)]


def test_treatment_types_match_dpv_risk_controls(onto):
    risk = "https://w3id.org/dpv/risk#"
    assert (CRK["treatment-avoid"], SKOS.closeMatch, URIRef(risk + "AvoidanceControl")) in onto
    assert (CRK["treatment-transfer"], SKOS.closeMatch, URIRef(risk + "TransferControl")) in onto
    assert (CRK["treatment-reduce"], SKOS.relatedMatch, URIRef(risk + "ReductionControl")) in onto
    assert (CR.Risk, RDFS.subClassOf, URIRef("https://w3id.org/dpv#Risk")) in onto
    assert (CR.Strategy, SKOS.closeMatch, URIRef("https://w3id.org/dpv#RiskMitigationMeasure")) in onto


def test_the_five_by_five_rating_matrix_lines_up_with_dpvs(onto, dpv):
    cells = [c for c in onto.subjects(SKOS.broader, CRK["rating-matrix-5x5"])]
    assert len(cells) == 25
    for cell in cells:
        l, i = re.match(r".*rating-L(\d)-I(\d)$", str(cell)).groups()
        target = onto.value(cell, SKOS.closeMatch)
        assert str(target).endswith(f"#RM5x5S{i}L{l}")
        # DPV's node has the same likelihood as corisk's cell
        assert onto.value(CRK[f"likelihood-{l}"], SKOS.exactMatch) == dpv.value(target, URIRef("https://w3id.org/dpv#hasLikelihood"))


def test_there_are_35_enisa_risks_each_bilingual_with_its_enisa_number(onto):
    concepts = _enisa(onto)
    assert sorted(str(onto.value(c, SKOS.notation)) for c in concepts) == sorted(f"R.{n}" for n in range(1, 36))
    for c in concepts:
        for prop in (SKOS.prefLabel, SKOS.definition):
            langs = sorted(lit.language for lit in onto.objects(c, prop))
            assert langs == ["en", "zh"], (c, prop, langs)
        assert set(onto.objects(c, RDF.type)) == {SKOS.Concept}, c
        assert str(c) == str(CRK) + "enisa-" + str(onto.value(c, SKOS.notation)).replace(".", "")


def test_every_enisa_policy_and_legal_risk_has_a_corisk_risk_with_a_strategy_behind_it(onto):
    by_notation = {str(onto.value(c, SKOS.notation)): c for c in _enisa(onto)}
    for notation in POLICY_AND_LEGAL:
        c = by_notation[notation]
        risks = {o for p in MATCHES for o in onto.objects(c, p) if (o, RDF.type, CR.Risk) in onto}
        assert risks, f"{notation} has no corisk risk behind it"
        strategies = {s for r in risks for s in onto.subjects(CR.mitigates, r)}
        assert strategies, f"{notation}: no strategy mitigates {sorted(risks)}"


def test_the_risks_added_for_enisa_gaps_are_complete_concepts(onto):
    for ident in ("risk-partner-change-of-control", "risk-software-licence-noncompliance"):
        r = CRK[ident]
        assert (r, RDF.type, CR.Risk) in onto
        assert {lit.language for lit in onto.objects(r, SKOS.altLabel)} == {"zh", "en"}
        assert list(onto.objects(r, CR.category)) and list(onto.objects(r, CR.hasCause))
        assert any((s, RDF.type, CR.Strategy) in onto for s in onto.subjects(CR.mitigates, r))


def test_strategies_point_to_nist_controls_and_d3fend_techniques_that_exist():
    with open(EXTERNAL_DIR / "nist-sp800-53r5-controls.csv", encoding="utf-8") as fh:
        nist = {row["id"]: row["title"] for row in csv.DictReader(fh)}
    with open(EXTERNAL_DIR / "d3fend-techniques.csv", encoding="utf-8") as fh:
        d3f = {row["iri"] for row in csv.DictReader(fh)}
    ccm = {line.strip() for line in (EXTERNAL_DIR / "csa-ccm-v4-control-ids.txt").read_text().splitlines()
           if line.strip() and not line.startswith("#")}
    onto = load().graph
    related = [o for s, o in onto.subject_objects(SKOS.relatedMatch) if str(s).startswith(str(CRK) + "strategy-")]
    nist_used = {str(o)[len(NIST_NS):] for o in related if str(o).startswith(NIST_NS)}
    d3f_used = {str(o) for o in related if str(o).startswith(D3F_NS)}
    ccm_used = {str(o)[len(CCM_NS):] for o in onto.objects(None, DCTERMS.references) if str(o).startswith(CCM_NS)}
    assert nist_used and sorted(nist_used - set(nist)) == []
    assert all(re.fullmatch(r"[a-z]{2}-\d+(\.\d+)?", i) for i in nist)
    assert d3f_used and sorted(d3f_used - d3f) == []
    assert ccm_used and sorted(ccm_used - ccm) == []
    # every strategy that carries a control reference is a real strategy of the ontology
    for s in {s for s, o in onto.subject_objects(SKOS.relatedMatch) if str(s).startswith(str(CRK) + "strategy-")}:
        assert (s, RDF.type, CR.Strategy) in onto, s


def test_the_shipped_alignment_breaks_none_of_the_alignment_shapes():
    loaded = load()
    mine = [v for v in check(loaded.graph, origin=loaded.origin) if ALIGNMENT_RULES.match(v.rule)]
    assert [v.line() for v in mine] == []


BAD = """
@prefix cr:   <https://w3id.org/corisk/ontology#> .
@prefix crk:  <https://w3id.org/corisk/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
crk:enisa-R1 skos:closeMatch <https://w3id.org/dpv/risk#DataLoss> .
crk:enisa-R2 skos:relatedMatch crk:cause-weak-exit-terms .
crk:enisa-R3 a cr:Risk .
crk:risk-data-loss skos:relatedMatch crk:risk-data-breach .
crk:category-market skos:closeMatch "market" .
crk:strategy-backup-restore-drills skos:relatedMatch <https://w3id.org/dpv/risk#DataLoss> ;
    dcterms:references <https://example.org/BCR-08> ;
    skos:closeMatch <https://doi.org/10.6028/NIST.SP.800-53r5#cp-9> .
"""


def test_validation_names_each_mapping_that_points_to_the_wrong_namespace():
    graph = load().graph
    graph.parse(data=BAD, format="turtle")
    found = {(v.focus, v.rule) for v in check(graph, load_shapes())}
    for expected in (("enisa-R1", "crs:enisa-closeMatch"), ("enisa-R2", "crs:enisa-relatedMatch"),
                     ("enisa-R3", "crs:EnisaConceptShape"), ("risk-data-loss", "crs:dpv-relatedMatch"),
                     ("category-market", "crs:dpv-closeMatch"),
                     ("strategy-backup-restore-drills", "crs:control-relatedMatch"),
                     ("strategy-backup-restore-drills", "crs:control-references"),
                     ("strategy-backup-restore-drills", "crs:control-no-close")):
        assert expected in found, (expected, sorted(found))


def test_mapping_figures(onto):
    """The counts quoted in the final report and docs/ontology.md (kept honest by this test)."""
    def count(pred, subj_prefix=None, obj_prefix=None):
        return sum(1 for s, o in onto.subject_objects(pred)
                   if (subj_prefix is None or str(s).startswith(subj_prefix))
                   and (obj_prefix is None or str(o).startswith(obj_prefix)))
    enisa = str(CRK) + "enisa-"
    to_dpv = {p: sum(count(p, obj_prefix=ns) for ns in DPV_NS) for p in MATCHES}
    assert to_dpv[SKOS.exactMatch] == 5
    assert sum(to_dpv.values()) >= 80
    assert count(SKOS.relatedMatch, obj_prefix=NIST_NS) >= 40
    assert count(SKOS.relatedMatch, obj_prefix=D3F_NS) >= 6
    assert count(DCTERMS.references, obj_prefix=CCM_NS) >= 15
    assert sum(count(p, subj_prefix=enisa) for p in MATCHES) >= 50
