"""bench.agreement (second annotation of dev and test) and bench.run_all, which `make bench` runs."""
import subprocess
import sys

from bench.agreement import as_output, pairs
from nlp.evaluate import score


def test_an_annotation_scored_against_itself_agrees_fully_and_the_second_one_matches_its_text():
    ps = pairs("test")
    assert len(ps) == 12
    first = [a for a, _ in ps]
    s = score(first, [as_output(d) for d in first])
    assert s["category_micro"]["f1"] == 1.0 and s["linking_accuracy"] == 1.0
    assert s["negation_accuracy"] == 1.0 and s["clause_type"]["f1"] == 1.0
    s2 = score(first, [as_output(b) for _, b in ps])
    assert 0.5 < s2["category_micro"]["f1"] < 1.0        # two annotators: close, not identical


def test_make_bench_runs_the_named_benchmarks_and_reports_each():
    out = subprocess.run([sys.executable, "-m", "bench.run_all", "--quick", "--only", "agreement"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "category micro-F1" in out.stdout and "=== agreement: ok" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "bench.run_all", "--only", "nosuch"], capture_output=True, text=True)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
