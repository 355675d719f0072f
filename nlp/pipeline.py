"""The spaCy pipeline: `spacy.blank("zh"|"en")` + registered corisk components.

    corisk_sentences  rule       sentence spans (zh punctuation, bullets, wrapped lines) → doc.spans["sentences"]
    corisk_lexicon    rule       PhraseMatcher over the ontology's labels → doc.spans["lexicon"]
    corisk_risks      trained    risk statements → doc.spans["risks"], doc.spans["dismissed"]
    corisk_negation   rule       negation / ruled-out cues of the found statements → doc.spans["negation_cues"]

The components are described in nlp/config.cfg; `corisk train` fits corisk_risks and writes the
pipelines to var/model/{zh,en}.
"""
from __future__ import annotations

import pickle
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from .lexicon import load_lexicon, make_matcher, word_bounded
from .model import Params, RiskModel
from .negation import find_cues
from .sentences import split_sentences

if not Span.has_extension("risk"):
    Span.set_extension("risk", default=None)
if not Doc.has_extension("corisk_lexicon_only"):
    Doc.set_extension("corisk_lexicon_only", default=False)


@Language.factory("corisk_sentences")
def make_sentences(nlp: Language, name: str):
    return SentenceSplitter()


class SentenceSplitter:
    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for s, e in split_sentences(doc.text):
            sp = doc.char_span(s, e, alignment_mode="expand")
            if sp is not None:
                spans.append(sp)
        doc.spans["sentences"] = spans
        return doc


@Language.factory("corisk_lexicon")
def make_lexicon(nlp: Language, name: str):
    return LexiconMatcher(nlp)


class LexiconMatcher:
    """Built from the ontology loaded at run time (never serialized: the ontology is the source)."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self._matcher = None

    @property
    def matcher(self):
        if self._matcher is None:
            self._matcher = make_matcher(self.nlp, load_lexicon())
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        text = doc.text
        for match_id, s, e in self.matcher(doc):
            sp = Span(doc, s, e, label=match_id)
            if word_bounded(text, sp.start_char, sp.end_char):
                spans.append(sp)
        # longest first, drop matches inside a longer match of the same concept
        spans.sort(key=lambda sp: (sp.start_char, -(sp.end_char - sp.start_char)))
        kept = []
        for sp in spans:
            if kept and sp.label == kept[-1].label and sp.end_char <= kept[-1].end_char:
                continue
            kept.append(sp)
        doc.spans["lexicon"] = kept
        return doc

    def to_disk(self, path, exclude=()):
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path, exclude=()):
        return self


@Language.factory("corisk_risks", default_config={"lexicon_only": False})
def make_risks(nlp: Language, name: str, lexicon_only: bool):
    return RiskFinder(lexicon_only=lexicon_only)


class RiskFinder:
    """Sentence classifier + span chooser + linker + learned negation (nlp/model.py)."""

    def __init__(self, lexicon_only: bool = False):
        self.model: RiskModel | None = None
        self.lexicon_only = lexicon_only
        self.params: Params | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            raise ValueError("corisk_risks has no trained model; run `corisk train`.")
        sents = list(doc.spans["sentences"]) if "sentences" in doc.spans else [doc[:]]
        lex = list(doc.spans["lexicon"]) if "lexicon" in doc.spans else []
        texts = [s.text for s in sents]
        hits: list[list] = [[] for _ in sents]
        j = 0
        for k, s in enumerate(sents):
            while j < len(lex) and lex[j].start_char < s.start_char:
                j += 1
            m = j
            while m < len(lex) and lex[m].start_char < s.end_char:
                sp = lex[m]
                if sp.label_.startswith("risk-"):
                    hits[k].append((sp.start_char - s.start_char, sp.end_char - s.start_char, sp.label_))
                m += 1
        lexicon_only = self.lexicon_only or doc._.corisk_lexicon_only
        preds = self.model.predict(texts, hits, self.params, use_model=not lexicon_only)
        risks, dismissed = [], []
        for s, plist in zip(sents, preds):
            for p in plist:
                sp = doc.char_span(s.start_char + p.start, s.start_char + p.end, alignment_mode="expand")
                if sp is None:
                    continue
                sp = Span(doc, sp.start, sp.end, label=p.categories[0])
                sp._.risk = {"categories": p.categories, "concept": p.concept, "confidence": p.confidence,
                             "reason": p.reason, "sentence": (s.start_char, s.end_char)}
                (dismissed if p.negated else risks).append(sp)
        doc.spans["risks"] = risks
        doc.spans["dismissed"] = dismissed
        return doc

    def to_disk(self, path, exclude=()):
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with open(path / "model.pkl", "wb") as fh:
            pickle.dump(self.model, fh, protocol=pickle.HIGHEST_PROTOCOL)

    def from_disk(self, path, exclude=()):
        with open(Path(path) / "model.pkl", "rb") as fh:
            self.model = pickle.load(fh)
        return self


@Language.factory("corisk_negation")
def make_negation(nlp: Language, name: str):
    return NegationCues()


class NegationCues:
    """Marks the cues of the sentences that hold a found statement (evidence for the reader)."""

    def __call__(self, doc: Doc) -> Doc:
        cues = []
        seen = set()
        for sp in list(doc.spans.get("dismissed", [])) + list(doc.spans.get("risks", [])):
            s, e = sp._.risk["sentence"]
            if (s, e) in seen:
                continue
            seen.add((s, e))
            for c in find_cues(doc.text[s:e]):
                if c.kind in ("pre", "fol", "hypo"):
                    cs = doc.char_span(s + c.start, s + c.end, label=c.kind, alignment_mode="expand")
                    if cs is not None:
                        cues.append(cs)
        doc.spans["negation_cues"] = cues
        return doc


PIPE_NAMES = ("corisk_sentences", "corisk_lexicon", "corisk_risks", "corisk_negation")


def blank_pipeline(lang: str) -> Language:
    import spacy

    nlp = spacy.blank("en" if lang == "en" else "zh")
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp
