"""The console script's ontology commands, run the way a user runs them."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CORISK = str(Path(sys.executable).with_name("corisk"))


def run(*args, tmp_path, check=False):
    env = {**os.environ, "CORISK_HOME": str(tmp_path)}
    return subprocess.run([CORISK, *args], capture_output=True, text=True, env=env, timeout=300, check=check)


def test_validate_says_the_shipped_ontology_conforms(tmp_path):
    result = run("ontology", "validate", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stderr


def test_stats_json_has_the_figures_a_knowledge_officer_checks(tmp_path):
    result = run("ontology", "stats", "--format", "json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    for key in ("risks", "causes", "indicators", "strategies", "cases", "bilingual_label_coverage",
                "risks_without_strategy", "shacl_conforms"):
        assert key in doc
    assert doc["risks"] >= 30 and doc["strategies"] >= 40
    assert doc["bilingual_label_coverage"] == 1.0
    assert doc["risks_without_strategy"] == 0
    assert doc["shacl_conforms"] is True


def test_validate_a_broken_file_prints_one_clear_line_and_fails(tmp_path):
    bad = tmp_path / "mine.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \"open string .\n", encoding="utf-8")
    result = run("ontology", "validate", str(bad), tmp_path=tmp_path)
    assert result.returncode != 0
    assert "mine.ttl:2" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_validate_reports_each_violation_with_file_node_and_rule(tmp_path):
    core = Path(__file__).resolve().parent.parent / "ontology" / "core.ttl"
    schemes = sorted((core.parent / "schemes").glob("*.ttl"))
    bad = tmp_path / "half.ttl"
    bad.write_text(
        '@prefix cr: <https://w3id.org/corisk/ontology#> . @prefix crk: <https://w3id.org/corisk/id/> .\n'
        '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
        'crk:strategy-test-nothing a cr:Strategy , skos:Concept ; skos:inScheme crk:scheme-strategies ;\n'
        '  skos:prefLabel "空策略"@zh , "empty strategy"@en ; skos:definition "测试"@zh , "test"@en .\n',
        encoding="utf-8")
    result = run("ontology", "validate", str(core), *map(str, schemes), str(bad), tmp_path=tmp_path)
    assert result.returncode == 1
    lines = [l for l in result.stdout.splitlines() if "strategy-test-nothing" in l]
    assert lines, result.stdout
    assert all("half.ttl" in l for l in lines)
    assert any("strategy-treatment" in l for l in lines)
    assert any("strategy-phase" in l for l in lines)


def test_no_arguments_shows_help_not_a_traceback(tmp_path):
    result = run(tmp_path=tmp_path)
    assert "Usage" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
