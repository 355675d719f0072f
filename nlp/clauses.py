"""Contracts: clause segmentation (第X条, Article 1, 1., 1.1, (a) …), clause types, missing essential
clauses and the risks raised by what a clause says (or leaves out)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ontology.namespace import CLAUSE_TYPES

# Essential clauses of a joint-operation agreement (all twelve types of DESIGN.md).
ESSENTIAL_CLAUSES = CLAUSE_TYPES

TYPE_KEYWORDS: dict[str, list[str]] = {
    "governing_law": ["适用法律", "法律适用", "准据法", "governing law", "applicable law", "laws of", "governed by"],
    "dispute_resolution": ["争议解决", "争议", "纠纷", "仲裁", "诉讼", "管辖", "dispute", "disputes", "arbitration",
                           "jurisdiction", "courts of", "escalation"],
    "liability": ["违约责任", "责任限制", "赔偿责任", "责任", "赔偿", "liability", "liable", "indemnif", "damages",
                  "limitation of liability"],
    "termination": ["终止", "解除", "期限", "有效期", "退出", "termination", "term and termination", "terminate",
                    "term", "exit", "expiry"],
    "data_protection": ["数据保护", "个人信息", "数据安全", "隐私", "data protection", "personal data", "privacy",
                        "gdpr", "processor", "data security", "数据"],
    "confidentiality": ["保密", "商业秘密", "confidentiality", "confidential", "non-disclosure"],
    "intellectual_property": ["知识产权", "著作权", "专利", "intellectual property", "ip ownership", "licence",
                              "license", "copyright", "patent"],
    "service_level": ["服务水平", "服务等级", "可用性", "SLA", "service level", "availability", "uptime",
                      "service credits", "response time"],
    "payment": ["付款", "支付", "费用", "结算", "出资", "价款", "payment", "fees", "invoice", "price", "capital contribution", "contributions", "结算"],
    "force_majeure": ["不可抗力", "force majeure", "act of god"],
    "change_control": ["变更", "变更管理", "change control", "changes to the service", "change request", "amendment",
                       "changes"],
    "revenue_sharing": ["收益分配", "分成", "利润分配", "收入分配", "revenue sharing", "revenue share", "profit sharing",
                        "net revenue", "split of revenue", "profit distribution", "distribution of profit", "收益"],
}

# Levels of a heading line: 0 = article (第X条, Article N, N. TITLE), 1 = N.N, 2 = (a)
_HEADINGS = [
    (0, re.compile(r"^[ \t]*(?:第[一二三四五六七八九十百零〇\d]{1,6}条|(?:Article|ARTICLE|Section|SECTION|Clause|CLAUSE)\s+\d+|"
                   r"[一二三四五六七八九十]{1,3}、|\d{1,2}[.．、]\s*(?=\D)(?!\d)|#{1,3}\s|§\s*\d+|[A-H]\.\s+(?=[A-Z]{3}))", re.M)),
    (1, re.compile(r"^[ \t]*\d{1,2}\.\d{1,2}(?:\.\d{1,2})?[.]?\s", re.M)),
    (2, re.compile(r"^[ \t]*[（(](?:[a-z]|[ivx]{1,4}|\d{1,2}|[一二三四五六七八九十]{1,3})[)）]", re.M)),
]
_CONTRACT_CUES = re.compile(r"第[一二三四五六七八九十百\d]+条|甲方|乙方|本协议|本合同|双方同意|this agreement|the parties|"
                            r"hereinafter|shall\b|in witness whereof|agreement is made", re.I)


@dataclass
class ClauseSpan:
    start: int
    end: int
    level: int
    heading: str


def looks_like_contract(text: str) -> bool:
    """Detect a contract: article headings and contract vocabulary."""
    sample = text[:50_000]
    cues = len(_CONTRACT_CUES.findall(sample))
    arts = len(_HEADINGS[0][1].findall(sample))
    return cues >= 4 and arts >= 2 or cues >= 8


def segment(text: str) -> list[ClauseSpan]:
    """Top-level clauses: the shallowest heading level that occurs at least twice. Text before the
    first heading (title, parties, recitals) belongs to no clause."""
    for level, rx in _HEADINGS:
        starts = [m.start() for m in rx.finditer(text)]
        starts = [s + (len(text[s:]) - len(text[s:].lstrip(" \t"))) for s in starts]
        if level == 0:
            # "1." lines are list items in notes; require article-like lines (short heading or 第X条)
            starts = [s for s in starts if _is_article(text, s)]
        if len(starts) >= 2:
            out = []
            for k, s in enumerate(starts):
                e = starts[k + 1] if k + 1 < len(starts) else len(text)
                seg = text[s:e].rstrip()
                out.append(ClauseSpan(start=s, end=s + len(seg), level=level, heading=seg.split("\n", 1)[0][:120]))
            return out
    return []


def _is_article(text: str, s: int) -> bool:
    line = text[s:text.find("\n", s) if text.find("\n", s) >= 0 else len(text)]
    if line.startswith(("第", "#", "§")) or re.match(r"(?i)(article|section|clause)\s", line):
        return True
    if re.match(r"[一二三四五六七八九十]{1,3}、", line):
        return len(line) <= 30
    # "2. FEES AND PAYMENT": a short title line
    return len(line) <= 60 and not line.rstrip().endswith(("。", "."))


def clause_heading_text(text: str) -> str:
    """What the clause typer reads: the heading twice (it names the clause) and the start of the body."""
    first = text.split("\n", 1)[0]
    return f"{first} {first} {text[:400]}"


_UNTYPED = re.compile(r"定义|释义|其他|其它|附则|鉴于|通知|送达|签署|definitions|interpretation|miscellaneous|general|"
                      r"parties|recitals|notices|signatures|entire agreement", re.I)


def rule_types(heading: str) -> list[str]:
    """Clause types a heading names, in the order they appear ("Law and Jurisdiction" names two);
    [] for headings of untyped sections (definitions, miscellaneous)."""
    h = heading.lower()
    found: dict[str, tuple[int, int]] = {}
    for t, kws in TYPE_KEYWORDS.items():
        for kw in kws:
            i = _find_kw(h, kw.lower())
            if i >= 0 and (t not in found or len(kw) > found[t][1]):
                found[t] = (i, len(kw))
    if t_law := ("law" in re.findall(r"[a-z]+", h) or "法律" in h):
        found.setdefault("governing_law", (h.find("law") if "law" in h else h.find("法律"), 3))
    del t_law
    # a keyword inside a longer keyword of another type does not count ("争议" in "争议解决" is one)
    spans = {t: (i, i + n) for t, (i, n) in found.items()}
    keep = [t for t, (a, b) in spans.items()
            if not any(u != t and ua <= a and b <= ub and (ub - ua) > (b - a) for u, (ua, ub) in spans.items())]
    return sorted(keep, key=lambda t: spans[t][0])


def _find_kw(h: str, kw: str) -> int:
    """Position of a keyword; Latin keywords only as whole words ("term" is not in "terms")."""
    if not re.match(r"[a-z]", kw):
        return h.find(kw)
    tail = "" if kw.endswith(("indemnif", "arbitrat")) else r"\b"
    m = re.search(rf"\b{re.escape(kw)}{tail}", h)
    return m.start() if m else -1


def untyped_heading(heading: str) -> bool:
    return bool(_UNTYPED.search(heading)) and not rule_types(heading.split(" ", 1)[-1]) or bool(
        re.match(r"^\S*\s*(?:定义|其他|其它|附则|definitions|miscellaneous|general)\b", heading, re.I))


def rule_type(heading: str) -> str | None:
    """A clause type named by the heading, if any (longest keyword wins)."""
    h = heading.lower()
    best, blen = None, 0
    for t, kws in TYPE_KEYWORDS.items():
        for kw in kws:
            if kw.lower() in h and len(kw) > blen:
                best, blen = t, len(kw)
    return best


_CAP = re.compile(r"上限|不超过|以.{0,20}为限|累计赔偿|cap\b|capped|limited to|shall not exceed|aggregate liability|"
                  r"in no event|maximum liability|total liability", re.I)
_NO_CAP = re.compile(r"不设上限|无上限|不受限制|全部损失|without limit|unlimited|without limitation|all losses|"
                     r"any loss", re.I)
_FORUM = re.compile(r"仲裁|法院|诉讼|管辖|arbitrat|court|tribunal|jurisdiction|ICC|CIETAC|SIAC|HKIAC|LCIA", re.I)
_AMICABLE = re.compile(r"协商解决|友好协商|协商|amicabl|negotiat|good faith", re.I)


@dataclass
class ClauseRisk:
    start: int
    end: int
    concept: str
    categories: tuple[str, ...]
    cause: str | None
    reason: str


def clause_risks(text: str, clauses: list[dict]) -> list[ClauseRisk]:
    """Risks raised by what a clause says: liability without a cap, disputes 'settled amicably' with
    no forum."""
    out: list[ClauseRisk] = []
    for cl in clauses:
        body = text[cl["start"]:cl["end"]]
        if cl["type"] == "liability":
            m = _NO_CAP.search(body)
            if m or not _CAP.search(body):
                s, e = _sentence_around(text, cl["start"] + (m.start() if m else 0), cl)
                out.append(ClauseRisk(s, e, "risk-contract-dispute", ("legal", "financial"), "cause-no-liability-cap",
                                      "liability without a cap"))
        elif cl["type"] == "dispute_resolution":
            if not _FORUM.search(body):
                m = _AMICABLE.search(body)
                s, e = _sentence_around(text, cl["start"] + (m.start() if m else 0), cl)
                out.append(ClauseRisk(s, e, "risk-contract-dispute", ("legal",), "cause-no-dispute-mechanism",
                                      "disputes settled by negotiation with no forum"))
    return out


def _sentence_around(text: str, pos: int, cl: dict) -> tuple[int, int]:
    from .sentences import split_sentences

    base = cl["start"]
    for s, e in split_sentences(text[base:cl["end"]]):
        if s + base <= pos < e + base or pos < s + base:
            return s + base, e + base
    return cl["start"], cl["end"]


# ---------------------------------------------------------------------- what a contract sentence says
# General contract-drafting knowledge, bilingual: wording whose content is itself a risk of a joint
# operation, unless the same sentence also carries the remedy. One rule = (name, concept, categories,
# cause, pattern, remedy or None). Used as features of the risk-sentence gate (nlp/model.py cue_matrix);
# raising risks from them directly in contracts (confidence 0.6, where the model found none) was
# measured and dropped (5-fold CV over train + dev, 424 documents: category micro-F1 −0.001 ± 0.000).
_R = lambda p: re.compile(p, re.I)  # noqa: E731
CONTENT_RULES: list[tuple[str, str, tuple[str, ...], str | None, re.Pattern, re.Pattern | None]] = [
    ("unanimity", "risk-decision-deadlock", ("cooperation",), "cause-unclear-decision-rights",
     _R(r"unanimous|unanimity|\ball (?:of the )?(?:parties|directors|members|shareholders|partners)\b.{0,40}"
        r"\b(?:agree|consent|approve|approval)\b|\b(?:decision|resolution|matter)s?\b.{0,60}\b(?:consent|approval|"
        r"agreement) of (?:all|each of the) (?:parties|partners|directors|members|shareholders)|\bveto|"
        r"(?:决议|决定|决策|事项).{0,20}(?:全体.{0,12}一致|一致同意|一致通过)|一票否决|否决权"),
     _R(r"casting vote|tie[- ]?break|deadlock|escalat|referred to|arbitrat|expert determination|chair(?:man|person)?"
        r" (?:shall|will) decide|僵局|决定票|上报|提交.{0,10}(?:仲裁|决定|裁决)|由.{0,10}(?:最终决定|裁决)|打破")),
    ("uncapped", "risk-contract-dispute", ("legal", "financial"), "cause-no-liability-cap",
     _R(r"unlimited|uncapped|without (?:any )?(?:limit|cap|limitation)|no (?:cap|limit)\b|jointly and severally|"
        r"all (?:losses|damages)|any and all (?:losses|damages)|不设上限|无上限|不受限制|不设限|无限责任|连带(?:赔偿)?责任|"
        r"全部损失|一切损失"),
     _R(r"shall not exceed|capped at|limited to|in no event|aggregate liability (?:of|shall)|不超过|以.{0,20}为限|上限为")),
    ("discretionary-payment", "risk-funding-delay", ("financial",), "cause-delayed-capital-contribution",
     _R(r"(?:pay|paid|payment|contribut|fund|invest|capital|instal|出资|付款|支付|拨付|注资|投入|资金)"
        r".{0,60}(?:(?:when|as|if|whenever|where)(?: and when)? (?:the )?\w+(?: \w+)? (?:considers?|deems?|thinks?|"
        r"determines?|decides?|sees fit)|at (?:its|their|the) (?:sole |absolute )?discretion|as (?:and when )?"
        r"(?:needed|required)|from time to time|认为必要|认为需要|视(?:情况|需要)|酌情|根据需要|适时|另行(?:通知|商定|约定))|"
        r"(?:认为必要|认为需要|视(?:情况|需要)|酌情|根据需要|适时|at (?:its|their) (?:sole |absolute )?discretion)"
        r".{0,30}(?:出资|付款|支付|拨付|注资|pay|contribut|fund)"),
     _R(r"within \d+|no later than|not later than|on or before|\d+ (?:business |calendar )?days|[\d一二三四五六七八九十]+"
        r"(?:个)?(?:工作日|日|天|月)内|之前|前支付|按期|按月|按季")),
    ("negotiation-only", "risk-contract-dispute", ("legal",), "cause-no-dispute-mechanism",
     _R(r"(?:dispute|disagreement|controvers|claim|争议|纠纷|分歧).{0,80}(?:amicabl|friendly|negotiat|good faith|"
        r"consultation|协商|友好)|(?:amicabl|friendly|negotiat|协商|友好).{0,40}(?:dispute|disagreement|争议|纠纷|分歧)"),
     _FORUM),
    ("data-sharing", "risk-privacy-noncompliance", ("legal",), None,
     _R(r"(?:affiliat|group compan|third[- ]part|关联公司|关联方|关联企业|第三方|集团内).{0,60}"
        r"(?:\b(?:use|access|share|process|analy[sz]e)\b|使用|共享|访问|调用|处理|分析).{0,40}"
        r"(?:\b(?:data|information|records)\b|数据|信息|资料)|"
        r"(?:\b(?:use|share|disclose|transfer|provide|give)\b|提供|共享|披露|转让|使用).{0,40}(?:\b(?:data|information|"
        r"records)\b|数据|信息|资料).{0,40}(?:affiliat|group compan|third[- ]part|关联公司|关联方|关联企业|第三方|集团内)|"
        r"(?:数据|信息|资料).{0,20}(?:提供|共享|披露|开放|转让)给?.{0,10}(?:关联|第三方|集团内)"),
     _R(r"(?:prior |explicit |written |express )consent|anonymi[sz]|pseudonymi|de-?identif|only (?:to the extent|as) "
        r"(?:necessary|required)|同意后|书面同意|授权|匿名|脱敏|去标识|不得|不将|不向|shall not|may not|must not|prohibit")),
    ("exit-at-will", "risk-partner-exit", ("cooperation",), "cause-weak-exit-terms",
     _R(r"terminat\w*.{0,60}(?:at any time|at will|for (?:any reason|convenience|no reason)|without (?:cause|reason|notice|"
        r"liability|penalty)|immediately)|(?:at any time|at will|without (?:cause|notice)).{0,40}(?:terminat|withdraw|exit)|"
        r"随时.{0,10}(?:解除|终止|退出)|无需.{0,10}(?:理由|通知|同意).{0,20}(?:解除|终止|退出)|单方.{0,6}(?:解除|终止|退出)"),
     _R(r"\d+ (?:days|months)[’']? (?:prior |written |advance )?notice|(?:prior|advance) (?:written )?notice of|"
        r"transition|exit (?:plan|assistance)|提前[\d一二三四五六七八九十]+|过渡|交接|移交|补偿")),
    ("vague-scope", "risk-contract-ambiguity", ("legal",), "cause-vague-contract-terms",
     _R(r"as (?:reasonably )?(?:required|necessary|appropriate|needed)|reasonable (?:efforts|endeavou?rs|level)|"
        r"commercially reasonable|(?:to be|shall be) (?:agreed|determined|decided) (?:later|separately|by the parties|"
        r"from time to time)|as may be agreed|industry[- ]standard|best efforts|另行(?:商定|约定|协商|确定)|视情况|"
        r"合理(?:努力|要求|范围|水平)|适当的?|必要的?(?:支持|协助|资源)|尽(?:力|最大努力)|相关(?:费用|支持|资源)"),
     _R(r"(?:set out|specified|defined|listed|described) in (?:schedule|annex|appendix|exhibit)|附件|附表|"
        r"not less than|at least|不少于|至少|\d+\s*(?:%|％|hours|days|小时|天|工作日)")),
]


# Per rule, words every match of its pattern contains: a plain alternation that scans a sentence fast,
# so the patterns with `.{0,60}` gaps run only on the few sentences that can match (same hits on every
# corpus sentence; the rules' share of extraction time falls from ~9 % to ~2 %). None: the pattern is
# itself such an alternation.
_TRIGGERS: dict[str, re.Pattern | None] = {
    "unanimity": _R(r"unanim|veto|\ball\b|each of the|一致|否决"),
    "uncapped": None,
    "discretionary-payment": _R(r"consider|deem|think|determin|decide|sees fit|discretion|needed|required|"
                                r"from time to time|认为必要|认为需要|视情况|视需要|酌情|根据需要|适时|另行"),
    "negotiation-only": _R(r"amicabl|friendly|negotiat|good faith|consultation|协商|友好"),
    "data-sharing": _R(r"affiliat|group compan|third[- ]part|关联|第三方|集团内"),
    "exit-at-will": _R(r"terminat|withdraw|exit|解除|终止|退出"),
    "vague-scope": None,
}


def content_rule_hits(sentence: str) -> list[int]:
    """Indices into CONTENT_RULES of the rules whose pattern the sentence carries without its remedy."""
    return [k for k, (name, _, _, _, pat, remedy) in enumerate(CONTENT_RULES)
            if (_TRIGGERS[name] is None or _TRIGGERS[name].search(sentence))
            and pat.search(sentence) and not (remedy is not None and remedy.search(sentence))]
