"""The case base as a knowledge officer handles it: YAML files, spreadsheets, the web API and pages."""
from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from graph.cases import CaseError, case_files, case_from_graph, case_to_graph, parse_case, read_case_file
from graph.io import (
    COLUMNS, read_cases_csv, read_cases_xlsx, row_to_case, write_cases_csv, write_cases_xlsx,
)
from service.app import create_app
from service.settings import Settings

from .conftest import REPO, case_doc


def test_a_case_survives_the_trip_through_rdf():
    case = parse_case(case_doc())
    assert case_from_graph(case_to_graph(case), case.iri) == case.canonical()


def test_a_case_with_a_mistyped_field_gets_one_clear_sentence():
    with pytest.raises(CaseError, match="phase"):
        parse_case(case_doc(phase="operations"))
    with pytest.raises(CaseError, match="id"):
        parse_case(case_doc("Bad Id"))


def test_every_shipped_case_file_fits_the_case_layout():
    files = case_files(REPO / "corpus" / "cases")
    assert files, "the corpus has case files"
    for path in files:
        case = read_case_file(path)
        assert case.id == path.stem
        assert case.synthetic == (path.parent.name == "synthetic")


def test_cases_round_trip_through_csv_and_xlsx(tmp_path):
    tricky = {"en": "a | b \\ c, \"quoted\"", "zh": "甲 | 乙"}
    cases = [parse_case(case_doc()),
             parse_case(case_doc("second", synthetic=True, sources=[], lessons={"en": ["x | y"], "zh": []},
                                 risks=[{"concept": "risk-cost-overrun", "note": tricky}]))]
    write_cases_csv(cases, tmp_path / "cases.csv")
    write_cases_xlsx(cases, tmp_path / "cases.xlsx")
    assert read_cases_csv(tmp_path / "cases.csv") == cases
    assert read_cases_xlsx(tmp_path / "cases.xlsx") == cases


def test_a_spreadsheet_row_with_a_bad_cell_names_row_and_column():
    row = {c: "" for c in COLUMNS} | {"id": "x", "title_en": "t", "title_zh": "t", "summary_en": "s",
                                      "summary_zh": "s", "risks": "risk-data-loss", "strategies": "strategy-x effective"}
    with pytest.raises(CaseError, match="row 7, column strategies"):
        row_to_case(row, "cases.csv, row 7")


# ------------------------------------------------------------------------------------------ HTTP API
@pytest.fixture
def client(loaded_store_dir, mini_cases_dir):
    app = create_app(Settings(store=str(loaded_store_dir), cases_dir=mini_cases_dir))
    with TestClient(app) as c:
        yield c
    app.state.corisk.store().close()


def test_listing_cases_filters_by_category_phase_and_real(client):
    doc = client.get("/api/v1/cases").json()
    assert (doc["count"], doc["total"], doc["total_real"]) == (3, 3, 2)
    ids = lambda q: [c["id"] for c in client.get("/api/v1/cases", params=q).json()["cases"]]  # noqa: E731
    assert ids({"category": "technical"}) == ["hk-zone-outage", "syn-budget-overrun"]
    assert ids({"category": "financial", "phase": "preparation"}) == ["jv-board-deadlock"]
    assert ids({"real": "false"}) == ["syn-budget-overrun"]
    assert client.get("/api/v1/cases", params={"category": "nonsense"}).status_code == 422


def test_stats_count_cases_and_real_cases(client):
    stats = client.get("/api/v1/ontology/stats").json()
    assert (stats["cases"], stats["cases_real"]) == (3, 2)


def test_creating_editing_and_deleting_a_case_over_http(client):
    doc = case_doc("new-case")
    created = client.post("/api/v1/cases", json=doc)
    assert created.status_code == 201 and created.json()["id"] == "new-case"
    assert client.post("/api/v1/cases", json=doc).status_code == 409  # exists already
    doc["title"]["en"] = "Renamed"
    assert client.put("/api/v1/cases/new-case", json=doc).json()["title"]["en"] == "Renamed"
    assert client.get("/api/v1/cases/new-case").json()["title"]["en"] == "Renamed"
    assert client.delete("/api/v1/cases/new-case").status_code == 204
    assert client.get("/api/v1/cases/new-case").status_code == 404
    assert client.get("/api/v1/cases").json()["total"] == 3


def test_an_invalid_case_is_refused_with_the_node_and_rule(client):
    doc = case_doc("bad-case", strategies=[{"concept": "strategy-no-such", "outcome": "effective"}])
    res = client.post("/api/v1/cases", json=doc)
    assert res.status_code == 422
    body = res.json()
    assert "nothing was written" in body["error"]
    assert any(v["rule"] == "crs:application-strategy" for v in body["violations"])
    assert client.get("/api/v1/cases/bad-case").status_code == 404


def test_spreadsheet_export_and_import_over_http(client):
    xlsx = client.get("/api/v1/cases/export", params={"format": "xlsx"})
    assert xlsx.status_code == 200
    cases = read_cases_xlsx(data=xlsx.content, name="export.xlsx")
    assert [c.id for c in cases] == ["hk-zone-outage", "jv-board-deadlock", "syn-budget-overrun"]
    renamed = [c.model_copy(update={"id": c.id + "-copy"}) for c in cases]
    buf = io.StringIO()
    write_cases_csv(renamed, buf)
    res = client.post("/api/v1/cases/import", files={"file": ("cases.csv", buf.getvalue().encode(), "text/csv")})
    assert res.json() == {"imported": 3, "unit": "cases"}
    assert client.get("/api/v1/cases").json()["total"] == 6
    ttl = client.get("/api/v1/cases/export", params={"format": "turtle"})
    assert b"case-hk-zone-outage-copy" in ttl.content


def test_the_case_pages_render_from_the_same_documents(client):
    page = client.get("/cases", params={"category": "technical"})
    assert page.status_code == 200
    assert "hk-zone-outage" in page.text and "jv-board-deadlock" not in page.text
    detail = client.get("/cases/hk-zone-outage")
    assert detail.status_code == 200
    assert "制冷故障导致可用区下线" in detail.text and "https://example.org/report" in detail.text
    assert client.get("/cases/no-such-case").status_code == 404


def test_a_fresh_store_is_loaded_on_first_start(tmp_path, mini_cases_dir):
    app = create_app(Settings(store=str(tmp_path / "fresh"), cases_dir=mini_cases_dir))
    try:
        with TestClient(app) as c:
            health = c.get("/api/v1/health").json()
            assert health["ontology_triples"] > 1000
            total = c.get("/api/v1/cases").json()["total"]
            # the shipped ontology may lack a concept a test case names: such a case is skipped, never half-loaded
            assert 1 <= total <= 3
    finally:
        app.state.corisk.store().close()
