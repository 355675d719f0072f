"""`corisk extract`, `POST /api/v1/extract` and the /extract page follow the same JSON contract."""
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.app import create_app
from service.cli import app as cli
from tests.fixtures.make_fixtures import make_docx, make_pdf

RISK_KEYS = {"text", "start", "end", "sentence", "category", "concept", "label", "confidence", "causes", "indicators"}
DOC_KEYS = {"source", "language", "kind", "risks", "dismissed", "clauses", "missing_clauses"}


def _check_contract(doc, texts):
    assert "documents" in doc and doc["extractor"]["version"].startswith("corisk-extract ")
    for d, text in zip(doc["documents"], texts):
        assert DOC_KEYS <= set(d)
        for r in d["risks"]:
            assert RISK_KEYS <= set(r)
            assert r["category"] in ("technical", "cooperation", "legal", "market", "financial")
            if text is not None:
                assert text[r["start"]:r["end"]] == r["text"]
        for r in d["dismissed"]:
            assert RISK_KEYS <= set(r) and r["reason"]


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def test_cli_reads_stdin_and_prints_the_json_contract():
    text = "- 双方云平台接口不兼容，需评估\n- 本项目不涉及个人信息\n"
    res = CliRunner().invoke(cli, ["extract", "-", "--format", "json"], input=text)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    _check_contract(doc, [text])
    assert doc["documents"][0]["risks"] and doc["documents"][0]["dismissed"]


def test_cli_extracts_a_folder_of_pdf_and_docx_with_two_workers(tmp_path: Path):
    make_pdf(tmp_path / "a.pdf")
    make_docx(tmp_path / "b.docx")
    res = CliRunner().invoke(cli, ["extract", str(tmp_path), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [Path(d["source"]).name for d in doc["documents"]] == ["a.pdf", "b.docx"]
    _check_contract(doc, [None, None])
    assert all(d["risks"] for d in doc["documents"])


def test_cli_gives_one_clear_line_for_an_unsupported_file(tmp_path: Path):
    import subprocess
    import sys

    import os

    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04garbage")
    # the path is refused before the model is loaded: an empty model folder (or one being rebuilt by a
    # concurrent `corisk train`) must neither be built nor change the one-line error
    env = {**os.environ, "CORISK_MODEL": str(tmp_path / "no-model")}
    res = subprocess.run([sys.executable, "-m", "service.cli", "extract", str(p)], capture_output=True, text=True,
                         env=env, timeout=60)
    assert res.returncode == 1
    assert "unsupported file type" in res.stderr and "Traceback" not in res.stderr
    assert "building" not in res.stderr and not (tmp_path / "no-model").exists()


def test_api_accepts_json(client):
    text = "SLA 违约的风险很高。No personal data is involved."
    res = client.post("/api/v1/extract", json={"text": text, "kind": "notes", "lang": "auto"})
    assert res.status_code == 200
    _check_contract(res.json(), [text])


def test_api_accepts_a_file_upload(client, tmp_path: Path):
    pdf = make_pdf(tmp_path / "n.pdf")
    res = client.post("/api/v1/extract", files={"file": ("n.pdf", pdf.read_bytes(), "application/pdf")})
    assert res.status_code == 200
    assert res.json()["documents"][0]["risks"]


def test_api_refuses_binary_garbage_with_a_clear_error(client):
    res = client.post("/api/v1/extract", files={"file": ("x.txt", bytes(range(256)) * 10, "text/plain")})
    assert res.status_code == 422 and "binary" in res.json()["error"]


def test_the_extract_page_highlights_the_evidence(client):
    assert client.get("/extract").status_code == 200
    res = client.post("/extract", data={"text": "- 双方云平台接口不兼容，需评估", "kind": "auto", "lang": "auto"})
    assert res.status_code == 200
    assert "<mark" in res.text and "接口不兼容" in res.text
