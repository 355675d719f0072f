"""Language of a text: zh, en, or mixed (English terms inside Chinese sentences count as zh)."""
from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]+")


def detect_language(text: str, sample: int = 200_000) -> str:
    """'zh' when Chinese characters carry a real share of the text, else 'en'."""
    s = text[:sample]
    cjk = len(_CJK.findall(s))
    words = len(_LATIN.findall(s))
    if cjk == 0:
        return "en"
    # a Chinese character is about a third of an English word's information
    return "zh" if cjk >= 0.6 * words else "en"


def is_mixed(text: str, sample: int = 200_000) -> bool:
    s = text[:sample]
    cjk = len(_CJK.findall(s))
    words = len(_LATIN.findall(s))
    return cjk > 0 and words > 0 and min(cjk / 3, words) >= 0.1 * max(cjk / 3, words)
