"""Store benchmarks: load of the shipped KB, a synthetic KB of N triples, the advisor's queries.

    .venv/bin/python -m bench.bench_store                 # 1 M triples (a few minutes)
    .venv/bin/python -m bench.bench_store --triples 100000 --runs 50

Each query runs on the embedded Oxigraph store (graph.store) and on plain rdflib in memory, in
the same run, with the same random bindings; the table gives p50/p95 and the ratio.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rdflib import Dataset, Graph, URIRef  # noqa: E402

from graph.cases import _INDEX_COUNTS, CaseBase, index_filter_query  # noqa: E402
from graph.store import from_ox  # noqa: E402

from graph.store import (  # noqa: E402
    CASES_GRAPH, INDEX_GRAPH, KB_GRAPHS, ONTOLOGY_GRAPH, open_store,
)
from ontology.namespace import CATEGORIES, PHASES, CRK, category_iri, phase_iri  # noqa: E402

PREFIX = "PREFIX cr: <https://w3id.org/corisk/ontology#>\n"
# The shapes graph/cases.py uses. Oxigraph joins in the written order: the selective pattern first.
QUERIES = {
    # the advisor's first step: strategies for a risk in a phase, directly or through one of its causes
    "2-hop strategy lookup": PREFIX + """SELECT DISTINCT ?strategy WHERE {
  { ?strategy cr:mitigates ?risk . ?strategy cr:inPhase ?phase }
  UNION { ?risk cr:hasCause ?cause . ?strategy cr:addresses ?cause . ?strategy cr:inPhase ?phase }
}""",
    "case filter by category and phase": PREFIX + """SELECT DISTINCT ?case WHERE {
  ?risk cr:category ?category .
  ?case cr:materialised ?risk .
  ?case cr:inPhase ?phase .
}""",
    # what a page of the case list asks for
    "case filter, first page of 50": PREFIX + """SELECT DISTINCT ?case WHERE {
  ?risk cr:category ?category .
  ?case cr:materialised ?risk .
  ?case cr:inPhase ?phase .
} LIMIT 50""",
    "case counts per category": PREFIX + """SELECT ?category (COUNT(DISTINCT ?case) AS ?n) WHERE {
  ?risk cr:category ?category .
  ?case cr:materialised ?risk .
} GROUP BY ?category""",
}
# What graph.cases runs: the case index the store maintains at write time (graph.store.case_index_ops).
# On Oxigraph they run as CaseBase.filter_ids / category_counts; rdflib gets the same index triples
# and runs the same SPARQL text, and the same Python around it (split the literals, sum the counts).
INDEXED = {
    "case filter (index)": "index filter: 16 bucket literals of the key",
    "case counts per category (index)": _INDEX_COUNTS,
}
QUERIES.update(INDEXED)
NEEDS = {"2-hop strategy lookup": ("risk", "phase"), "case filter by category and phase": ("category", "phase"),
         "case filter, first page of 50": ("category", "phase"),
         "case counts per category": (), "case filter (index)": ("cat", "ph"), "case counts per category (index)": ()}
GRAPHS = {name: [INDEX_GRAPH] if name in INDEXED else list(KB_GRAPHS) for name in QUERIES}


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def synthetic_cases(path: Path, triples: int, risks: list[str], causes: list[str], strategies: list[str],
                    seed: int = 7) -> int:
    """Write synthetic cases as N-Quads into the cases graph until about `triples` triples; returns the count."""
    rnd = random.Random(seed)
    g = f"<{CASES_GRAPH}>"
    cr = "https://w3id.org/corisk/ontology#"
    n = i = 0
    with open(path, "w", encoding="utf-8") as fh:
        while n < triples:
            c = f"<{CRK}case-bench-{i}>"
            lines = [f'{c} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{cr}Case> {g} .',
                     f'{c} <{cr}synthetic> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> {g} .',
                     f'{c} <http://purl.org/dc/terms/title> "Bench case {i}"@en {g} .',
                     f'{c} <http://purl.org/dc/terms/title> "基准案例 {i}"@zh {g} .',
                     f'{c} <{cr}summary> "A generated case for the store benchmark, number {i}."@en {g} .',
                     f'{c} <{cr}summary> "为存储基准生成的案例 {i}。"@zh {g} .',
                     f'{c} <{cr}inPhase> <{phase_iri(rnd.choice(PHASES))}> {g} .',
                     f'{c} <{cr}region> "{rnd.choice(["CN", "EU", "US", "SG", "HK"])}" {g} .']
            for r in rnd.sample(risks, rnd.randint(1, 3)):
                lines.append(f"{c} <{cr}materialised> <{r}> {g} .")
            for cause in rnd.sample(causes, rnd.randint(0, 3)):
                lines.append(f"{c} <{cr}hadCause> <{cause}> {g} .")
            for k, s in enumerate(rnd.sample(strategies, rnd.randint(1, 3)), 1):
                a = f"<{CRK}case-bench-{i}/application/{k}>"
                lines += [f"{c} <{cr}applied> {a} {g} .", f"{a} <{cr}strategy> <{s}> {g} .",
                          f"{a} <{cr}outcome> <{CRK}outcome-{rnd.choice(['effective', 'partial', 'ineffective'])}> {g} ."]
            for k in range(rnd.randint(1, 3)):
                lines.append(f'{c} <{cr}lesson> "Lesson {k} of bench case {i}: keep an exit plan."@en {g} .')
            fh.write("\n".join(lines) + "\n")
            n += len(lines)
            i += 1
    return n


def time_queries(run, bindings_for, runs: int, budget: float) -> dict[str, list[float]]:
    out = {}
    for name, q in QUERIES.items():
        times: list[float] = []
        start = time.perf_counter()
        for b in bindings_for[name][:runs]:
            t = time.perf_counter()
            rows = run(q, b)
            times.append((time.perf_counter() - t) * 1000)
            assert rows is not None
            if time.perf_counter() - start > budget and len(times) >= 3:
                break
        out[name] = times
    return out


def check_index(store) -> None:
    """The index answers exactly what the join over the case base answers (every category and phase)."""
    for cat in CATEGORIES:
        for ph in PHASES:
            slow = {r["case"] for r in store.select(QUERIES["case filter by category and phase"],
                                                    {"category": category_iri(cat), "phase": phase_iri(ph)})}
            fast = {URIRef(CRK["case-" + i]) for i in CaseBase(store).filter_ids(cat, ph)}
            assert slow == fast, (cat, ph, len(slow), len(fast))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic case graph")
    ap.add_argument("--runs", type=int, default=200, help="runs per query (rdflib stops after --budget seconds)")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per query for rdflib in memory")
    ap.add_argument("--keep", type=Path, help="keep the store in this directory")
    args = ap.parse_args(argv)

    from graph.io import load_knowledge_base

    work = Path(tempfile.mkdtemp(prefix="corisk-bench-"))
    rows: list[tuple[str, str]] = []
    try:
        # 1. the shipped knowledge base
        t = time.perf_counter()
        with open_store(work / "shipped") as store:
            report = load_knowledge_base(store, REPO / "corpus" / "cases", skip_invalid=True)
            shipped_triples = store.count()
        rows.append(("load shipped KB (parse + SHACL + write)",
                     f"{time.perf_counter() - t:.2f} s, {shipped_triples} triples, {report.cases} cases"))

        # 2. a synthetic KB of N triples: the ontology + generated cases
        store = open_store(args.keep or work / "big")
        report = load_knowledge_base(store, work / "no-cases")
        onto = store.ontology_graph()
        from ontology.namespace import CR
        from rdflib.namespace import RDF

        risks = sorted(str(r) for r in onto.subjects(RDF.type, CR.Risk))
        causes = sorted(str(c) for c in onto.subjects(RDF.type, CR.Cause))
        strategies = sorted(str(s) for s in onto.subjects(RDF.type, CR.Strategy))
        nq = work / "cases.nq"
        n = synthetic_cases(nq, args.triples - len(onto), risks, causes, strategies)
        t = time.perf_counter()
        store.bulk_load(nq)
        load_s = time.perf_counter() - t
        store._ox.optimize()
        total = store.count() + store.count(INDEX_GRAPH)
        rows.append((f"bulk load {n} case triples (Oxigraph, on disk)", f"{load_s:.2f} s"))
        t = time.perf_counter()
        store.rebuild_case_index()
        rows.append(("build the case index (one transaction)", f"{time.perf_counter() - t:.2f} s, "
                     f"{store.count(INDEX_GRAPH)} index triples"))
        check_index(store)
        # what a case edit costs now that it also updates the index (validation + write + index)
        from graph.cases import CaseBase

        cb = CaseBase(store)
        import graph.store as gs

        keep = gs.index_ops_for
        edit_ms: dict[bool, list[float]] = {True: [], False: []}
        try:
            for k in range(45):
                # the first 5 edits load the shapes and copy the ontology; then edits with and without
                # index maintenance alternate, so both see the same machine (the index is rebuilt after)
                with_index = k < 5 or k % 2 == 1
                gs.index_ops_for = keep if with_index else (lambda batch: [])
                case = cb.get(f"bench-{k}")
                t = time.perf_counter()
                cb.put(case, create=False)
                if k >= 5:
                    edit_ms[with_index].append((time.perf_counter() - t) * 1000)
        finally:
            gs.index_ops_for = keep
        store.rebuild_case_index()
        check_index(store)
        plain_ms = edit_ms[False]
        edit_ms = edit_ms[True]
        rows.append(("edit one case (validate + write + index), p50 / p95",
                     f"{pct(edit_ms, 50):.0f} / {pct(edit_ms, 95):.0f} ms"))
        rows.append(("edit one case without index maintenance (same run), p50 / p95",
                     f"{pct(plain_ms, 50):.0f} / {pct(plain_ms, 95):.0f} ms"))
        rows.append(("store size on disk", f"{du(Path(store.location)) / 2**20:.0f} MiB for {total} triples"))
        store.close()
        t = time.perf_counter()
        store = open_store(args.keep or work / "big")
        store.count(ONTOLOGY_GRAPH)
        rows.append(("reopen the store", f"{time.perf_counter() - t:.3f} s"))

        t = time.perf_counter()
        mem = Dataset()
        mem.parse(nq, format="nquads")
        mem_graph = Graph()
        for name in KB_GRAPHS:
            for triple in (mem.graph(name) if name == CASES_GRAPH else onto):
                mem_graph.add(triple)
        rows.append(("rdflib in memory: parse + merge the same triples", f"{time.perf_counter() - t:.1f} s"))
        del mem
        index_graph = Graph()   # rdflib gets the same index triples, so the indexed queries compare like for like
        for q in store.quads([INDEX_GRAPH]):
            index_graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))

        rnd = random.Random(11)
        bindings_for = {
            name: [{k: {"risk": lambda: URIRef(rnd.choice(risks)),
                        "phase": lambda: phase_iri(rnd.choice(PHASES)),
                        "category": lambda: category_iri(rnd.choice(CATEGORIES)),
                        "cat": lambda: rnd.choice(CATEGORIES), "ph": lambda: rnd.choice(PHASES)}[k]()
                   for k in NEEDS[name]}
                   for _ in range(args.runs)]
            for name in QUERIES
        }
        names = {q: name for name, q in QUERIES.items()}
        cb = CaseBase(store)

        def run_ox(q, b):
            name = names[q]
            if name == "case filter (index)":
                return cb.filter_ids(b["cat"], b["ph"])
            if name == "case counts per category (index)":
                return cb.category_counts()
            return store.select(q, b, graphs=GRAPHS[name])

        def run_rdflib(q, b):
            name = names[q]
            if name == "case filter (index)":
                return sorted(i for r in index_graph.query(index_filter_query(b["cat"], b["ph"])) for i in str(r[0]).split())
            if name == "case counts per category (index)":
                out: dict = {}
                for key, n in index_graph.query(q):
                    cat = str(key).rsplit("/", 1)[-1]
                    out[cat] = out.get(cat, 0) + int(n)
                return out
            return list(mem_graph.query(q, initBindings=b))

        ox_t = time_queries(run_ox, bindings_for, args.runs, budget=1e9)
        rd_t = time_queries(run_rdflib, bindings_for, args.runs, budget=args.budget)
        store.close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(f"corisk store benchmark — {args.triples:,} triples, {os.cpu_count()} cores, python {sys.version.split()[0]}")
    w = max(len(a) for a, _ in rows)
    for a, b in rows:
        print(f"  {a:<{w}}  {b}")
    print()
    print(f"  {'query':<36} {'oxigraph p50':>13} {'p95':>9} {'rdflib p50':>12} {'p95':>10} {'speed-up p95':>13}  runs")
    for name in QUERIES:
        o, r = ox_t[name], rd_t[name]
        print(f"  {name:<36} {pct(o, 50):>10.2f} ms {pct(o, 95):>6.2f} ms {pct(r, 50):>9.1f} ms {pct(r, 95):>7.1f} ms "
              f"{pct(r, 95) / max(pct(o, 95), 1e-6):>12.0f}x  {len(o)}/{len(r)}")


if __name__ == "__main__":
    main()
