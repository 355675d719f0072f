"""The shipped ontology: complete, bilingual, valid, and every risk has something to do about it."""
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, SKOS

from ontology import CR, OntologyError, build_lexicon, load, ontology_stats, validate_ontology
from ontology.load import ontology_files
from ontology.namespace import CATEGORIES, CLAUSE_TYPES, CRK, PHASES, TREATMENTS
from ontology.stats import risks_without_strategy


@pytest.fixture(scope="module")
def onto():
    return load()


def test_shipped_ontology_conforms_to_its_shapes(onto):
    violations = validate_ontology(onto)
    assert violations == [], "\n".join(v.line() for v in violations)


def test_ontology_has_the_content_the_issue_asks_for(onto):
    stats = ontology_stats(onto.graph)
    assert stats["risks"] >= 30
    assert stats["causes"] >= 30
    assert stats["indicators"] >= 15
    assert stats["strategies"] >= 40
    assert stats["bilingual_label_coverage"] == 1.0
    assert stats["risks_without_strategy"] == 0


def test_fixed_identifiers_of_the_design_exist_as_notations(onto):
    g = onto.graph
    for cls, ids in ((CR.RiskCategory, CATEGORIES), (CR.Phase, PHASES),
                     (CR.TreatmentType, TREATMENTS), (CR.ClauseType, CLAUSE_TYPES)):
        notations = {str(g.value(c, SKOS.notation)) for c in g.subjects(RDF.type, cls)}
        assert set(ids) <= notations, (cls, set(ids) - notations)


@pytest.mark.parametrize("risk", [
    # seed paper section 3
    "risk-architecture-incompatibility", "risk-technology-obsolescence", "risk-goal-misalignment",
    "risk-communication-breakdown", "risk-cultural-conflict", "risk-cross-border-data-transfer",
    "risk-privacy-noncompliance", "risk-contract-ambiguity", "risk-demand-uncertainty",
    "risk-intense-competition", "risk-funding-shortfall", "risk-cost-overrun", "risk-long-payback",
    # what a practitioner adds
    "risk-vendor-lock-in", "risk-sla-breach", "risk-key-staff-turnover", "risk-partner-exit",
    "risk-data-breach", "risk-tenant-isolation-failure", "risk-exchange-rate-exposure",
])
def test_risk_is_in_the_ontology_with_category_cause_and_strategy(onto, risk):
    g = onto.graph
    node = CRK[risk]
    assert (node, RDF.type, CR.Risk) in g
    assert g.value(node, CR.category) is not None
    assert list(g.objects(node, CR.hasCause)), f"{risk} has no cause"
    assert str(node) not in risks_without_strategy(g)


def test_every_concept_has_alt_labels_in_both_languages_for_the_extractor(onto):
    lexicon = [e for e in build_lexicon(onto.graph) if e.kind == "risk"]
    assert lexicon
    for entry in lexicon:
        assert len(entry.labels.get("zh", ())) >= 2, entry.iri
        assert len(entry.labels.get("en", ())) >= 2, entry.iri


def test_every_kri_has_metric_unit_direction_and_ordered_thresholds(onto):
    g = onto.graph
    kris = list(g.subjects(RDF.type, CR.Indicator))
    assert len(kris) >= 15
    for k in kris:
        direction = str(g.value(k, CR.direction))
        warn = float(g.value(k, CR.warningThreshold))
        alarm = float(g.value(k, CR.alarmThreshold))
        assert g.value(k, CR.unit) is not None
        assert list(g.objects(k, CR.signals))
        assert (alarm >= warn) if direction == "higher-is-worse" else (alarm <= warn), k


def test_every_strategy_has_treatment_phase_and_a_target(onto):
    g = onto.graph
    for s in g.subjects(RDF.type, CR.Strategy):
        assert g.value(s, CR.treatment) is not None, s
        assert list(g.objects(s, CR.inPhase)), s
        assert list(g.objects(s, CR.mitigates)) or list(g.objects(s, CR.addresses)), s


def test_ontology_is_versioned():
    g = load().graph
    from rdflib import URIRef
    from rdflib.namespace import OWL

    version = g.value(URIRef("https://w3id.org/corisk/ontology"), OWL.versionIRI)
    assert version is not None and str(version).startswith("https://w3id.org/corisk/ontology/")


def test_broken_turtle_file_gives_one_error_naming_file_and_line(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e ex:f\nex:g ex:h ex:i .\n',
                   encoding="utf-8")
    with pytest.raises(OntologyError) as info:
        load([*ontology_files(), bad])
    message = str(info.value)
    assert "broken.ttl:" in message
    line = int(message.split("broken.ttl:")[1].split(":")[0])
    assert line in (3, 4)  # the statement that lacks its '.' ends on line 3; the parser notices on 4
    assert "Traceback" not in message


def test_a_kri_without_alarm_threshold_is_reported_with_node_rule_and_file(tmp_path):
    files = ontology_files()
    indicators = next(f for f in files if f.name == "indicators.ttl")
    g = load([indicators]).graph
    kri = sorted(g.subjects(RDF.type, CR.Indicator), key=str)[0]
    text = indicators.read_text(encoding="utf-8")
    broken = tmp_path / "indicators.ttl"
    # drop the triple in a copy: serialise the graph without it
    g.remove((kri, CR.alarmThreshold, None))
    g.serialize(broken, format="turtle")
    assert text  # the shipped file itself is untouched
    loaded = load([f if f != indicators else broken for f in files])
    violations = validate_ontology(loaded)
    hits = [v for v in violations if v.focus.endswith(str(kri).rsplit("/", 1)[1])]
    assert hits, [v.line() for v in violations]
    assert any("kri-alarm" in v.rule for v in hits)
    assert all(v.file and v.file.endswith("indicators.ttl") for v in hits)


def test_a_risk_without_category_or_english_label_is_a_violation(tmp_path):
    files = ontology_files()
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        '@prefix cr: <https://w3id.org/corisk/ontology#> . @prefix crk: <https://w3id.org/corisk/id/> .\n'
        '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
        'crk:risk-test-orphan a cr:Risk , skos:Concept ; skos:inScheme crk:scheme-risks ;\n'
        '  skos:prefLabel "孤立风险"@zh ; skos:definition "测试"@zh , "test"@en .\n', encoding="utf-8")
    violations = validate_ontology(load([*files, extra]))
    rules = {v.rule for v in violations if v.focus == "risk-test-orphan"}
    assert "crs:prefLabel-en" in rules
    assert "crs:risk-category" in rules
