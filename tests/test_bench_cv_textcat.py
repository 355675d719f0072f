"""bench.cv_textcat: the neural-vs-linear comparison recorded in docs/BENCHMARKS.md runs and reports
every model it names, on a small sample (the recorded run uses all of train + dev)."""
import json
import subprocess
import sys


def test_cv_textcat_compares_the_cnn_with_the_linear_models_fold_by_fold(tmp_path):
    out_json = tmp_path / "folds.json"
    out = subprocess.run([sys.executable, "-m", "bench.cv_textcat", "--docs", "60", "--folds", "2", "--epochs", "1",
                          "--jobs", "1", "--json", str(out_json)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    for row in ("cat_top1 nblr", "cat_top1 cnn@1", "cat_f1 mix@1", "concept svm-blocks", "concept knn5"):
        assert row in out.stdout
    folds = json.loads(out_json.read_text())
    assert [f["fold"] for f in folds] == [0, 1]
    assert "most frequent concept confusions" in out.stdout
    for f in folds:
        # figures are fractions of held-out items, and the linear model learns something on 30 documents
        assert all(0.0 <= v <= 1.0 for k, v in f.items() if k.startswith(("cat_", "concept")))
        assert f["cat_top1 nblr"] > 0.3
