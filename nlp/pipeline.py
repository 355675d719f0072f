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
import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from .lexicon import load_lexicon, make_matcher, word_bounded
from .model import Params, RiskModel
from .negation import find_cues
from .sentences import split_sentences

if not Span.has_extension("risk"):
    Span.set_extension("risk", default=None)
if not Doc.has_extension("corisk_lexicon_only"):
    Doc.set_extension("corisk_lexicon_only", default=False)
if not Doc.has_extension("corisk_kind"):
    Doc.set_extension("corisk_kind", default="notes")
if not Doc.has_extension("corisk_text"):
    Doc.set_extension("corisk_text", default=None)


def doc_text(doc: Doc) -> str:
    """The Doc's text; Doc.text joins every token on each call, so the caller's string is kept."""
    if doc._.corisk_text is None:
        doc._.corisk_text = doc.text
    return doc._.corisk_text


_MODELS: dict = {}


def _load_model(path: Path) -> RiskModel:
    """One unpickled model per file per process (the zh and en pipelines share one file)."""
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _MODELS:
        with open(path, "rb") as fh:
            _MODELS[key] = pickle.load(fh)
    return _MODELS[key]


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’.\-_/][A-Za-z0-9]+)*|\S")


class MixedTokenizer:
    """zh and mixed text: one token per Chinese character (like spaCy's `char` segmenter), one per
    Latin word or number, so "SLA 违约" is [SLA, 违, 约] and English labels match whole words."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words, spaces = [], []
        pos = 0
        for m in _TOKEN.finditer(text):
            s = m.start()
            if s > pos:
                gap = text[pos:s]
                if gap == " " and words:
                    spaces[-1] = True
                elif gap[0] == " " and words:
                    spaces[-1] = True
                    words.append(gap[1:]); spaces.append(False)
                else:
                    words.append(gap); spaces.append(False)
            words.append(m.group()); spaces.append(False)
            pos = m.end()
        if pos < len(text):
            gap = text[pos:]
            if gap[0] == " " and words:
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap); spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)

    def to_disk(self, path, **kw):
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path, **kw):
        return self

    def to_bytes(self, **kw):
        return b""

    def from_bytes(self, data, **kw):
        return self


@registry.tokenizers("corisk.MixedTokenizer.v1")
def create_mixed_tokenizer():
    def make(nlp):
        return MixedTokenizer(nlp.vocab)
    return make


@Language.factory("corisk_sentences")
def make_sentences(nlp: Language, name: str):
    return SentenceSplitter()


class SentenceSplitter:
    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for s, e in split_sentences(doc_text(doc)):
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
        text = doc_text(doc)
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
        full = doc_text(doc)
        texts = [full[s.start_char:s.end_char] for s in sents]   # Span.text would walk the tokens
        hits: list[list] = [[] for _ in sents]
        j = 0
        for k, s in enumerate(sents):
            while j < len(lex) and lex[j].start_char < s.start_char:
                j += 1
            m = j
            while m < len(lex) and lex[m].start_char < s.end_char:
                sp = lex[m]
                if not sp.label_.startswith("kri-"):
                    hits[k].append((sp.start_char - s.start_char, sp.end_char - s.start_char, sp.label_))
                m += 1
        lexicon_only = self.lexicon_only or doc._.corisk_lexicon_only
        preds = self.model.predict(texts, hits, self.params, use_model=not lexicon_only, kind=doc._.corisk_kind)
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
        """The model is pickled once next to the pipelines (var/model/risk_model.pkl); the
        component folder names it, so both languages share one file."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        shared = path.parent.parent / "risk_model.pkl"
        if not shared.exists() or _MODELS.get("written") != id(self.model):
            with open(shared, "wb") as fh:
                pickle.dump(self.model, fh, protocol=pickle.HIGHEST_PROTOCOL)
            _MODELS["written"] = id(self.model)
        (path / "model.ref").write_text("../../risk_model.pkl", encoding="utf-8")

    def from_disk(self, path, exclude=()):
        path = Path(path)
        self.model = _load_model((path / (path / "model.ref").read_text(encoding="utf-8").strip()))
        return self


@Language.factory("corisk_negation")
def make_negation(nlp: Language, name: str):
    return NegationCues()


class NegationCues:
    """Marks the cues of the sentences that hold a found statement (evidence for the reader)."""

    def __call__(self, doc: Doc) -> Doc:
        cues = []
        seen = set()
        text = doc_text(doc)
        for sp in list(doc.spans.get("dismissed", [])) + list(doc.spans.get("risks", [])):
            s, e = sp._.risk["sentence"]
            if (s, e) in seen:
                continue
            seen.add((s, e))
            for c in find_cues(text[s:e]):
                if c.kind in ("pre", "fol", "hypo"):
                    cs = doc.char_span(s + c.start, s + c.end, label=c.kind, alignment_mode="expand")
                    if cs is not None:
                        cues.append(cs)
        doc.spans["negation_cues"] = cues
        return doc


PIPE_NAMES = ("corisk_sentences", "corisk_lexicon", "corisk_risks", "corisk_negation")


def blank_pipeline(lang: str) -> Language:
    """The pipeline of nlp/config.cfg for `lang` (zh also serves mixed text), untrained."""
    from spacy.util import load_config, load_model_from_config

    config = load_config(Path(__file__).with_name("config.cfg"))
    if lang == "en":
        config["nlp"]["lang"] = "en"
        config["nlp"]["tokenizer"] = {"@tokenizers": "spacy.Tokenizer.v1"}
    return load_model_from_config(config, auto_fill=True)
