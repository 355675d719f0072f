"""Contracts: clauses, types, missing clauses, clause-content risks."""
import pytest

from nlp.clauses import segment
from nlp.extract import Extractor

CONTRACT_NO_DISPUTE = """云桥联合运营协议

甲方：北京星衡数据科技有限公司
乙方：华拓云计算（深圳）有限公司

第一条 收益分配
1.1 平台净收入由双方按 6:4 比例分配。
第二条 付款
2.1 双方应于每季度结束后三十日内完成结算。
第三条 保密
3.1 双方对在合作中获知的对方商业秘密负有保密义务。
第四条 违约责任
4.1 任何一方违反本协议约定的，应赔偿守约方因此遭受的全部损失。
第五条 适用法律
5.1 本协议适用中华人民共和国法律。
"""


@pytest.fixture(scope="module")
def ex():
    return Extractor.load()


def test_articles_are_segmented():
    spans = segment(CONTRACT_NO_DISPUTE)
    assert [s.heading.split()[0] for s in spans] == ["第一条", "第二条", "第三条", "第四条", "第五条"]


def test_a_contract_missing_its_dispute_clause_is_flagged(ex):
    doc = ex.extract_text(CONTRACT_NO_DISPUTE)
    assert doc["kind"] == "contract"
    types = [c["type"] for c in doc["clauses"]]
    assert types == ["revenue_sharing", "payment", "confidentiality", "liability", "governing_law"]
    assert "dispute_resolution" in doc["missing_clauses"]
    assert "governing_law" not in doc["missing_clauses"]
    for c in doc["clauses"]:
        assert CONTRACT_NO_DISPUTE[c["start"]:c["end"]] == c["text"]


def test_an_uncapped_liability_and_a_forumless_dispute_clause_raise_risks(ex):
    text = ("CLOUD RESELLER AGREEMENT\nThis agreement is made between the parties.\n"
            "1. LIABILITY\n1.1 The Supplier shall be liable without limitation for any loss.\n"
            "2. DISPUTES\n2.1 Any dispute shall be settled amicably by the parties.\n"
            "3. GOVERNING LAW\n3.1 This agreement is governed by the laws of Ireland.\n")
    doc = ex.extract_text(text, kind="contract")
    concepts = [r["concept"] for r in doc["risks"]]
    assert concepts.count("https://w3id.org/corisk/id/risk-contract-dispute") >= 2, doc["risks"]
    for r in doc["risks"]:
        assert text[r["start"]:r["end"]] == r["text"]
