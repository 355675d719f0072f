"""Extraction from notes: categories in both languages, negation, mixed language, offsets."""
import pytest

from nlp.extract import Extractor, concepts_from_text

CATEGORY_CASES = {
    ("technical", "zh"): "- 双方云平台接口不兼容，数据交换时容易出错",
    ("technical", "en"): "- Meridian runs OpenStack and Helios runs VMware: the APIs don't line up and integration may fail",
    ("cooperation", "zh"): "- 华拓那边更看重短期营收，我们想先把份额做起来，双方目标不一致",
    ("cooperation", "en"): "- Their only architect understands the billing system; if he leaves nobody can take over",
    ("legal", "zh"): "- 海外客户的数据要回传国内，数据出境合规要先问法务",
    ("legal", "en"): "- Customer logs are sent to the partner's team in India without SCCs: cross-border transfer is not covered",
    ("market", "zh"): "- 头部公有云厂商在打价格战，我们很可能被挤压",
    ("market", "en"): "- Hyperscalers will undercut any list price we publish and start a price war",
    ("financial", "zh"): "- 首期投入大概 8000 万，资金来源只有两家股东自筹，资金缺口很大",
    ("financial", "en"): "- Capex for the second cluster is not funded yet and we face a funding shortfall",
}


@pytest.fixture(scope="module")
def ex():
    return Extractor.load()


@pytest.mark.parametrize("category,lang", sorted(CATEGORY_CASES))
def test_each_category_is_found_in_each_language(ex, category, lang):
    text = CATEGORY_CASES[(category, lang)]
    doc = ex.extract_text(text)
    assert doc["language"] == lang
    cats = {c for r in doc["risks"] for c in r["categories"]}
    assert category in cats, doc["risks"]
    for r in doc["risks"]:
        assert r["concept"] is None or r["concept"].startswith("https://w3id.org/corisk/id/risk-")


def test_negated_statements_go_to_dismissed_with_a_reason(ex):
    text = "- 首期只做国内政企客户，本项目不涉及个人信息。\n- No personal data is involved in the pilot."
    doc = ex.extract_text(text)
    assert not any("个人信息" in r["text"] or "personal data" in r["text"] for r in doc["risks"])
    assert len(doc["dismissed"]) >= 2
    assert all(r["reason"] in ("negated", "hypothetical-none") for r in doc["dismissed"])


@pytest.mark.parametrize("text", [
    "数据出境未做安全评估，存在合规风险。",
    "客户数据未加密就上传到了公网桶。",
    "We have not done a security assessment of the transfer to the partner in Singapore.",
])
def test_a_required_step_not_taken_is_a_risk_not_a_ruled_out_one(ex, text):
    doc = ex.extract_text(text)
    assert doc["risks"] and not doc["dismissed"], doc
    assert "legal" in doc["risks"][0]["categories"] or "technical" in doc["risks"][0]["categories"]


def test_a_ruled_out_risk_stays_dismissed_next_to_a_missing_step_cue(ex):
    doc = ex.extract_text("渗透测试未发现未授权访问，本期不涉及个人信息。")
    assert doc["risks"] == [] and doc["dismissed"], doc


def test_a_pasted_list_of_risk_names_gives_one_risk_per_item(ex):
    doc = ex.extract_text("风险点：\n- 汇率风险\n- vendor lock-in\n- 关键人员流失\n")
    concepts = [r["concept"].rsplit("/", 1)[-1] for r in doc["risks"]]
    assert concepts == ["risk-exchange-rate-exposure", "risk-vendor-lock-in", "risk-key-staff-turnover"], doc["risks"]
    assert not any(r["text"].startswith("风险点") for r in doc["risks"])


def test_agenda_items_and_small_talk_yield_nothing(ex):
    text = "时间：3月6日下午  地点：3号会议室\n会后大家一起去吃了楼下的云南菜。\nLunch was good, thanks to Meridian for hosting."
    doc = ex.extract_text(text)
    assert doc["risks"] == []


def test_mixed_language_notes_are_read_as_chinese_with_english_terms(ex):
    doc = ex.extract_text("- partner 的 IAM 和我们的 SSO 对不上，login flow 还在改\n- SLA 违约的话要赔钱")
    assert doc["language"] == "zh" and doc["mixed"] is True
    assert doc["risks"]


def test_empty_input_gives_an_empty_document(ex):
    doc = ex.extract_text("   \n")
    assert doc["risks"] == [] and doc["dismissed"] == []
    assert set(doc) >= {"source", "language", "kind", "risks", "dismissed", "clauses", "missing_clauses"}


def test_offsets_always_slice_the_original_text(ex):
    from nlp.corpus import load_corpus

    for d in load_corpus(("dev",))[:6]:
        text = "\r\n  " + d.text  # leading noise: offsets must still be into the submitted text
        out = ex.extract_text(text)
        for r in out["risks"] + out["dismissed"]:
            assert text[r["start"]:r["end"]] == r["text"]
            assert 0 <= r["confidence"] <= 1
        for c in out["clauses"]:
            assert text[c["start"]:c["end"]] == c["text"]


def test_the_advisor_gets_concepts_from_free_text(ex):
    got = concepts_from_text("我们担心双方系统接口不兼容，而且不涉及个人信息。", extractor=ex)
    assert got and all(g["concept"].startswith("https://w3id.org/corisk/id/risk-") for g in got)
    assert "https://w3id.org/corisk/id/risk-privacy-noncompliance" not in [g["concept"] for g in got]
