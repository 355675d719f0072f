"""Advisor latency on the shipped case base and on a synthetic case base of 100,000 cases.

    .venv/bin/python -m bench.bench_advisor [--cases 100000] [--queries 200] [--seed 0]

Shipped KB: p50/p95/max of `recommend` for every case's own query (leave-one-out) and for
concept-only queries. Synthetic: cases generated from the real ontology (1–3 risks with their
real causes and KRIs, 2–4 strategies that mitigate those risks or address those causes, random
outcomes, a short bilingual text), then index build time, memory, `fit_ranker` time, latency,
and the cost of one incremental change against rebuilding everything.
"""
from __future__ import annotations

import argparse
import gc
import random
import re
import time
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent.parent / "corpus" / "cases"
OUTCOMES = (("effective", 0.55), ("partial", 0.3), ("ineffective", 0.15))


# ------------------------------------------------------------------------------------- helpers
def percentiles(ms: list[float]) -> dict:
    """p50/p95/max of a list of milliseconds (nearest-rank, as graph.advisor_eval.latency)."""
    xs = sorted(ms)
    pick = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]  # noqa: E731
    return {"p50": pick(0.5), "p95": pick(0.95), "max": xs[-1], "n": len(xs)}


def rss_mb() -> float:
    """Resident set size of this process now (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, (time.perf_counter() - t0) * 1000


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    print(f"\n{title}")
    print(f"| {'measure'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for k, v in rows:
        print(f"| {k.ljust(width)} | {v} |")


def shipped_records():
    from graph.casebase import record_of
    from graph.cases import case_files, read_case_file

    return [record_of(read_case_file(p)) for p in case_files(CASES_DIR)]


def load_graph():
    import ontology

    return ontology.load().graph


# ----------------------------------------------------------------------------- synthetic cases
def word_pool(records) -> tuple[list[str], list[str]]:
    """English words and Chinese 2–4 character fragments from the shipped cases' text."""
    en, zh = set(), set()
    for r in records:
        en.update(w for w in re.findall(r"[a-z][a-z\-]{3,}", r.text.lower()))
        for run in re.findall(r"[\u4e00-\u9fff]{2,}", r.text):
            zh.update(run[i:i + 2] for i in range(0, len(run) - 1, 2))
    return sorted(en), sorted(zh)


def synthetic_records(onto, n: int, seed: int = 0, words: tuple[list[str], list[str]] = ((), ())) -> list:
    """`n` random but ontology-consistent CaseRecords (ids `syn-bench-000001`…)."""
    from graph.casebase import CaseRecord
    from graph.cases import SERVICE_TYPES
    from ontology.namespace import PHASES

    rnd = random.Random(seed)
    risks = sorted(onto.risk_categories)
    indicators_of: dict[str, list[str]] = {}
    for k in sorted(onto.signals):   # sorted: the same cases whatever the hash seed
        for r in sorted(onto.signals[k]):
            indicators_of.setdefault(r, []).append(k)
    en_words, zh_words = list(words[0]) or ["cloud", "partner", "contract"], list(words[1]) or ["合作", "云服务"]
    label = lambda c, lang: onto.labels.get(c, {}).get(lang, "")  # noqa: E731
    out = []
    for i in range(n):
        case_risks = rnd.sample(risks, rnd.randint(1, 3))
        causes = set()
        for r in case_risks:
            pool = sorted(onto.risk_causes.get(r, ()))
            if pool:
                causes.update(rnd.sample(pool, rnd.randint(1, min(2, len(pool)))))
        kris = {k for r in case_risks for k in indicators_of.get(r, ()) if rnd.random() < 0.5}
        options = sorted({s for r in case_risks for s in onto.mitigated_by.get(r, ())}
                         | {s for c in causes for s in onto.addressed_by.get(c, ())})
        chosen = rnd.sample(options, min(len(options), rnd.randint(2, 4))) if options else []
        outcomes = rnd.choices([o for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES], k=len(chosen))
        phase = rnd.choice(PHASES)
        service = rnd.choice(SERVICE_TYPES)
        concepts = [*case_risks, *sorted(causes)]
        text = " ".join([*(label(c, "en") for c in concepts), *rnd.sample(en_words, min(8, len(en_words))),
                         *(label(c, "zh") for c in concepts), "".join(rnd.sample(zh_words, min(6, len(zh_words))))])
        cid = f"syn-bench-{i:06d}"
        title = {"en": f"{label(case_risks[0], 'en')} in a {service} joint operation",
                 "zh": f"{service} 联合运营中的{label(case_risks[0], 'zh')}"}
        out.append(CaseRecord(id=cid, iri=f"https://w3id.org/corisk/id/case-{cid}", title=title, summary={},
                              risks=tuple(case_risks), causes=frozenset(causes), indicators=frozenset(kris),
                              phase=phase, service_type=service,
                              applications=tuple(sorted(zip(chosen, outcomes))), real=False, text=text))
    return out


def concept_queries(adv, n: int, seed: int = 0) -> list:
    """Concept-only queries (no case behind them): a risk, maybe a cause of it and a phase."""
    from ontology.namespace import PHASES

    rnd = random.Random(seed)
    risks = sorted(adv.onto.risk_categories)
    out = []
    for _ in range(n):
        r = rnd.choice(risks)
        causes = sorted(adv.onto.risk_causes.get(r, ()))
        concepts = [r] + ([rnd.choice(causes)] if causes and rnd.random() < 0.5 else [])
        out.append(adv.make_query(concepts, phase=rnd.choice([None, *PHASES])))
    return out


# ------------------------------------------------------------------------------------- benches
def bench_shipped(graph, records, concept_n: int = 50, seed: int = 0, fit_cases: int = 400,
                  case_n: int | None = None) -> list[tuple[str, str]]:
    from graph.advisor import Advisor

    (adv, build_ms) = timed(Advisor, graph, records)
    _, fit_ms = timed(adv.fit_ranker, max_cases=fit_cases)
    loo = [adv.query_for_case(r) for r in records[:case_n]]
    free = concept_queries(adv, concept_n, seed)
    adv.recommend(loo[0])   # warm the lazily built text matrix once
    case_ms = [timed(adv.recommend, q)[1] for q in loo]
    concept_ms = [timed(adv.recommend, q)[1] for q in free]
    rows = [("cases", f"{len(records)}"), ("index build (ms)", f"{build_ms:.0f}"),
            ("fit_ranker (ms)", f"{fit_ms:.0f}")]
    for name, ms in (("case queries", case_ms), ("concept queries", concept_ms), ("all queries", case_ms + concept_ms)):
        p = percentiles(ms)
        rows.append((f"recommend, {name} (n={p['n']}) p50 / p95 / max (ms)",
                     f"{p['p50']:.1f} / {p['p95']:.1f} / {p['max']:.1f}"))
    return rows


def bench_synthetic(graph, n_cases: int, n_queries: int, seed: int = 0, words=((), ()),
                    fit_cases: int = 400) -> list[tuple[str, str]]:
    from graph.advisor import Advisor, OntologyIndex

    onto = OntologyIndex(graph)
    gc.collect()
    rss0 = rss_mb()
    records, gen_ms = timed(synthetic_records, onto, n_cases, seed, words)
    gc.collect()
    rss1 = rss_mb()
    adv, build_ms = timed(Advisor, onto, records)
    _, matrix_ms = timed(adv.recommend, adv.query_for_case(records[0]))   # first query builds the lazy matrices
    gc.collect()
    rss2 = rss_mb()
    _, fit_ms = timed(adv.fit_ranker, max_cases=fit_cases)

    rnd = random.Random(seed + 1)
    n_case_q = n_queries - n_queries // 4
    queries = [adv.query_for_case(r) for r in rnd.sample(records, n_case_q)]
    queries += concept_queries(adv, n_queries - n_case_q, seed + 2)
    ms = [timed(adv.recommend, q)[1] for q in queries]
    p = percentiles(ms)

    # one case changes: new outcomes and text, upserted in place
    import dataclasses

    old = records[rnd.randrange(len(records))]
    changed = dataclasses.replace(old, applications=tuple((s, "ineffective") for s, _ in old.applications),
                                  text=old.text + " 整改 remediation")
    probe = queries[0]
    _, upsert_ms = timed(adv.cases.upsert, changed)
    _, first_ms = timed(adv.recommend, probe)
    _, second_ms = timed(adv.recommend, probe)
    extra = dataclasses.replace(old, id="syn-bench-new", iri=old.iri + "-new")
    _, add_ms = timed(adv.cases.upsert, extra)
    _, first_add_ms = timed(adv.recommend, probe)
    _, remove_ms = timed(adv.cases.remove, "syn-bench-new")
    _, first_remove_ms = timed(adv.recommend, probe)
    adv2, rebuild_ms = timed(Advisor, onto, [changed if r.id == old.id else r for r in records])
    _, rebuild_first_ms = timed(adv2.recommend, probe)
    del adv2
    return [
        ("cases", f"{len(records):,}"),
        ("generate records (s)", f"{gen_ms / 1000:.1f}"),
        ("records in memory (MiB RSS)", f"{rss1 - rss0:.0f}"),
        ("index build: Advisor(onto, cases) (s)", f"{build_ms / 1000:.2f}"),
        ("first query (builds lazy text/feature matrices) (ms)", f"{matrix_ms:.0f}"),
        ("indexes in memory (MiB RSS)", f"{rss2 - rss1:.0f}"),
        (f"fit_ranker, {fit_cases} sampled cases (s)", f"{fit_ms / 1000:.1f}"),
        (f"recommend (n={p['n']}) p50 / p95 / max (ms)", f"{p['p50']:.1f} / {p['p95']:.1f} / {p['max']:.1f}"),
        ("upsert one changed case (ms)", f"{upsert_ms:.1f}"),
        ("first recommend after it (ms)", f"{first_ms:.1f}"),
        ("next recommend (ms)", f"{second_ms:.1f}"),
        ("upsert one new case / first recommend (ms)", f"{add_ms:.1f} / {first_add_ms:.1f}"),
        ("remove it / first recommend (ms)", f"{remove_ms:.1f} / {first_remove_ms:.1f}"),
        ("rebuild from scratch + first recommend (s)", f"{rebuild_ms / 1000:.2f} + {rebuild_first_ms / 1000:.2f}"),
    ]


def main(argv=None, graph=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000, help="size of the synthetic case base")
    ap.add_argument("--queries", type=int, default=200, help="queries timed on the synthetic case base")
    ap.add_argument("--concept-queries", type=int, default=50, help="concept-only queries on the shipped KB")
    ap.add_argument("--shipped-queries", type=int, default=None, help="only the first N shipped cases' queries")
    ap.add_argument("--fit-cases", type=int, default=400, help="cases fit_ranker samples (its default: 400)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    graph = graph if graph is not None else load_graph()
    records = shipped_records()
    shipped = bench_shipped(graph, records, args.concept_queries, args.seed, args.fit_cases, args.shipped_queries)
    print_table("Advisor latency, shipped case base", shipped)
    synthetic = bench_synthetic(graph, args.cases, args.queries, args.seed, word_pool(records), args.fit_cases)
    print_table(f"Advisor on a synthetic case base of {args.cases:,} cases", synthetic)
    return {"shipped": shipped, "synthetic": synthetic}


if __name__ == "__main__":
    main()
