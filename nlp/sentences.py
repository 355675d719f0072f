"""Sentence splitting for zh, en and mixed notes: Chinese punctuation, bullets, numbered lists and
hard line breaks pasted from PDFs.

Works on character offsets into the original text, so every span slices the submitted text.
"""
from __future__ import annotations

import re

# Bullet characters: a line that starts with one is a list item, and they are stripped from its start.
_BULLETS = "-*•·●○▪■◆►–—"
# A line that starts a new unit: bullet, number, heading ordinal, clause heading, Markdown heading.
_ITEM = re.compile(
    r"""^\s*(?:
        [""" + _BULLETS + r"""]\s*                         # bullets
      | \#{1,6}\s+                                     # markdown heading
      | >\s*                                           # quote
      | \(?\d{1,3}(?:\.\d{1,3})*[.)、．]?\s+            # 1. 1) 1.1 (1)
      | \d{1,3}(?:\.\d{1,3})*[.)、．]                  # 1、 1.1.
      | [（(]\s*(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4}|[一二三四五六七八九十]{1,3})\s*[)）]\s*   # (a) （一）
      | [a-zA-Z][.)]\s+                                # a. a)
      | [一二三四五六七八九十百]{1,3}\s*[、.．]          # 一、
      | 第[一二三四五六七八九十百千零〇\d]{1,6}[条章节款部分]  # 第X条
      | (?:Article|Section|Clause|ARTICLE|SECTION|CLAUSE)\s+\d
    )""",
    re.VERBOSE,
)
# Bullet/number prefix that is stripped from a sentence's start (not part of the statement).
_PREFIX = re.compile(
    r"""^(?:[""" + _BULLETS + r"""]\s*|\#{1,6}\s+|>\s*)*  # bullets, headings, quotes (may stack: "- 1.")
    (?:                                              # then at most one number or letter: "4.1 0.5 米"
        \(?\d{1,3}(?:\.\d{1,3})*[.)、．](?!\d)\s*
      | \d{1,3}(?:\.\d{1,3})+\s+
      | [（(]\s*(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4}|[一二三四五六七八九十]{1,3})\s*[)）]\s*
      | [a-zA-Z][.)]\s+
      | [一二三四五六七八九十百]{1,3}\s*[、.．]\s*
    )?""",
    re.VERBOSE,
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TERMINAL_ZH = "。！？；…!?;"
_CLOSERS = "”’\"')）」』】]"
_ABBREV = {"e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "no", "inc", "ltd", "co", "corp",
           "art", "sec", "cf", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
           "sept", "oct", "nov", "dec", "st", "p", "pp", "fig", "u.s", "u.k", "e.u"}
# Minimum length of a line for a following un-bulleted line to be read as its wrapped continuation.
WRAP_MIN = 18


def _is_item(line: str) -> bool:
    return bool(_ITEM.match(line))


def _joins(prev: str, nxt: str) -> bool:
    """Does `nxt` continue the sentence `prev` broke off (a hard line break from a PDF paste)?"""
    p, n = prev.rstrip(), nxt.strip()
    if not p or not n:
        return False
    if p[-1] in _TERMINAL_ZH + "。.:：" or p[-1] in _CLOSERS and len(p) > 1 and p[-2] in "。！？.!?":
        return False
    if _is_item(nxt) or n.startswith("<<"):
        return False
    if len(p) < WRAP_MIN:
        return False
    # an English wrapped line continues in lower case; Chinese just continues
    if _CJK.match(n[0]) or n[0].islower() or n[0] in "，、,（(“\"" or n[0].isdigit():
        return True
    # a Chinese line broken before an English term ("…接入新的\nAPI 网关"): Chinese does not restart
    # a sentence with a capital letter
    if _CJK.match(p[-1]) and n[0].isascii() and n[0].isalpha():
        return True
    return False


def line_blocks(text: str) -> list[tuple[int, int]]:
    """Split text into blocks of lines: a blank line, a bullet or a new item starts a block; wrapped
    lines join the block before them. Returns (start, end) offsets."""
    blocks: list[tuple[int, int]] = []
    pos = 0
    cur_start = cur_end = None
    prev_line = ""
    for m in re.finditer(r"[^\n]*(?:\n|$)", text):
        if m.start() == len(text) and m.end() == len(text):
            break
        line = m.group().rstrip("\r\n")
        ls, le = m.start(), m.start() + len(line)
        pos = m.end()
        if not line.strip():
            if cur_start is not None:
                blocks.append((cur_start, cur_end))
            cur_start = None
            prev_line = ""
            continue
        if cur_start is not None and _joins(prev_line, line):
            cur_end = le
        else:
            if cur_start is not None:
                blocks.append((cur_start, cur_end))
            cur_start, cur_end = ls, le
        prev_line = line
    if cur_start is not None:
        blocks.append((cur_start, cur_end))
    del pos
    return blocks


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    s = start
    i = start
    while i < end:
        ch = text[i]
        cut = None
        if ch in "。！？!?；;…":
            j = i + 1
            while j < end and (text[j] in _CLOSERS or text[j] in "。！？!?…"):
                j += 1
            if ch in ";；" and not _semicolon_cut(text, s, i):
                cut = None
            else:
                cut = j
        elif ch == "." and i + 1 < end and text[i + 1] in " \t\n" and i > s:
            # English full stop: not after an abbreviation, a single letter or a number
            k = i - 1
            while k >= s and (text[k].isalpha() or text[k] == "."):
                k -= 1
            word = text[k + 1:i].lower()
            nxt = text[i + 1:end].lstrip()
            if not word and text[i - 1].isdigit():
                # "… in 2026. The board …" ends a sentence; "2. The …" opening a unit is a list number
                k = i - 1
                while k >= s and (text[k].isdigit() or text[k] == "."):
                    k -= 1
                before = text[s:k + 1].strip().strip(_BULLETS + "#> \t")
                if before and before[-1] not in ".。!?！？;；:：":
                    word = "<number>"
            if word and word not in _ABBREV and len(word) > 1 and nxt and (nxt[0].isupper() or _CJK.match(nxt[0]) or nxt[0] in "\"“(["):
                cut = i + 1
                while cut < end and text[cut] in _CLOSERS:
                    cut += 1
        elif ch == "." and i + 1 == end:
            cut = None
        if cut is not None:
            out.append((s, cut))
            s = cut
            i = cut
            continue
        i += 1
    if s < end:
        out.append((s, end))
    return out


def _semicolon_cut(text: str, s: int, i: int) -> bool:
    """Semicolons end a unit only when the part before is long enough to be a statement."""
    return i - s >= 8


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) into `text`, trimmed of whitespace and bullet/number prefixes."""
    spans = []
    for bs, be in line_blocks(text):
        for s, e in _split_block(text, bs, be):
            seg = text[s:e]
            lead = len(seg) - len(seg.lstrip())
            s += lead
            seg = text[s:e]
            m = _PREFIX.match(seg)
            if m and m.end() < len(seg):
                s += m.end()
            seg = text[s:e]
            e = s + len(seg.rstrip())
            if e > s:
                spans.append((s, e))
    return spans
