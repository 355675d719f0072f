"""Contract-content rules (nlp/clauses.py CONTENT_RULES): wording whose content is a risk, in both
languages, and the same clause drafted with its remedy raising nothing."""
import pytest

from nlp.clauses import CONTENT_RULES, content_rule_hits


def concepts(sentence: str) -> set[str]:
    return {CONTENT_RULES[k][1] for k in content_rule_hits(sentence)}


@pytest.mark.parametrize("risky, drafted, concept", [
    ("All resolutions of the steering committee require the unanimous approval of both parties.",
     "Resolutions require unanimous approval; a deadlock is escalated to the chief executives and then to "
     "arbitration.", "risk-decision-deadlock"),
    ("联合管理委员会的全部决议须经全体委员一致同意方可通过。",
     "联合管理委员会的决议须经全体委员一致同意；出现僵局的，提交双方总经理最终决定。", "risk-decision-deadlock"),
    ("The Operator shall be jointly and severally liable for all losses without any limit.",
     "Each party's aggregate liability shall not exceed the fees paid in the preceding twelve months.",
     "risk-contract-dispute"),
    ("乙方对甲方的一切损失承担连带赔偿责任。", "任何一方的累计赔偿责任以本协议项下已付费用总额为限。", "risk-contract-dispute"),
    ("Party A shall pay the second capital instalment when the board considers it necessary.",
     "Party A shall pay the second capital instalment within 30 days of the board resolution.", "risk-funding-delay"),
    ("甲方将视情况另行通知乙方拨付第二期出资。", "甲方应于本协议生效后三十日内拨付第二期出资。", "risk-funding-delay"),
    ("Any dispute arising out of this Agreement shall be settled through friendly negotiation.",
     "Any dispute not settled by negotiation within 30 days shall be referred to arbitration under the SIAC rules.",
     "risk-contract-dispute"),
    ("因本协议产生的争议，双方应友好协商解决。", "因本协议产生的争议，协商不成的，提交上海国际仲裁中心仲裁。", "risk-contract-dispute"),
    ("The Provider may share usage data with its affiliates for product analytics.",
     "The Provider may share usage data with its affiliates only with the customer's prior consent.",
     "risk-privacy-noncompliance"),
    ("乙方可将平台用户数据提供给其关联公司用于营销分析。", "未经用户书面同意，乙方不得向关联公司提供平台用户数据。",
     "risk-privacy-noncompliance"),
    ("Either party may terminate this Agreement at any time without notice.",
     "Either party may terminate this Agreement on 180 days' prior written notice, with an exit plan.",
     "risk-partner-exit"),
    ("任何一方可随时单方解除本协议。", "任何一方提前六个月书面通知并完成数据移交后，可解除本协议。", "risk-partner-exit"),
    ("The Provider shall provide such support as reasonably required.",
     "The Provider shall provide the support set out in Schedule 2, with at least 8 engineers on site.",
     "risk-contract-ambiguity"),
    ("运维费用由双方另行商定。", "运维费用按附件三所列单价结算。", "risk-contract-ambiguity"),
])
def test_a_risky_clause_raises_its_risk_and_the_drafted_one_does_not(risky, drafted, concept):
    assert concept in concepts(risky)
    assert concept not in concepts(drafted)


def test_plain_sentences_raise_nothing():
    for s in ["The service was available 99.97 % of the month.", "双方于2024年3月签署本协议。",
              "This Agreement is made between the parties named below."]:
        assert content_rule_hits(s) == []


def test_gate_cues_see_numbers_hedges_and_content_rules():
    from nlp.model import N_CUE, cue_matrix

    M = cue_matrix(["Compute is at 84 % and response times rise at peak.", "万一主节点宕机怎么办？",
                    "因本协议产生的争议，双方应友好协商解决。", "The weather was fine today, we had a long lunch together."])
    rows = [set(M[i].indices) for i in range(M.shape[0])]
    assert {0, 1, 3} <= rows[0]                       # a number, a percentage, 75–90 %
    assert {6, 7} <= rows[1]                          # hedge, question
    k = next(i for i, r in enumerate(CONTENT_RULES) if r[0] == "negotiation-only")
    assert {8, N_CUE + k} <= rows[2]
    assert rows[3] == {11}                            # only its length bucket


def test_the_keyword_prefilter_never_hides_a_rule_on_the_corpus():
    """Each rule's trigger words (nlp/clauses.py _TRIGGERS) are in every sentence its pattern matches:
    checked on every sentence of the annotated training documents."""
    from nlp.clauses import _TRIGGERS
    from nlp.corpus import load_corpus
    from nlp.sentences import split_sentences

    n = 0
    for d in load_corpus(("train",)):
        for s, e in split_sentences(d.text):
            t = d.text[s:e]
            for name, _, _, _, pat, _ in CONTENT_RULES:
                if _TRIGGERS[name] is not None and pat.search(t):
                    n += 1
                    assert _TRIGGERS[name].search(t), (name, t)
    assert n > 100
