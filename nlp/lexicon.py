"""The extractor's lexicon: phrases (prefLabels + altLabels, zh and en) of the loaded ontology's
risks, causes and indicators, and a spaCy PhraseMatcher built from them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ontology.namespace import short_id

_ALNUM = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Concept:
    id: str                      # short id, e.g. risk-data-breach
    iri: str
    kind: str                    # risk | cause | indicator
    categories: tuple[str, ...]
    pref: dict
    labels: dict                 # lang → tuple of labels
    definition: dict
    related: tuple[str, ...]     # short ids

    def label(self, lang: str = "en") -> str:
        return self.pref.get(lang) or self.pref.get("en") or self.pref.get("zh") or self.id


@dataclass
class Lexicon:
    concepts: dict[str, Concept]
    phrases: list[tuple[str, str]]      # (phrase, concept id), both languages
    fingerprint: str

    def of_kind(self, kind: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.kind == kind]


def from_graph(graph) -> Lexicon:
    from ontology import build_lexicon
    import hashlib

    concepts: dict[str, Concept] = {}
    phrases: list[tuple[str, str]] = []
    seen = set()
    for e in build_lexicon(graph):
        if e.kind not in ("risk", "cause", "indicator"):
            continue
        cid = short_id(e.iri)
        concepts[cid] = Concept(id=cid, iri=e.iri, kind=e.kind, categories=tuple(e.categories), pref=dict(e.pref),
                                labels=dict(e.labels), definition=dict(e.definition),
                                related=tuple(short_id(r) for r in e.related))
        for lang, labels in e.labels.items():
            for lab in labels:
                key = (lab.lower().strip(), cid)
                if len(key[0]) >= 2 and key not in seen:
                    seen.add(key)
                    phrases.append((lab.strip(), cid))
    fp = hashlib.sha1("\n".join(f"{p}\t{c}" for p, c in sorted(phrases)).encode()).hexdigest()[:10]
    return Lexicon(concepts=concepts, phrases=phrases, fingerprint=fp)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon of the ontology as loaded now (cached per process)."""
    from ontology import load

    return from_graph(load().graph)


def make_matcher(nlp, lexicon: Lexicon):
    """PhraseMatcher on LOWER over every label; match_id is the concept id."""
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    by_concept: dict[str, list] = {}
    for phrase, cid in lexicon.phrases:
        by_concept.setdefault(cid, []).append(nlp.make_doc(phrase))
    for cid, docs in by_concept.items():
        matcher.add(cid, docs)
    return matcher


def word_bounded(text: str, start: int, end: int) -> bool:
    """A Latin-script match must not sit inside a longer word (the zh char tokenizer has no words)."""
    if start > 0 and _ALNUM.match(text[start]) and _ALNUM.match(text[start - 1]):
        return False
    if end < len(text) and _ALNUM.match(text[end - 1]) and _ALNUM.match(text[end]):
        # allow simple English inflection: leak → leaks, leaked
        tail = re.match(r"[A-Za-z]{1,3}\b", text[end:end + 4])
        return bool(tail and tail.group() in ("s", "es", "ed", "d", "ing"))
    return True
