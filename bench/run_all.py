"""Every benchmark of docs/BENCHMARKS.md in one go (what `make bench` runs), one after the other so
that they do not share the two cores.

    .venv/bin/python -m bench.run_all                 # the recorded commands (about 15–25 min)
    .venv/bin/python -m bench.run_all --quick         # smaller sizes, a few minutes: to see they run
    .venv/bin/python -m bench.run_all --only extract --only agreement

Each benchmark prints its own table; a failed one is reported at the end and makes the exit status 1,
the others still run. Extraction quality (`corisk evaluate`, `python -m bench.cv_extract`) is not
here: it trains models and has its own commands in docs/BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

# name → (recorded arguments, --quick arguments)
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "extract": (["bench.bench_extract"], ["bench.bench_extract", "--mb", "0.2"]),
    "agreement": (["bench.agreement"], ["bench.agreement"]),
    "advisor": (["bench.bench_advisor", "--cases", "100000", "--queries", "200"],
                ["bench.bench_advisor", "--cases", "5000", "--queries", "50"]),
    "store": (["bench.bench_store", "--triples", "1000000", "--runs", "200", "--budget", "30"],
              ["bench.bench_store", "--triples", "100000", "--runs", "50"]),
    "cbrkit": (["bench.bench_cbrkit", "--synthetic", "100000", "--synthetic-queries", "20"],
               ["bench.bench_cbrkit", "--synthetic", "5000", "--synthetic-queries", "5"]),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, to check that every bench runs")
    ap.add_argument("--only", action="append", choices=list(BENCHES), help="run only these (repeat)")
    a = ap.parse_args(argv)
    failed = []
    for name in a.only or list(BENCHES):
        args = BENCHES[name][1 if a.quick else 0]
        print(f"\n=== {name}: python -m {' '.join(args)}", flush=True)
        t0 = time.time()
        rc = subprocess.call([sys.executable, "-m", *args])
        print(f"=== {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {time.time() - t0:.0f} s", flush=True)
        if rc != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
