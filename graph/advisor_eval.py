"""Leave-one-out evaluation of the advisor over the case base, with baselines in the same run.

For every case with at least one effective strategy: hide the case (it is never used as evidence
and never trains the ranker that ranks it), recommend from its risks, causes, KRIs, phase and
service type, and score the ranked strategies against the strategies that were effective in it.
Related cases are scored against the cases that share the held-out case's main risk.
"""
from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from ontology.namespace import CATEGORIES

from .advisor import Advisor, Ranker, training_rows
from .casebase import CaseRecord

K_RECALL = 5
K_NDCG = 10
K_CASES = 5


@dataclass
class Scores:
    name: str
    recall: list[float] = field(default_factory=list)
    rr: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    case_precision: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def add(self, ranked: list[str], relevant: set[str], similar: list[str] | None, same_main: set[str]) -> None:
        r, rr, nd = ranking_metrics(ranked, relevant)
        self.recall.append(r)
        self.rr.append(rr)
        self.ndcg.append(nd)
        if same_main and similar is not None:
            self.case_precision.append(sum(c in same_main for c in similar[:K_CASES]) / K_CASES)

    def row(self) -> dict:
        mean = lambda xs: round(sum(xs) / len(xs), 4) if xs else None  # noqa: E731
        return {"method": self.name, f"recall@{K_RECALL}": mean(self.recall), "mrr": mean(self.rr),
                f"ndcg@{K_NDCG}": mean(self.ndcg), f"case_precision@{K_CASES}": mean(self.case_precision),
                "queries": len(self.recall)}


def ranking_metrics(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    """recall@5, reciprocal rank, nDCG@10 with binary relevance."""
    recall = len(set(ranked[:K_RECALL]) & relevant) / len(relevant)
    rr = next((1.0 / (i + 1) for i, s in enumerate(ranked) if s in relevant), 0.0)
    dcg = sum(1.0 / math.log2(i + 2) for i, s in enumerate(ranked[:K_NDCG]) if s in relevant)
    idcg = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), K_NDCG)))
    return recall, rr, dcg / idcg


def main_category(adv: Advisor, case: CaseRecord) -> str | None:
    cats = adv.onto.risk_categories.get(case.main_risk or "", frozenset())
    return next((c for c in CATEGORIES if c in cats), None)


def evaluate(adv: Advisor, baselines: dict[str, Callable] | None = None, progress=None,
             folds: int | None = None) -> dict:
    """Metrics of the advisor (learned and hand-set ranking) and of each baseline on the same
    held-out cases, and the latency of one recommendation with the production ranker.

    The ranker that ranks a held-out case is fitted without it: on every other case (leave-one-out,
    the default), or — quicker — on the other `folds - 1` folds of a k-fold split.
    """
    cases = sorted((c for c in adv.cases.records.values() if any(o == "effective" for _, o in c.applications)),
                   key=lambda c: c.id)
    examples = adv.training_examples([c.id for c in cases])   # candidates never depend on the ranker
    learned, hand = Scores("corisk advisor (learned ranker)"), Scores("corisk advisor, hand-set weights")
    methods = baselines if baselines is not None else default_baselines()
    others = {name: Scores(name) for name in methods}
    fold_key = (lambda cid: fold_of(cid, folds)) if folds else (lambda cid: cid)
    rankers: dict = {}
    cases.sort(key=lambda c: (fold_key(c.id), c.id))
    for n, case in enumerate(cases):
        relevant = examples[case.id][1]
        same_main = {c.id for c in adv.cases.records.values() if c.id != case.id and c.main_risk == case.main_risk}
        q = adv.query_for_case(case)
        candidates = examples[case.id][0]
        similar = [cid for cid, _ in adv._case_scores(q)[:K_CASES]]
        fold = fold_key(case.id)
        if fold not in rankers:
            rankers.clear()   # cases come fold by fold: one fitted ranker at a time
            rankers[fold] = Ranker()
            rankers[fold].fit(*training_rows({k: v for k, v in examples.items() if fold_key(k) != fold}))
        ranker = rankers[fold]
        for scores, r in ((learned, ranker), (hand, Ranker())):
            ranked = _rank(candidates, r)
            scores.add(ranked, relevant, similar, same_main)
        for name, method in methods.items():
            ranked, sim = method(adv, case)
            others[name].add(ranked, relevant, sim, same_main)
        if progress:
            progress(n + 1, len(cases))
    rows = [learned.row(), hand.row(), *(s.row() for s in others.values())]
    return {"rows": rows, "cases": len(adv.cases), "queries": len(cases),
            "latency_ms": latency(adv, cases),
            "ranker": "gradient-boosted trees, fitted " + (f"on {folds - 1} of {folds} folds" if folds else "leave-one-out")}


def fold_of(case_id: str, folds: int) -> int:
    """A stable fold for a case id (a hash, not the position, so adding cases moves nobody)."""
    import zlib

    return zlib.crc32(case_id.encode()) % folds


def _rank(candidates: dict, ranker: Ranker) -> list[str]:
    scores = ranker.score([c["features"] for c in candidates.values()])
    return [s for s, _ in sorted(zip(candidates, scores), key=lambda x: (-x[1], x[0]))]


def latency(adv: Advisor, cases: list[CaseRecord], repeat: int = 3) -> dict:
    """p50/p95 of one full recommendation (candidates, ranking, similar cases), production ranker."""
    adv.fit_ranker()
    times = []
    for _ in range(repeat):
        for case in cases:
            q = adv.query_for_case(case)
            t0 = time.perf_counter()
            adv.recommend(q)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    pick = lambda p: round(times[min(len(times) - 1, int(p * len(times)))], 2)  # noqa: E731
    return {"p50": pick(0.5), "p95": pick(0.95), "n": len(times)}


def most_frequent_per_category(adv: Advisor, case: CaseRecord):
    """Strategies applied effectively most often in other cases of the same main category."""
    cat = main_category(adv, case)
    counts: Counter = Counter()
    same_cat = []
    for other in adv.cases.records.values():
        if other.id == case.id or main_category(adv, other) != cat:
            continue
        same_cat.append(other.id)
        for s, o in other.applications:
            if o == "effective":
                counts[s] += 1
    ranked = [s for s, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    return ranked, sorted(same_cat)


def text_only(adv: Advisor, case: CaseRecord):
    """Strategies of the cases whose text is most like the held-out case's title and summary."""
    text = " ".join([*case.title.values(), *case.summary.values()])
    sims = adv.cases.text_scores(text)
    sims.pop(case.id, None)
    top = sorted(sims.items(), key=lambda x: (-x[1], x[0]))[:25]
    votes: dict[str, float] = defaultdict(float)
    for cid, sim in top:
        for s, o in adv.cases.records[cid].applications:
            if o == "effective":
                votes[s] += sim
    ranked = [s for s, _ in sorted(votes.items(), key=lambda x: (-x[1], x[0]))]
    return ranked, [cid for cid, _ in top]


def default_baselines() -> dict[str, Callable]:
    return {"baseline: most frequent per category": most_frequent_per_category,
            "baseline: text-only retrieval": text_only}
