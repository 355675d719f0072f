"""Inter-annotator agreement: a second, independent annotation of the dev and test documents
(`corpus/annotations/agreement/<split>/`, same file names and text as `src/<split>/`) scored against
the original with the very figures `corisk evaluate` gives the model — so the model's numbers can be
read against how far two careful annotators following the same guide agree.

    .venv/bin/python -m bench.agreement                    # both splits, original annotation = gold
    .venv/bin/python -m bench.agreement --split test --model   # also the model against each annotation

The second annotator saw only the plain text (markup removed, clause markers kept), the guide and the
train split: never the original labels nor any model output. Its mentions become an extraction
output (kept risks, `|neg` ones dismissed, its clauses), which nlp.evaluate.score compares with the
original. Category micro-F1 is symmetric in the two annotations (swapping gold and prediction swaps P
and R); linking accuracy is over the mentions both marked.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGREEMENT_DIR = ROOT / "corpus" / "annotations" / "agreement"
FIGURES = (("category micro-F1", lambda s: s["category_micro"]["f1"]),
           ("category P / R", lambda s: f'{s["category_micro"]["p"]:.3f} / {s["category_micro"]["r"]:.3f}'),
           ("linking accuracy", lambda s: s["linking_accuracy"]),
           ("span F1, overlap", lambda s: s["span_overlap"]["f1"]),
           ("span F1, exact", lambda s: s["span_exact"]["f1"]),
           ("negation accuracy", lambda s: s["negation_accuracy"]))


def as_output(doc) -> dict:
    """An annotated Document as if it were the extractor's output for the same text."""
    from nlp.clauses import ESSENTIAL_CLAUSES

    def item(m):
        return {"text": m.text, "start": m.start, "end": m.end, "category": m.categories[0],
                "categories": list(m.categories), "concept": m.concept or None}
    types = {c.type for c in doc.clauses}
    return {"risks": [item(m) for m in doc.mentions if not m.neg],
            "dismissed": [item(m) for m in doc.mentions if m.neg],
            "clauses": [{"type": c.type, "start": c.start, "end": c.end} for c in doc.clauses],
            "missing_clauses": [t for t in ESSENTIAL_CLAUSES if t not in types] if doc.kind == "contract" else []}


def pairs(split: str):
    """(original, second) Documents of one split, matched by file name; the texts must be equal."""
    from nlp.corpus import SRC_DIR, parse_file

    out = []
    for p2 in sorted((AGREEMENT_DIR / split).glob("*.txt")):
        p1 = SRC_DIR / split / p2.name
        d1, e1 = parse_file(p1, split)
        d2, e2 = parse_file(p2, split)
        if d1 is None or d2 is None or e1 or e2:
            raise SystemExit(f"cannot read {p2.name}: {(e1 + e2)[:3]}")
        if d1.text != d2.text:
            raise SystemExit(f"{p2.name}: the second annotation's text differs from the original")
        out.append((d1, d2))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", action="append", choices=("dev", "test"), help="default: both")
    ap.add_argument("--model", action="store_true", help="also score the installed model against each annotation")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    a = ap.parse_args(argv)
    from nlp.evaluate import score

    result = {}
    ex = None
    if a.model:
        from nlp.extract import Extractor
        ex = Extractor.load()
    for split in a.split or ["dev", "test"]:
        ps = pairs(split)
        if not ps:
            print(f"no second annotation for {split} in {AGREEMENT_DIR / split}", file=sys.stderr)
            return 1
        first, second = [p[0] for p in ps], [p[1] for p in ps]
        rows = {"annotator 2 vs original": score(first, [as_output(d) for d in second])}
        if ex is not None:
            outs = [ex.extract_text(d.text, kind=d.kind, source=d.id) for d in first]
            rows["model vs original"] = score(first, outs)
            rows["model vs annotator 2"] = score(second, outs)
        result[split] = {"documents": len(ps),
                         "mentions": [sum(len(d.mentions) for d in first), sum(len(d.mentions) for d in second)],
                         "scores": rows}
    if a.format == "json":
        json.dump(result, sys.stdout, indent=1, default=str)
        print()
        return 0
    for split, r in result.items():
        print(f"{split}: {r['documents']} documents, mentions original {r['mentions'][0]}, "
              f"second annotation {r['mentions'][1]}")
        names = list(r["scores"])
        print(f"  {'figure':22s}" + "".join(f"{n:>26s}" for n in names))
        for label, get in FIGURES:
            cells = [get(r["scores"][n]) for n in names]
            print(f"  {label:22s}" + "".join(f"{c:>26.3f}" if isinstance(c, float) else f"{c:>26s}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
