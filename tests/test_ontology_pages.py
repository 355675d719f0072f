"""The first pages of `make run`: categories on the home page, concept pages, and their JSON twins."""
import html
import re

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    with TestClient(create_app(Settings(home=home))) as c:
        yield c


def test_home_page_lists_the_five_categories_in_both_languages(client):
    page = client.get("/")
    assert page.status_code == 200
    for notation, zh in (("technical", "技术"), ("cooperation", "合作"), ("legal", "法律"),
                         ("market", "市场"), ("financial", "财务")):
        assert f'id="category-{notation}"' in page.text
        assert zh in page.text
    api = client.get("/api/v1/categories").json()
    assert [c["notation"] for c in api["categories"]] == ["technical", "cooperation", "legal", "market", "financial"]
    assert all(c["risks"] for c in api["categories"])


def test_concept_page_and_its_json_twin_agree(client):
    doc = client.get("/api/v1/concepts/risk-vendor-lock-in").json()
    page = client.get("/concepts/risk-vendor-lock-in")
    assert page.status_code == 200
    shown = html.unescape(page.text)
    assert doc["label"]["zh"] in shown and doc["label"]["en"] in shown
    assert doc["definition"]["en"] in shown
    linked = set(re.findall(r'href="/concepts/([^"]+)"', page.text))
    for key in ("causes", "indicators", "strategies", "strategies_via_causes", "categories"):
        for item in doc.get(key, []):
            assert item["id"] in linked, (key, item["id"])
    assert doc["causes"], "a risk page shows its causes"
    assert doc["strategies"] or doc["strategies_via_causes"], "a risk page shows what to do"


def test_strategy_page_links_back_to_its_risks(client):
    doc = client.get("/api/v1/concepts").json()
    strategy = next(c for c in doc["concepts"] if c["kind"] == "strategy")
    sdoc = client.get(f"/api/v1/concepts/{strategy['id']}").json()
    page = client.get(f"/concepts/{strategy['id']}").text
    assert sdoc["treatment"] in ("avoid", "reduce", "transfer", "accept")
    for risk in sdoc["risks"]:
        assert f'href="/concepts/{risk["id"]}"' in page


def test_kri_page_shows_thresholds(client):
    kri = client.get("/api/v1/concepts/kri-availability").json()
    page = client.get("/concepts/kri-availability").text
    assert kri["direction"] in ("higher-is-worse", "lower-is-worse")
    assert str(kri["alarm_threshold"]) in page


def test_unknown_concept_is_a_clear_404_on_page_and_api(client):
    api = client.get("/api/v1/concepts/risk-does-not-exist")
    assert api.status_code == 404
    assert "no concept 'risk-does-not-exist'" in api.json()["error"]
    page = client.get("/concepts/risk-does-not-exist")
    assert page.status_code == 404 and "no concept" in page.text


def test_health_answers(client):
    health = client.get("/api/v1/health").json()
    assert health["status"] == "ok" and health["ontology_triples"] > 1000
