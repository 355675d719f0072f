"""corisk against a classic CBR toolkit (cbrkit) on the same case base and the same held-out queries.

    .venv/bin/pip install -e '.[bench]'          # cbrkit
    .venv/bin/python -m bench.bench_cbrkit [--k 5 10 25] [--folds N] [--synthetic 100000]

cbrkit retrieves the k most similar cases by attribute-value similarity (Jaccard on the risk,
cause and KRI sets, equality on phase, service type and main category, mean aggregation); the
strategies are then ranked by the similarity-weighted outcomes of the retrieved cases (the CBR
"reuse" step). Each held-out case is left out of the casebase it is compared with. Scored with
graph.advisor_eval's metrics; corisk's figures come from graph.advisor_eval.evaluate.
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict

ATTRIBUTES = ("risks", "causes", "indicators", "phase", "service_type", "category")


def set_jaccard(x, y) -> float:
    """Jaccard of two sets, 0 when either is empty (as corisk's; cbrkit's own needs nltk and fails on two empty sets)."""
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def cbr_case(adv, case) -> dict:
    """The attribute-value view of a case that cbrkit compares."""
    from graph.advisor_eval import main_category

    return {"risks": frozenset(case.risks), "causes": frozenset(case.causes),
            "indicators": frozenset(case.indicators), "phase": case.phase,
            "service_type": case.service_type, "category": main_category(adv, case)}


def retriever(k: int):
    import cbrkit

    eq = cbrkit.sim.generic.equality()
    sim = cbrkit.sim.attribute_value(
        attributes={"risks": set_jaccard, "causes": set_jaccard, "indicators": set_jaccard,
                    "phase": eq, "service_type": eq, "category": eq},
        aggregator=cbrkit.sim.aggregator(pooling="mean"))
    return cbrkit.retrieval.build(sim, limit=k)


def reuse(result, records) -> list[str]:
    """Strategies ranked by the similarity-weighted outcome values of the retrieved cases."""
    from cbrkit.helpers import unpack_sim

    from graph.advisor import OUTCOME_VALUE

    votes: dict[str, float] = defaultdict(float)
    for cid in result.ranking:
        sim = unpack_sim(result.similarities[cid])
        for s, outcome in records[cid].applications:
            votes[s] += sim * OUTCOME_VALUE.get(outcome, 0.0)
    return [s for s, _ in sorted(votes.items(), key=lambda x: (-x[1], x[0]))]


def run_cbrkit(adv, k: int = 25, limit: int | None = None) -> dict:
    """Leave-one-out metrics and per-query latency of cbrkit retrieval + reuse."""
    import cbrkit

    from graph.advisor_eval import Scores

    records = adv.cases.records
    held = sorted((c for c in records.values() if any(o == "effective" for _, o in c.applications)),
                  key=lambda c: c.id)[:limit]
    full = {cid: cbr_case(adv, c) for cid, c in records.items()}
    retrieve = retriever(k)
    scores = Scores(f"cbrkit (attribute-value, top-{k} reuse)")
    ms = []
    for case in held:
        casebase = {cid: v for cid, v in full.items() if cid != case.id}
        relevant = {s for s, o in case.applications if o == "effective"}
        same_main = {c.id for c in records.values() if c.id != case.id and c.main_risk == case.main_risk}
        query = full[case.id]
        t0 = time.perf_counter()
        result = cbrkit.retrieval.apply(casebase, query, retrieve)
        ranked = reuse(result, records)
        ms.append((time.perf_counter() - t0) * 1000)
        scores.add(ranked, relevant, result.ranking, same_main)
    return {"row": scores.row(), "latency_ms": _pct(ms), "held": [c.id for c in held]}


def _pct(ms: list[float]) -> dict:
    xs = sorted(ms)
    pick = lambda p: round(xs[min(len(xs) - 1, int(p * len(xs)))], 2)  # noqa: E731
    return {"p50": pick(0.5), "p95": pick(0.95), "n": len(xs)}


def synthetic_latency(graph, n: int, queries: int, k: int, seed: int = 0) -> list[tuple[str, str, str, str]]:
    """p50/p95 of one query on a synthetic case base of n cases: cbrkit retrieval + reuse vs corisk recommend."""
    import random

    import cbrkit

    from bench.bench_advisor import shipped_records, synthetic_records, word_pool
    from graph.advisor import Advisor, OntologyIndex

    onto = OntologyIndex(graph)
    records = synthetic_records(onto, n, seed, word_pool(shipped_records()))
    adv = Advisor(onto, records)
    adv.fit_ranker()
    casebase = {r.id: cbr_case(adv, r) for r in records}
    retrieve = retriever(k)
    sample = random.Random(seed + 1).sample(records, queries)
    ours, theirs = [], []
    for r in sample:
        q = adv.query_for_case(r)
        t0 = time.perf_counter()
        adv.recommend(q)
        ours.append((time.perf_counter() - t0) * 1000)
        query = casebase.pop(r.id)   # leave-one-out, as corisk's query_for_case does
        t0 = time.perf_counter()
        reuse(cbrkit.retrieval.apply(casebase, query, retrieve), adv.cases.records)
        theirs.append((time.perf_counter() - t0) * 1000)
        casebase[r.id] = query
    a, b = _pct(ours), _pct(theirs)
    return [(f"latency p50 (ms), {n:,} synthetic cases", f"{a['p50']:.1f}", f"{b['p50']:.1f}",
             _ratio(a["p50"], b["p50"])),
            (f"latency p95 (ms), {n:,} synthetic cases", f"{a['p95']:.1f}", f"{b['p95']:.1f}",
             _ratio(a["p95"], b["p95"]))]


def _ratio(a, b) -> str:
    return f"{a / b:.3g}" if a is not None and b else "–"


def side_by_side(corisk: dict, cbr: dict) -> list[tuple[str, str, str, str]]:
    """(measure, corisk, cbrkit, corisk / cbrkit) rows."""
    ours, theirs = corisk["rows"][0], cbr["row"]
    rows = []
    for key in ("recall@5", "mrr", "ndcg@10", "case_precision@5"):
        a, b = ours.get(key), theirs.get(key)
        rows.append((key, f"{a:.4f}", f"{b:.4f}", _ratio(a, b)))
    for p in ("p50", "p95"):
        a, b = corisk["latency_ms"][p], cbr["latency_ms"][p]
        rows.append((f"latency {p} (ms)", f"{a:.2f}", f"{b:.2f}", _ratio(a, b)))
    rows.append(("queries", str(ours["queries"]), str(theirs["queries"]), ""))
    return rows


def print_rows(title: str, header: tuple, rows: list[tuple]) -> None:
    print(f"\n{title}")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")


def main(argv=None, graph=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, nargs="+", default=[5, 10, 25],
                    help="cases cbrkit retrieves for reuse; the best k by MRR is compared (corisk uses 25)")
    ap.add_argument("--folds", type=int, default=None,
                    help="fit corisk's ranker on k folds instead of leave-one-out (quicker)")
    ap.add_argument("--queries", type=int, default=None, help="only the first N held-out cases for cbrkit")
    ap.add_argument("--synthetic", type=int, default=0, help="also time both on N synthetic cases")
    ap.add_argument("--synthetic-queries", type=int, default=50)
    args = ap.parse_args(argv)

    import cbrkit  # noqa: F401  (fail early, with the install hint in the docstring)

    from bench.bench_advisor import load_graph, shipped_records
    from graph.advisor import Advisor
    from graph.advisor_eval import evaluate

    graph = graph if graph is not None else load_graph()
    adv = Advisor(graph, shipped_records())
    runs = [run_cbrkit(adv, k, args.queries) for k in args.k]
    best = max(range(len(runs)), key=lambda i: (runs[i]["row"]["mrr"], -i))
    cbr = runs[best]
    corisk = evaluate(adv, folds=args.folds)
    quality = [(r["method"], r["recall@5"], r["mrr"], r["ndcg@10"], r["case_precision@5"], r["queries"])
               for r in [*corisk["rows"], *(run["row"] for run in runs)]]
    print_rows(f"Leave-one-out quality, {len(adv.cases)} shipped cases",
               ("method", "recall@5", "MRR", "nDCG@10", "case precision@5", "queries"), quality)
    rows = side_by_side(corisk, cbr)
    if args.synthetic:
        rows += synthetic_latency(graph, args.synthetic, args.synthetic_queries, args.k[best])
    print_rows(f"corisk vs cbrkit at k={args.k[best]} (its best MRR); ratio = corisk / cbrkit, "
               "> 1 is better for quality, < 1 for latency",
               ("measure", "corisk", "cbrkit", "ratio"), rows)
    return {"quality": quality, "side_by_side": rows, "corisk": corisk, "cbrkit": cbr, "k": args.k[best]}


if __name__ == "__main__":
    main()
