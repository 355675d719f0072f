"""Negation and ruled-out cues with scope, à la NegEx / negspaCy / ConText, for zh and en.

Four cue lists per language: pseudo (look like negation but are not: "不仅", "not only", and the
negatively phrased risks "未约定", "not aligned"), preceding (scope runs forward), following (scope
runs backward) and termination (ends a scope: "但是", "but"). A hypothetical-none cue ("暂无…迹象",
"no sign of") is a preceding cue whose reason is `hypothetical-none`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

ZH_PSEUDO = [
    "不仅", "不断", "无论", "不但", "难以避免", "不得不", "无法", "不能", "不清楚", "不明确", "不一致", "不足",
    "不够", "不稳定", "不兼容", "不统一", "未定", "未约定", "未明确", "没人", "没有人", "无人", "不确定",
    "不到位", "还没", "尚未", "未到位", "不及时", "跟不上", "对不上", "接不住", "不透明", "不设上限", "无上限",
    "没写清楚", "不上", "不了", "不住", "不下", "不起", "未作约定", "未约定", "没有约定", "没有明确", "不对等",
    "不合规", "不满足", "不符合", "不达标", "不完善", "不健全", "不畅", "不力", "不善", "不当", "不良", "不利",
    "不佳", "不再", "没法", "没办法", "无权", "未能", "没能", "不愿", "不肯", "没有备份", "没有冗余", "不知道",
    "没有任何", "不受控", "无约束", "无保障", "不可用", "不可控", "不出来", "不清", "不准", "不全", "不少", "不小",
    # a required step or control that was not taken is the risk ("数据出境未做安全评估", "未加密就上传"),
    # not a ruled-out one; "未发现…", "不涉及…" stay negation cues
    "未做", "未进行", "未开展", "未完成", "未签署", "未签", "未备案", "未取得", "未通过", "未落实", "未获批",
    "未批复", "未审批", "未加密", "未备份", "未评估", "未履行", "未按时", "未按期", "未及时", "未缴", "未支付", "未付款",
    "未交付", "未提供", "未到账", "未回款", "未修复", "未部署", "未启用", "未同步", "未测试", "未演练", "未验收", "未更新",
    "未脱敏", "未续约", "未续签", "没做", "没有做", "没签", "没有签", "没备案", "没加密", "没有加密", "没备份",
    "没测试", "没有测试", "没演练", "没有演练", "没评估", "没有评估", "没续约", "没写", "没有写", "没覆盖", "没有覆盖",
    "没到账", "没付", "没交付",
]
ZH_PRECEDING = [
    "不涉及", "未涉及", "并不涉及", "暂不涉及", "不存在", "并不存在", "并无", "暂无", "尚无", "均无", "毫无",
    "未发现", "没发现", "没有发现", "未出现", "没有出现", "未见", "看不到", "看不出", "排除了", "已排除", "排除",
    "不考虑", "无需担心", "不用担心", "不必担心", "不需要", "无需", "不会", "不构成", "不包含", "不处理",
    "不属于", "未收到", "未发生", "没有发生", "没发生", "并没有", "没有", "没", "无", "未", "不是", "非",
]
ZH_FOLLOWING = [
    "没有问题", "没问题", "不是问题", "无问题", "不成问题", "不是风险", "可以排除", "已排除", "并没有出现",
    "没有出现", "未出现", "不大", "很低", "极低", "不会成为障碍", "无异议", "已全部修复", "已修复", "已解决",
    "已恢复正常", "已转正", "均已通过", "全部通过", "不适用", "无关",
]
ZH_HYPO = ["暂无", "尚无", "迹象", "苗头", "看不出", "未发现", "没有发现", "目前看不到", "可能性很低", "可能性不大"]
ZH_TERMINATION = ["但是", "但", "不过", "然而", "可是", "只是", "却"]

EN_PSEUDO = [
    "not only", "no longer", "not yet", "no one", "nobody", "not aligned", "no agreement", "no cap", "no limit",
    "without limit", "without limitation", "not specified", "no forum", "not listed", "don't line up",
    "cannot", "can't", "no backup", "no clear", "not clear", "not defined", "no exit", "not funded",
    "not agreed", "no owner", "no plan", "not enough", "no way", "not covered", "not tested", "no one knows",
    "nobody knows", "no escalation", "no process", "not sure", "no idea", "not meet", "not keep up",
    "no longer supported", "not compatible", "no visibility", "not responding", "not delivered", "no spare",
    "no fallback", "no redundancy", "no second", "no alternative", "no budget", "no money", "no guarantee",
    "not guaranteed", "not paid", "no documentation", "not documented", "no mechanism", "no right",
    # risks stated as something missing: "funding is not secured" is a risk, not a ruled-out one
    "not secured", "not yet secured", "unsecured", "not in place", "not signed", "not approved",
    "not ready", "not encrypted", "not patched", "not enforceable", "not budgeted", "not certified",
    "not licensed", "not staffed", "not committed", "not confirmed",
    # a required step or control not taken ("have not done a security assessment", "without consent")
    "not done", "not been done", "not assessed", "not been assessed", "not performed", "not carried out",
    "not completed", "not passed", "not reviewed", "not filed", "not registered", "not obtained",
    "not backed up", "not updated", "not renewed", "not masked",
    "not anonymised", "not anonymized", "not pseudonymised", "not audited", "not been paid", "never tested",
    "never been tested", "without consent", "without the consent", "without prior", "without notice",
    "without a cap", "without any cap", "without approval", "without a security", "without an assessment",
    "without a documented", "without a tested", "without authorisation", "without authorization",
]
EN_PRECEDING = [
    "no sign of", "no signs of", "no sign that", "no evidence of", "no evidence that", "no indication of",
    "not involved", "is not involved", "ruled out", "rule out", "not considered", "no concern", "no concerns",
    "not a concern", "not an issue", "not a problem", "not a risk", "no risk of", "no issue", "no issues",
    "no problem", "no problems", "free of", "clean record", "we don't see", "we do not see", "did not",
    "didn't", "has not", "hasn't", "have not", "haven't", "was not", "wasn't", "were not", "weren't",
    "is not", "isn't", "are not", "aren't", "does not", "doesn't", "do not", "don't", "never", "none",
    "neither", "nor", "no", "not", "unlikely", "dismissed", "is excluded", "out of scope", "not applicable",
    "failed", "without",
]
EN_FOLLOWING = [
    "not a concern", "not an issue", "not a problem", "ruled out", "was ruled out", "were ruled out",
    "is unlikely", "was unlikely", "considered unlikely", "not considered plausible", "were dismissed",
    "was dismissed", "not expected", "is not expected", "failed", "all fixed", "were fixed", "resolved",
    "not relevant", "does not apply", "not applicable", "n/a",
]
EN_HYPO = ["no sign", "no signs", "no evidence", "no indication", "unlikely", "not expected", "not plausible",
           "we don't see", "we do not see"]
EN_TERMINATION = ["but", "however", "although", "though", "yet", "except", "while", "whereas"]


def _alt(words, latin: bool) -> re.Pattern:
    ws = sorted(set(words), key=len, reverse=True)
    body = "|".join(re.escape(w) for w in ws)
    return re.compile(rf"(?<![A-Za-z])(?:{body})(?![A-Za-z])" if latin else f"(?:{body})", re.I if latin else 0)


_P = {
    "pseudo": (_alt(ZH_PSEUDO, False), _alt(EN_PSEUDO, True)),
    "pre": (_alt(ZH_PRECEDING, False), _alt(EN_PRECEDING, True)),
    "fol": (_alt(ZH_FOLLOWING, False), _alt(EN_FOLLOWING, True)),
    "hypo": (_alt(ZH_HYPO, False), _alt(EN_HYPO, True)),
    "term": (_alt(ZH_TERMINATION, False), _alt(EN_TERMINATION, True)),
}


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    text: str
    kind: str        # pre | fol | hypo | pseudo | term


def find_cues(text: str) -> list[Cue]:
    """Cues in a sentence (offsets relative to it); pseudo cues hide the cues they overlap."""
    return list(_find_cues(text))


@lru_cache(maxsize=8192)
def _find_cues(text: str) -> tuple[Cue, ...]:
    """Cached: the model's features, its negation reason and the cue spans read the same sentence."""
    pseudo = [(m.start(), m.end()) for p in _P["pseudo"] for m in p.finditer(text)]
    cues: list[Cue] = [Cue(s, e, text[s:e], "pseudo") for s, e in pseudo]
    for kind in ("pre", "fol", "hypo", "term"):
        for p in _P[kind]:
            for m in p.finditer(text):
                if any(ps < m.end() and m.start() < pe for ps, pe in pseudo):
                    continue
                cues.append(Cue(m.start(), m.end(), m.group(), kind))
    cues.sort(key=lambda c: (c.start, -c.end))
    return tuple(cues)


def negation(text: str, span: tuple[int, int] | None = None, cues: list[Cue] | None = None) -> tuple[bool, str | None, str | None]:
    """Is the statement (span inside sentence `text`, relative offsets) negated or ruled out?
    → (negated, reason 'negated'|'hypothetical-none', cue text)."""
    s, e = span if span else (0, len(text))
    cues = _find_cues(text) if cues is None else cues
    terms = [c for c in cues if c.kind == "term"]
    hypo = any(c.kind == "hypo" for c in cues)
    for c in cues:
        if c.kind == "pre":
            # scope: from the cue forward to a termination cue or the sentence end
            stop = min([t.start for t in terms if t.start >= c.end] + [len(text)])
            if c.start < e and stop > s and c.start <= max(s, e - 1):
                return True, "hypothetical-none" if hypo else "negated", c.text
        elif c.kind == "fol":
            begin = max([t.end for t in terms if t.end <= c.start] + [0])
            if c.end > s and begin < e:
                return True, "hypothetical-none" if hypo else "negated", c.text
    return False, None, None


def cue_features(text: str) -> dict[str, float]:
    """Counts of cue kinds in a sentence: features for the learned negation model."""
    f = {"pre": 0.0, "fol": 0.0, "hypo": 0.0, "pseudo": 0.0, "term": 0.0}
    cues = _find_cues(text)
    for c in cues:
        f[c.kind] += 1.0
    neg, reason, _ = negation(text, cues=cues)
    f["rule"] = 1.0 if neg else 0.0
    return f
