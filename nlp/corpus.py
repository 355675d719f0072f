"""The annotated corpus: parse the markup of corpus/annotations/src, validate it, build JSONL + DocBin.

    python -m nlp.corpus check   # validate every src/**.txt, print counts; exit 1 on errors
    python -m nlp.corpus build   # var/corpus/<split>.jsonl, <split>.spacy, <split>-sents.spacy

Markup (see corpus/annotations/README.md):
    {{mention|category[,category2]|risk-id|neg}}   [[text|cause-id or kri-id]]   <<clause_type>>
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ontology.namespace import CATEGORIES, CLAUSE_TYPES

from .sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus" / "annotations"
SRC_DIR = CORPUS_DIR / "src"
OUT_DIR = ROOT / "var" / "corpus"
VOCABULARY = ROOT / "docs" / "vocabulary.md"
SPLITS = ("train", "dev", "test")
LANGS = ("zh", "en", "mix")
KINDS = ("notes", "contract")
_NAME = re.compile(r"^(zh|en|mix)-(notes|contract)-(\d{3})\.txt$")


class CorpusError(Exception):
    """A markup problem at file:line."""

    def __init__(self, path, line: int, problem: str):
        super().__init__(f"{path}:{line}: {problem}")
        self.path, self.line, self.problem = path, line, problem


@dataclass
class Mention:
    start: int
    end: int
    text: str
    categories: list[str]
    concept: str | None          # risk-… id, or None for `none`
    neg: bool
    line: int


@dataclass
class Attachment:
    start: int
    end: int
    text: str
    concept: str                 # cause-… or kri-…
    kind: str                    # cause | indicator
    line: int


@dataclass
class Clause:
    type: str
    start: int
    end: int
    text: str
    line: int


@dataclass
class Document:
    id: str
    path: str
    split: str
    lang: str
    kind: str
    text: str
    mentions: list[Mention] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)

    def sentences(self) -> list[dict]:
        """Sentences with gold labels: categories of the non-negated mentions inside, and flags."""
        out = []
        for s, e in split_sentences(self.text):
            inside = [m for m in self.mentions if m.start < e and m.end > s]
            cats: list[str] = []
            for m in inside:
                if not m.neg:
                    for c in m.categories:
                        if c not in cats:
                            cats.append(c)
            out.append({"start": s, "end": e, "text": self.text[s:e], "categories": cats,
                        "mentions": [self.mentions.index(m) for m in inside],
                        "negated": any(m.neg for m in inside)})
        return out

    def as_json(self) -> dict:
        d = asdict(self)
        d["sentences"] = self.sentences()
        return d


# --------------------------------------------------------------------------- parsing
def parse_markup(raw: str, path: str = "<text>") -> tuple[str, list[Mention], list[Attachment], list[Clause], list[str]]:
    """Markup → (plain text, mentions, attachments, clauses, problems). Problems are `file:line: …`."""
    problems: list[str] = []
    out: list[str] = []
    mentions: list[Mention] = []
    attachments: list[Attachment] = []
    markers: list[tuple[int, str, int]] = []   # (offset in plain text, type, line)
    n = len(raw)
    i = 0
    pos = 0          # length of plain text so far
    line = 1
    at_line_start = True

    def err(ln: int, msg: str) -> None:
        problems.append(f"{path}:{ln}: {msg}")

    while i < n:
        ch = raw[i]
        two = raw[i:i + 2]
        if two == "<<" and at_line_start:
            j = raw.find(">>", i + 2)
            nl = raw.find("\n", i)
            if j < 0 or (0 <= nl < j):
                err(line, "unclosed clause marker '<<' (expected '<<clause_type>>' on the same line)")
                out.append(two); pos += 2; i += 2; at_line_start = False
                continue
            ctype = raw[i + 2:j].strip()
            if ctype not in CLAUSE_TYPES:
                err(line, f"unknown clause type '{ctype}' (expected one of {', '.join(CLAUSE_TYPES)})")
            markers.append((pos, ctype, line))
            i = j + 2
            at_line_start = False
            continue
        if two in ("{{", "[["):
            close = "}}" if two == "{{" else "]]"
            j = raw.find(close, i + 2)
            k = raw.find(two, i + 2)
            if j < 0 or 0 <= k < j:
                err(line, f"unclosed '{two}' (no matching '{close}')")
                out.append(two); pos += 2; i += 2; at_line_start = False
                continue
            body = raw[i + 2:j]
            inner_line = line
            for bad in ("{{", "}}", "[[", "]]", "<<", ">>"):
                if bad in body:
                    err(line, f"'{bad}' inside '{two}…{close}': markup does not nest")
            parts = body.split("|")
            mtext = parts[0]
            if not mtext.strip():
                err(line, f"empty mention text in '{two}{body}{close}'")
            elif mtext != mtext.strip():
                err(line, f"mention text '{mtext}' has leading or trailing spaces; put them outside the markup")
            start = pos
            out.append(mtext)
            pos += len(mtext)
            line += mtext.count("\n")
            if two == "{{":
                _mention(parts, start, pos, mtext, inner_line, mentions, err)
            else:
                _attachment(parts, start, pos, mtext, inner_line, attachments, err)
            i = j + 2
            at_line_start = False
            continue
        if two in ("}}", "]]", ">>"):
            err(line, f"stray '{two}' without its opening pair")
        if ch == "<" and two == "<<" and not at_line_start:
            err(line, "clause marker '<<…>>' must start a line")
        out.append(ch)
        pos += 1
        i += 1
        if ch == "\n":
            line += 1
            at_line_start = True
        elif not ch.isspace():
            at_line_start = False
    text = "".join(out)
    clauses = []
    for k, (off, ctype, ln) in enumerate(markers):
        end = markers[k + 1][0] if k + 1 < len(markers) else len(text)
        seg = text[off:end]
        e = off + len(seg.rstrip())
        s = off + (len(seg) - len(seg.lstrip()))
        if e <= s:
            err(ln, f"clause '{ctype}' is empty")
            continue
        clauses.append(Clause(type=ctype, start=s, end=e, text=text[s:e], line=ln))
    return text, mentions, attachments, clauses, problems


def _mention(parts, start, end, mtext, line, mentions, err) -> None:
    if len(parts) not in (3, 4):
        err(line, f"mention '{mtext}' needs 'text|category|concept-id' (optionally '|neg'), got {len(parts)} fields")
        return
    cats = [c.strip() for c in parts[1].split(",") if c.strip()]
    if not cats:
        err(line, f"mention '{mtext}' has no category")
    for c in cats:
        if c not in CATEGORIES:
            err(line, f"unknown category '{c}' (expected one of {', '.join(CATEGORIES)})")
    if len(cats) > 2:
        err(line, f"mention '{mtext}' has {len(cats)} categories; at most two")
    if len(set(cats)) != len(cats):
        err(line, f"mention '{mtext}' repeats a category")
    concept = parts[2].strip()
    neg = False
    if len(parts) == 4:
        if parts[3].strip() != "neg":
            err(line, f"the fourth field of a mention can only be 'neg', got '{parts[3]}'")
        neg = True
    if concept != "none" and not concept.startswith("risk-"):
        err(line, f"mention concept '{concept}' must be a risk id (risk-…) or 'none'")
    mentions.append(Mention(start=start, end=end, text=mtext, categories=cats,
                            concept=None if concept == "none" else concept, neg=neg, line=line))


def _attachment(parts, start, end, mtext, line, attachments, err) -> None:
    if len(parts) != 2:
        err(line, f"'[[{mtext}…]]' needs 'text|cause-id' or 'text|kri-id', got {len(parts)} fields")
        return
    cid = parts[1].strip()
    if cid.startswith("cause-"):
        kind = "cause"
    elif cid.startswith("kri-"):
        kind = "indicator"
    else:
        err(line, f"'[[…]]' id '{cid}' must be a cause (cause-…) or an indicator (kri-…)")
        return
    attachments.append(Attachment(start=start, end=end, text=mtext, concept=cid, kind=kind, line=line))


def parse_file(path: Path, split: str | None = None) -> tuple[Document | None, list[str]]:
    path = Path(path)
    shown = _shown(path)
    m = _NAME.match(path.name)
    problems = []
    if not m:
        problems.append(f"{shown}:1: file name must be <zh|en|mix>-<notes|contract>-<nnn>.txt")
        lang, kind = "zh", "notes"
    else:
        lang, kind = m.group(1), m.group(2)
    split = split or path.parent.name
    if split not in SPLITS:
        problems.append(f"{shown}:1: file is not in a split folder ({', '.join(SPLITS)})")
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, problems + [f"{shown}:1: cannot read as UTF-8 ({exc})"]
    text, mentions, atts, clauses, probs = parse_markup(raw, shown)
    problems += probs
    if kind == "notes" and clauses:
        problems.append(f"{shown}:{clauses[0].line}: clause markers in a notes document (name it …-contract-…)")
    if kind == "contract" and not clauses and not probs:
        problems.append(f"{shown}:1: contract without any '<<clause_type>>' marker")
    doc = Document(id=path.stem, path=shown, split=split, lang=lang, kind=kind, text=text,
                   mentions=mentions, attachments=atts, clauses=clauses)
    return doc, problems


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def source_files(src: Path = SRC_DIR, splits=SPLITS) -> list[Path]:
    files = []
    for split in splits:
        files += sorted((src / split).glob("*.txt"))
    return files


def load_corpus(splits=SPLITS, src: Path = SRC_DIR, strict: bool = False) -> list[Document]:
    """The parsed documents of the given splits (problems ignored unless strict)."""
    docs = []
    for f in source_files(src, splits):
        doc, problems = parse_file(f)
        if problems and strict:
            raise CorpusError(f, 1, "; ".join(problems))
        if doc is not None:
            docs.append(doc)
    return docs


# --------------------------------------------------------------------------- validation
def known_ids() -> tuple[set[str], list[str]]:
    """Concept ids from the loaded ontology and from docs/vocabulary.md (+ notes on what failed)."""
    ids: set[str] = set()
    notes = []
    try:
        from ontology import load
        from ontology.namespace import short_id

        graph = load().graph
        for s in graph.subjects(unique=True):
            sid = short_id(s)
            if not sid.startswith("http"):
                ids.add(sid)
    except Exception as exc:  # the ontology may be mid-edit; the vocabulary still answers
        notes.append(f"note: ontology not loaded ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
                     "checking ids against docs/vocabulary.md only")
    if VOCABULARY.exists():
        ids |= set(re.findall(r"`((?:risk|cause|kri|strategy)-[a-z0-9-]+)`", VOCABULARY.read_text(encoding="utf-8")))
    return ids, notes


def check(src: Path = SRC_DIR, out=None, splits=("train",)) -> int:
    """Validate every file of every split; print the counts of `splits` only (writers of training text
    run this, and the held-out splits' counts are none of their business: `check --all` shows them)."""
    out = out or sys.stdout
    ids, notes = known_ids()
    for n_ in notes:
        print(n_, file=out)
    problems: list[str] = []
    docs: list[Document] = []
    seen: dict[str, str] = {}
    files = source_files(src)
    stray = [p for p in src.rglob("*") if p.is_file() and p not in files and p.suffix == ".txt"]
    for p in stray:
        problems.append(f"{_shown(p)}:1: not inside src/<train|dev|test>/")
    for f in files:
        doc, probs = parse_file(f)
        problems += probs
        if doc is None:
            continue
        if doc.id in seen:
            problems.append(f"{doc.path}:1: document id {doc.id} also in {seen[doc.id]} (a document lives in one split)")
        seen[doc.id] = doc.path
        for m in doc.mentions:
            if m.concept and m.concept not in ids:
                problems.append(f"{doc.path}:{m.line}: unknown concept id '{m.concept}' (not in the ontology or docs/vocabulary.md)")
        for a in doc.attachments:
            if a.concept not in ids:
                problems.append(f"{doc.path}:{a.line}: unknown {a.kind} id '{a.concept}'")
        docs.append(doc)
    warnings = []
    for doc in docs:
        bounds = split_sentences(doc.text)
        for m in doc.mentions:
            if not any(s <= m.start and m.end <= e for s, e in bounds):
                warnings.append(f"{doc.path}:{m.line}: warning: mention '{m.text}' crosses a sentence boundary")
    _print_counts([d for d in docs if d.split in splits], out, splits)
    for w in warnings:
        print(w, file=out)
    for p in problems:
        print(p, file=out)
    print(f"{len(files)} files, {len(problems)} problems, {len(warnings)} warnings", file=out)
    return 1 if problems else 0


def stats(docs: list[Document]) -> dict:
    by_split_lang: dict = defaultdict(Counter)
    by_cat: dict = defaultdict(Counter)
    by_clause: dict = defaultdict(Counter)
    for d in docs:
        key = (d.split, d.lang)
        c = by_split_lang[key]
        c["docs"] += 1
        c[d.kind] += 1
        for s in d.sentences():
            c["sentences"] += 1
            if s["categories"]:
                c["risk-bearing"] += 1
                for cat in s["categories"]:
                    by_cat[d.split][cat] += 1
            else:
                c["no-risk"] += 1
        c["mentions"] += sum(not m.neg for m in d.mentions)
        c["negated"] += sum(m.neg for m in d.mentions)
        c["causes/kris"] += len(d.attachments)
        c["clauses"] += len(d.clauses)
        for cl in d.clauses:
            by_clause[d.split][cl.type] += 1
    return {"split_lang": by_split_lang, "category": by_cat, "clause": by_clause}


def folds_by_document(docs: list[Document], k: int, seed: int = 0) -> list[list[int]]:
    """Indices of `docs` dealt into k folds by document: grouped by (lang, kind), shuffled with `seed`
    within a group, dealt round-robin, so each fold gets its share of zh/en/mixed notes and contracts.
    Used for the tuning split of `corisk train` and the folds of bench/cv_extract.py."""
    import random

    groups: dict = defaultdict(list)
    for i, d in enumerate(docs):
        groups[(d.lang, d.kind)].append(i)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    n = 0
    for key in sorted(groups):
        ids = sorted(groups[key], key=lambda i: docs[i].id)
        rng.shuffle(ids)
        for i in ids:
            folds[n % k].append(i)
            n += 1
    return folds


def _print_counts(docs: list[Document], out, splits=SPLITS) -> None:
    st = stats(docs)
    cols = ["docs", "notes", "contract", "sentences", "risk-bearing", "no-risk", "mentions", "negated",
            "causes/kris", "clauses"]
    print(f"{'split':6} {'lang':4} " + " ".join(f"{c:>12}" for c in cols), file=out)
    for split in splits:
        for lang in LANGS:
            c = st["split_lang"].get((split, lang))
            if c:
                print(f"{split:6} {lang:4} " + " ".join(f"{c[k]:>12}" for k in cols), file=out)
    print("\nrisk-bearing sentences per category", file=out)
    print(f"{'split':6} " + " ".join(f"{c:>12}" for c in CATEGORIES), file=out)
    for split in splits:
        c = st["category"].get(split, Counter())
        print(f"{split:6} " + " ".join(f"{c[k]:>12}" for k in CATEGORIES), file=out)
    print("\nclauses per type", file=out)
    for split in splits:
        c = st["clause"].get(split, Counter())
        print(f"{split:6} " + ", ".join(f"{k}={c[k]}" for k in CLAUSE_TYPES), file=out)
    print(file=out)


# --------------------------------------------------------------------------- build
def spacy_lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def build(out_dir: Path = OUT_DIR, src: Path = SRC_DIR, quiet: bool = False) -> dict[str, int]:
    """Write <split>.jsonl (documents with offsets into the plain text), <split>.spacy (one Doc per
    document: spans in doc.spans['risk'|'dismissed'|'cause'|'indicator'|'clause']) and
    <split>-sents.spacy (one Doc per sentence with multi-label cats)."""
    import spacy
    from spacy.tokens import DocBin

    out_dir.mkdir(parents=True, exist_ok=True)
    nlps = {k: spacy.blank(k) for k in ("zh", "en")}
    counts = {}
    for split in SPLITS:
        docs = load_corpus((split,), src)
        db = DocBin(store_user_data=True)
        sdb = DocBin(store_user_data=True)
        with (out_dir / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for d in docs:
                js = d.as_json()
                fh.write(json.dumps(js, ensure_ascii=False) + "\n")
                nlp = nlps[spacy_lang(d.lang)]
                doc = nlp.make_doc(d.text)
                groups: dict[str, list] = defaultdict(list)
                for m in d.mentions:
                    sp = doc.char_span(m.start, m.end, label=m.categories[0] if m.categories else "none",
                                       alignment_mode="expand")
                    if sp is not None:
                        groups["dismissed" if m.neg else "risk"].append(sp)
                for a in d.attachments:
                    sp = doc.char_span(a.start, a.end, label=a.concept, alignment_mode="expand")
                    if sp is not None:
                        groups[a.kind].append(sp)
                for cl in d.clauses:
                    sp = doc.char_span(cl.start, cl.end, label=cl.type, alignment_mode="expand")
                    if sp is not None:
                        groups["clause"].append(sp)
                for k, v in groups.items():
                    doc.spans[k] = v
                doc.user_data["corisk"] = {"id": d.id, "lang": d.lang, "kind": d.kind, "split": d.split,
                                           "mentions": [asdict(m) for m in d.mentions]}
                db.add(doc)
                for s in js["sentences"]:
                    sdoc = nlp.make_doc(s["text"])
                    sdoc.cats = {c: float(c in s["categories"]) for c in CATEGORIES}
                    sdoc.user_data["corisk"] = {"doc": d.id, "start": s["start"]}
                    sdb.add(sdoc)
        db.to_disk(out_dir / f"{split}.spacy")
        sdb.to_disk(out_dir / f"{split}-sents.spacy")
        counts[split] = len(docs)
        if not quiet:
            print(f"{split}: {len(docs)} documents → {out_dir / (split + '.jsonl')}, {split}.spacy, {split}-sents.spacy")
    return counts


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ("check", "build"):
        print("usage: python -m nlp.corpus check [--all] | build [--out DIR]", file=sys.stderr)
        return 2
    if argv[0] == "check":
        return check(splits=SPLITS if "--all" in argv else ("train",))
    out = OUT_DIR
    if "--out" in argv:
        out = Path(argv[argv.index("--out") + 1])
    build(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
