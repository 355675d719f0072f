"""Extraction throughput: chars/s per core on ~1 MB of mixed notes, peak memory, and a folder on 2 cores.

    .venv/bin/python -m bench.bench_extract [--mb 1.0]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def corpus_notes(target_chars: int) -> str:
    """~target_chars of notes built from the annotated corpus (zh, en and mixed), markup removed."""
    from nlp.corpus import load_corpus

    docs = [d.text for d in load_corpus() if d.kind == "notes"]
    parts, n, k = [], 0, 0
    while n < target_chars:
        t = docs[k % len(docs)] + "\n\n"
        parts.append(t)
        n += len(t)
        k += 1
    return "".join(parts)[:target_chars]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=1.0)
    args = ap.parse_args(argv)
    from nlp.extract import Extractor, extract_paths

    t0 = time.perf_counter()
    ex = Extractor.load()
    load_s = time.perf_counter() - t0
    text = corpus_notes(int(args.mb * 1_000_000))
    ex.extract_text(text[:20_000])  # warm up
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    doc = ex.extract_text(text, kind="notes")
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # a folder of files on both cores
    with tempfile.TemporaryDirectory() as tmp:
        n_files = 8
        per = len(text) // n_files
        for i in range(n_files):
            Path(tmp, f"notes-{i}.txt").write_text(text[i * per:(i + 1) * per], encoding="utf-8")
        t1 = time.perf_counter()
        extract_paths([tmp], "notes", "auto", workers=2, extractor=ex)
        folder_wall = time.perf_counter() - t1
    rows = [
        ("model load (s)", f"{load_s:.2f}"),
        ("text (chars)", f"{len(text):,}"),
        ("risks found", f"{len(doc['risks']):,} (+{len(doc['dismissed'])} dismissed)"),
        ("single process: chars/s (wall)", f"{len(text) / wall:,.0f}"),
        ("single process: chars/s per core (CPU time)", f"{len(text) / cpu:,.0f}"),
        ("peak RSS (MB)", f"{peak:,.0f} (before the run: {rss0 / 1024:,.0f})"),
        (f"folder of {n_files} files, 2 workers: chars/s (wall, incl. worker start)", f"{len(text) / folder_wall:,.0f}"),
        ("cores", str(os.cpu_count())),
    ]
    w = max(len(r[0]) for r in rows)
    for k, v in rows:
        print(f"{k:<{w}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
