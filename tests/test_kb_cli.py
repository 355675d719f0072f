"""`corisk kb …` as a knowledge officer types it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from graph.cases import CaseBase
from graph.store import CASES_GRAPH, open_store
from service.cli import app

runner = CliRunner()
CORISK = str(Path(sys.executable).parent / "corisk")


def kb(*args: str):
    return runner.invoke(app, ["kb", *args], catch_exceptions=False)


def test_load_then_stats_counts_the_cases(store_dir, mini_cases_dir, mini_ontology_files, monkeypatch):
    res = kb("load", "--store", str(store_dir), "--cases", str(mini_cases_dir), "--format", "json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    # the shipped ontology decides which test cases fit; none is ever half-loaded
    assert report["cases"] + len(report["skipped"]) == 3 or report["cases"] == 3
    stats = json.loads(kb("stats", "--store", str(store_dir), "--format", "json").stdout)
    assert stats["cases"] == report["cases"] and stats["graphs"]
    res = kb("reindex", "--store", str(store_dir))
    assert res.exit_code == 0 and "rebuilt the case index: technical" in res.stderr


def test_validate_reports_each_broken_case_with_file_and_rule(tmp_path, mini_cases_dir):
    import shutil

    cases = tmp_path / "cases"
    shutil.copytree(mini_cases_dir, cases)
    bad = cases / "real" / "hk-zone-outage.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("risk-sla-breach", "risk-not-in-ontology"), encoding="utf-8")
    res = kb("validate", "--cases", str(cases), "--format", "json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert any(v["rule"] == "crs:case-risk" and v["file"].endswith("hk-zone-outage.yaml") for v in doc["violations"])


def test_export_import_backup_restore_round_trip(loaded_store_dir, tmp_path):
    s = str(loaded_store_dir)
    for fmt in ("turtle", "trig", "jsonld", "nquads", "csv", "xlsx"):
        res = kb("export", "--store", s, "--format", fmt, "--output", str(tmp_path / f"kb.{fmt}"))
        assert res.exit_code == 0 and (tmp_path / f"kb.{fmt}").stat().st_size > 0, res.output
    assert kb("backup", str(tmp_path / "kb.nq.gz"), "--store", s).exit_code == 0
    with open_store(loaded_store_dir) as store:
        original = {q for q in store.quads()}
        CaseBase(store).delete("hk-zone-outage")
    assert kb("import", str(tmp_path / "kb.xlsx"), "--store", s).exit_code == 0
    with open_store(loaded_store_dir) as store:
        assert CaseBase(store).exists("hk-zone-outage")
    assert kb("restore", str(tmp_path / "kb.nq.gz"), "--store", s).exit_code == 0
    with open_store(loaded_store_dir) as store:
        assert store.count() == len(original)
        assert CaseBase(store).counts() == (3, 2)


def test_an_import_of_a_broken_file_says_where_and_writes_nothing(loaded_store_dir, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix crk: <https://w3id.org/corisk/id/> .\ncrk:a crk:b .\n", encoding="utf-8")
    with open_store(loaded_store_dir) as store:
        before = store.count(CASES_GRAPH)
    res = subprocess.run([CORISK, "kb", "import", str(broken), "--store", str(loaded_store_dir)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert "broken.ttl is not valid Turtle" in res.stderr and "Traceback" not in res.stderr
    res = subprocess.run([CORISK, "kb", "export", "--format", "rdfxml", "--output", str(tmp_path / "x"),
                          "--store", str(loaded_store_dir)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and "unknown format 'rdfxml'" in res.stderr and "Traceback" not in res.stderr
    with open_store(loaded_store_dir) as store:
        assert store.count(CASES_GRAPH) == before


def test_writing_while_a_server_holds_the_store_gives_one_clear_sentence(loaded_store_dir, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "from graph.store import open_store; import sys, time; "
                               f"s = open_store({str(loaded_store_dir)!r}); print('held', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        res = subprocess.run([CORISK, "kb", "restore", str(tmp_path / "none.nq"), "--store", str(loaded_store_dir)],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 1
        assert "in use by a running corisk serve" in res.stderr and "--store URL" in res.stderr
        assert "Traceback" not in res.stderr
        res = subprocess.run([CORISK, "kb", "stats", "--store", str(loaded_store_dir), "--format", "json"],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0 and json.loads(res.stdout)["cases"] == 3  # reads use a read-only snapshot
    finally:
        holder.kill()
        holder.wait()


def test_an_unreachable_endpoint_is_one_clear_sentence():
    res = subprocess.run([CORISK, "kb", "stats", "--store", "http://127.0.0.1:9/query"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert "cannot reach the SPARQL endpoint" in res.stderr and "Traceback" not in res.stderr
