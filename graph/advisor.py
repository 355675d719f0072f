"""The advisor: ranked, explained mitigation strategies and the past cases most like a situation.

Two in-memory indexes, built once and updated one case at a time:
- `OntologyIndex`: the concept graph (risks, causes, KRIs, strategies and their links) with a
  transition matrix for personalised PageRank;
- `CaseIndex`: the case base — an inverted index concept → cases, hashed TF-IDF rows over zh
  characters and en words, and per-strategy outcomes.

A strategy's score mixes four signals, each in [0, 1] (evidence in [-1, 1]):
  path     — how directly the graph links it to the query (mitigates a risk > addresses a cause
             of it > mitigates a related risk);
  graph    — personalised PageRank from the query concepts over the concept graph;
  phase    — whether it applies in the asked phase;
  evidence — outcomes of the strategy in the most similar past cases, weighted by similarity.
"""
from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from rdflib import Graph
from rdflib.namespace import RDF, SKOS
from sklearn.feature_extraction.text import HashingVectorizer
from threadpoolctl import threadpool_limits

from ontology.errors import CoriskError, NotFoundError
from ontology.namespace import CATEGORIES, CR, PHASES, TREATMENTS, concept_iri, short_id

from .casebase import CaseRecord

OUTCOME_VALUE = {"effective": 1.0, "partial": 0.4, "ineffective": -0.6}
WEIGHTS = {"path": 0.35, "graph": 0.3, "phase": 0.15, "evidence": 0.2, "outcomes": 0.0}
PATH_STRENGTH = {"mitigates": 1.0, "addresses-given-cause": 1.0, "addresses-cause": 0.75,
                 "mitigates-related": 0.45, "case": 0.3}
SIMILARITY_WEIGHTS = {"text": 0.25, "main": 0.25, "risks": 0.2, "causes": 0.1, "category": 0.08, "phase": 0.06,
                      "service": 0.06}
EVIDENCE_NEIGHBOURS = 25
COVERAGE_MIX = 0.5
MIN_TRAINING_ROWS = 50
GBM_DEPTH = 3
GBM_TREES = 150
MAIN_RISK_WEIGHT = 2.0
DAMPING = 0.85


class AdvisorError(CoriskError):
    """A recommendation request that cannot be answered as asked."""


# ------------------------------------------------------------------------------------------ text
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]+")


def text_features(text: str) -> list[str]:
    """Chinese character unigrams and bigrams, lower-cased English words."""
    text = text.lower()
    feats = []
    for run in _CJK.findall(text):
        feats.extend(run)
        feats.extend(run[i:i + 2] for i in range(len(run) - 1))
    feats.extend(_WORD.findall(_CJK.sub(" ", text)))
    return feats


_HASHER = HashingVectorizer(analyzer=text_features, n_features=2 ** 18, alternate_sign=False, norm=None)


# ------------------------------------------------------------------------------------ ontology
@dataclass
class StrategyInfo:
    iri: str
    label: dict
    treatment: str | None
    phases: frozenset[str]
    risks: frozenset[str]
    causes: frozenset[str]
    categories: frozenset[str]


class OntologyIndex:
    """The concept graph of the ontology, in the shapes the advisor asks for."""

    def __init__(self, graph: Graph):
        notation = lambda n: str(graph.value(n, SKOS.notation)) if n is not None else None  # noqa: E731
        self.labels: dict[str, dict] = {}
        self.kind: dict[str, str] = {}
        kinds = {CR.Risk: "risk", CR.Cause: "cause", CR.Indicator: "indicator", CR.Strategy: "strategy"}
        for cls, kind in kinds.items():
            for node in graph.subjects(RDF.type, cls):
                self.kind[str(node)] = kind
                self.labels[str(node)] = {(l.language or "").split("-")[0]: str(l)
                                          for l in graph.objects(node, SKOS.prefLabel)}
        self.risk_categories = {r: frozenset(notation(c) for c in graph.objects(_u(r), CR.category))
                                for r, k in self.kind.items() if k == "risk"}
        self.risk_causes = {r: frozenset(map(str, graph.objects(_u(r), CR.hasCause))) for r in self.risk_categories}
        self.related: dict[str, set[str]] = defaultdict(set)
        for r in self.risk_categories:
            for p in (SKOS.related, SKOS.broader):
                for o in graph.objects(_u(r), p):
                    if str(o) in self.risk_categories:
                        self.related[r].add(str(o))
                        self.related[str(o)].add(r)
        self.signals = {k: frozenset(map(str, graph.objects(_u(k), CR.signals)))
                        for k, kind in self.kind.items() if kind == "indicator"}
        self.mitigated_by: dict[str, set[str]] = defaultdict(set)
        self.addressed_by: dict[str, set[str]] = defaultdict(set)
        self.strategies: dict[str, StrategyInfo] = {}
        cause_risks: dict[str, set[str]] = defaultdict(set)
        for r, causes in self.risk_causes.items():
            for c in causes:
                cause_risks[c].add(r)
        for s, kind in self.kind.items():
            if kind != "strategy":
                continue
            node = _u(s)
            risks = frozenset(map(str, graph.objects(node, CR.mitigates)))
            causes = frozenset(map(str, graph.objects(node, CR.addresses)))
            for r in risks:
                self.mitigated_by[r].add(s)
            for c in causes:
                self.addressed_by[c].add(s)
            cats = set()
            for r in risks | {r for c in causes for r in cause_risks[c]}:
                cats |= self.risk_categories.get(r, frozenset())
            self.strategies[s] = StrategyInfo(
                iri=s, label=self.labels.get(s, {}), treatment=notation(graph.value(node, CR.treatment)),
                phases=frozenset(notation(p) for p in graph.objects(node, CR.inPhase)),
                risks=risks, causes=causes, categories=frozenset(cats))
        self._build_walk_matrix()

    def _build_walk_matrix(self) -> None:
        nodes = sorted(self.kind)
        self.node_index = {n: i for i, n in enumerate(nodes)}
        rows, cols, vals = [], [], []

        def edge(a, b, w=1.0):
            if a in self.node_index and b in self.node_index:
                i, j = self.node_index[a], self.node_index[b]
                rows.extend((i, j)); cols.extend((j, i)); vals.extend((w, w))

        for r, causes in self.risk_causes.items():
            for c in causes:
                edge(r, c)
        for s, info in self.strategies.items():
            for r in info.risks:
                edge(s, r)
            for c in info.causes:
                edge(s, c)
        for r, rel in self.related.items():
            for o in rel:
                if r < o:
                    edge(r, o, 0.5)
        for k, risks in self.signals.items():
            for r in risks:
                edge(k, r, 0.5)
        n = len(nodes)
        adj = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
        out = np.asarray(adj.sum(axis=1)).ravel()
        out[out == 0] = 1.0
        # column-stochastic transition matrix: walk from j to i with weight adj[j, i] / out[j]
        self.walk = (sp.diags(1.0 / out) @ adj).T.tocsr()
        self.nodes = nodes

    def personalised_pagerank(self, seeds: dict[str, float], iterations: int = 30) -> dict[str, float]:
        n = len(self.nodes)
        p = np.zeros(n)
        for s, w in seeds.items():
            if s in self.node_index:
                p[self.node_index[s]] += w
        if not p.any():
            return {}
        p /= p.sum()
        x = p.copy()
        for _ in range(iterations):
            x = (1 - DAMPING) * p + DAMPING * (self.walk @ x)
        return {self.nodes[i]: float(x[i]) for i in np.nonzero(x)[0]}

    def categories_of(self, concept: str) -> frozenset[str]:
        kind = self.kind.get(concept)
        if kind == "risk":
            return self.risk_categories.get(concept, frozenset())
        if kind == "strategy":
            return self.strategies[concept].categories
        if kind == "cause":
            return frozenset(c for r, causes in self.risk_causes.items() if concept in causes
                             for c in self.risk_categories[r])
        if kind == "indicator":
            return frozenset(c for r in self.signals.get(concept, ()) for c in self.risk_categories.get(r, ()))
        return frozenset()


def _u(iri: str):
    from rdflib import URIRef

    return URIRef(iri)


# ------------------------------------------------------------------------------------ case base
class CaseIndex:
    """The case base as indexes that change one case at a time."""

    def __init__(self, ontology: OntologyIndex, cases: list[CaseRecord] = ()):
        self.onto = ontology
        self.records: dict[str, CaseRecord] = {}
        self.by_concept: dict[str, set[str]] = defaultdict(set)
        # (concept, strategy) → summed outcome value over the cases that have both
        self.pair_value: dict[tuple[str, str], float] = defaultdict(float)
        self.strategy_value: dict[str, float] = defaultdict(float)
        # per case, encoded once when it is put: hashed text row (feature ids, counts) and the
        # structured fields as small integer codes; stacked lazily into matrices, once per change
        self._rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._codes: dict[str, tuple] = {}
        self._vocab: dict[str, int] = {}   # concept / category / phase / service type → code
        self._df = np.zeros(_HASHER.n_features)
        self._matrix = None         # (ids, idf-weighted csr matrix, row norms, idf)
        self._table: CaseTable | None = None   # every case as arrays, rows aligned with _matrix's ids
        self._changed: dict[str, None] = {}     # cases put or dropped since the table was stacked
        self.version = 0
        self._lock = threading.RLock()
        self.add_many(cases)

    def __len__(self) -> int:
        return len(self.records)

    def add_many(self, cases) -> None:
        # in id order, so the same case base gives the same index (and tie-breaks) whatever order it came in
        cases = sorted(cases, key=lambda c: c.id)
        if not cases:
            return
        rows = _HASHER.transform([c.text for c in cases]).tocsr()
        with self._lock:
            for i, case in enumerate(cases):
                a, b = rows.indptr[i], rows.indptr[i + 1]
                self._put(case, (rows.indices[a:b], rows.data[a:b]))
            self._matrix = None
            self.version += 1

    def upsert(self, case: CaseRecord) -> None:
        """Add a case or replace the one with the same id."""
        self.add_many([case])

    def remove(self, case_id: str) -> None:
        with self._lock:
            if case_id in self.records:
                self._drop(case_id)
                self._matrix = None
                self.version += 1

    def _put(self, case: CaseRecord, row) -> None:
        if case.id in self.records:
            self._drop(case.id)
        self.records[case.id] = case
        for c in case.concepts:
            self.by_concept[c].add(case.id)
            for strategy, outcome in case.applications:
                self.pair_value[(c, strategy)] += OUTCOME_VALUE.get(outcome, 0.0)
        for strategy, outcome in case.applications:
            self.strategy_value[strategy] += OUTCOME_VALUE.get(outcome, 0.0)
        self._rows[case.id] = row
        self._df[row[0]] += 1
        self._changed[case.id] = None
        code = self._code
        cats = {c for r in case.risks for c in self.onto.risk_categories.get(r, ())}
        scalar = lambda v: -1 if v is None else code(v)  # noqa: E731   (None never equals a query's value)
        self._codes[case.id] = (scalar(case.main_risk), scalar(case.phase), scalar(case.service_type),
                                _codes(code, case.risks), _codes(code, case.causes),
                                _codes(code, case.concepts), _codes(code, cats))

    def _code(self, value) -> int:
        return self._vocab.setdefault(value, len(self._vocab))

    def _drop(self, case_id: str) -> None:
        case = self.records.pop(case_id)
        for c in case.concepts:
            self.by_concept[c].discard(case_id)
            for strategy, outcome in case.applications:
                self.pair_value[(c, strategy)] -= OUTCOME_VALUE.get(outcome, 0.0)
        for strategy, outcome in case.applications:
            self.strategy_value[strategy] -= OUTCOME_VALUE.get(outcome, 0.0)
        row = self._rows.pop(case_id)
        self._df[row[0]] -= 1
        del self._codes[case_id]
        self._changed[case_id] = None

    def _text_matrix(self):
        with self._lock:
            if self._matrix is None:
                t = self._table = self._restack()
                # idf is global, so any change re-weights every row: a few numpy passes, no re-hashing
                idf = np.log((1 + len(self._rows)) / (1 + self._df)) + 1.0
                weighted, norms = t.weighted(idf)
                self._matrix = (t.ids, weighted, norms, idf)
            return self._matrix

    def _restack(self) -> "CaseTable":
        """The table after the changes since the last one: their old rows masked out, their new
        rows appended; stacked from scratch only the first time or once dead rows pile up."""
        t, changed, self._changed = self._table, self._changed, {}
        fresh = [cid for cid in changed if cid in self._rows]
        width = len(self._vocab)
        if t is None or len(t.ids) + len(fresh) > 1.25 * len(self._rows) + 1000:
            ids = list(self._rows)
            return CaseTable(ids, [self._rows[i] for i in ids], [self._codes[i] for i in ids], width)
        return t.extended(changed, CaseTable(fresh, [self._rows[i] for i in fresh],
                                             [self._codes[i] for i in fresh], width))

    def table(self) -> "CaseTable":
        """The structured fields of every case as arrays, rows in the text matrix's order."""
        with self._lock:
            self._text_matrix()
            return self._table

    def strategy_prior(self, strategy: str, exclude: str | None = None) -> float:
        """How often, and how well, the strategy was used across the case base (per 10 cases)."""
        value = self.strategy_value.get(strategy, 0.0)
        n = len(self.records)
        held = self.records.get(exclude) if exclude else None
        if held is not None:
            n -= 1
            value -= sum(OUTCOME_VALUE.get(o, 0.0) for s, o in held.applications if s == strategy)
        return 10.0 * value / n if n > 0 else 0.0

    def outcome_evidence(self, concepts, strategy: str, exclude: str | None = None) -> float:
        """Mean outcome value of `strategy` over the cases sharing each concept (held-out case left out)."""
        held = self.records.get(exclude) if exclude else None
        total = 0.0
        for c in concepts:
            value = self.pair_value.get((c, strategy), 0.0)
            n = len(self.by_concept.get(c, ()))
            if held is not None and c in held.concepts:
                n -= 1
                value -= sum(OUTCOME_VALUE.get(o, 0.0) for s, o in held.applications if s == strategy)
            if n > 0:
                total += value / (n + 1)
        return total

    def text_scores(self, text: str) -> dict[str, float]:
        """Cosine similarity of `text` to every case (only the non-zero ones)."""
        if not text.strip() or not self.records:
            return {}
        ids, sims = self.text_array(text)
        nz = np.nonzero(sims)[0]
        return {ids[i]: float(sims[i]) for i in nz}

    def text_array(self, text: str) -> tuple[list[str], np.ndarray]:
        """Case ids and the cosine similarity of `text` to each, as one array (zeros for no text)."""
        with self._lock:
            ids, weighted, norms, idf = self._text_matrix()
            alive = self._table.alive
        if not text.strip() or not ids:
            return ids, np.zeros(len(ids))
        q = _HASHER.transform([text]).tocsr()
        q = q.multiply(idf).tocsr()
        qn = math.sqrt(q.multiply(q).sum()) or 1.0
        # a dense query vector makes this one sparse mat-vec (same sums, same order, as weighted @ q.T)
        sims = (weighted @ q.toarray().ravel()) / (norms * qn)
        if not alive.all():
            sims[~alive] = 0.0
        return ids, sims


class CaseTable:
    """The case base as arrays, one row per case, to score every case at once with numpy.

    Append-only between rebuilds: a changed case gets a new row and its old row is masked out
    (`alive`), so a change costs its own rows, not a restack of the whole case base."""

    SETS = ("risks", "causes", "concepts", "categories")

    def __init__(self, ids: list[str], rows: list[tuple], codes: list[tuple], width: int):
        self.ids = list(ids)
        self.row = {cid: i for i, cid in enumerate(self.ids)}
        self.alive = np.ones(len(self.ids), dtype=bool)
        self.text, self._hashed_order = _stack_reversed(rows)
        self.main, self.phase, self.service = (np.fromiter((c[k] for c in codes), dtype=np.int64, count=len(codes))
                                               for k in range(3))
        self.sets = {name: _membership([c[k] for c in codes], width) for k, name in enumerate(self.SETS, 3)}
        self.sizes = {name: np.diff(m.indptr) for name, m in self.sets.items()}

    def extended(self, changed, new: "CaseTable") -> "CaseTable":
        """This table with the rows of `changed` cases masked out and `new`'s rows appended."""
        t = object.__new__(CaseTable)
        n = len(self.ids)
        t.ids = self.ids + new.ids
        t.row = dict(self.row)
        for cid in changed:
            t.row.pop(cid, None)
        t.row.update((cid, n + i) for i, cid in enumerate(new.ids))
        t.alive = np.concatenate([self.alive, new.alive])
        t.alive[[self.row[c] for c in changed if c in self.row]] = False
        t.text = sp.vstack([self.text, new.text], format="csr")
        t._hashed_order = np.concatenate([self._hashed_order, new._hashed_order + self.text.nnz])
        t.main, t.phase, t.service = (np.concatenate([a, b]) for a, b in
                                      ((self.main, new.main), (self.phase, new.phase), (self.service, new.service)))
        width = max(m.shape[1] for m in new.sets.values())
        t.sets = {name: sp.vstack([_widen(self.sets[name], width), new.sets[name]], format="csr")
                  for name in self.SETS}
        t.sizes = {name: np.diff(m.indptr) for name, m in t.sets.items()}
        return t

    def weighted(self, idf: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """`raw counts @ diags(idf)` and its row norms, in numpy: the same products, summed in the
        same order as scipy did (mat-mat leaves each row reversed; the norms sum in hashed order)."""
        t = self.text
        data = t.data * idf[t.indices]
        weighted = sp.csr_matrix((data, t.indices, t.indptr), shape=t.shape)
        sq = data[self._hashed_order]
        sq *= sq
        norms = np.zeros(t.shape[0])
        nonempty = np.flatnonzero(np.diff(t.indptr))
        if len(nonempty):
            norms[nonempty] = np.add.reduceat(sq, t.indptr[nonempty])
        norms = np.sqrt(norms)
        norms[norms == 0] = 1.0
        return weighted, norms

    def hits(self, name: str, vocab: dict, values) -> np.ndarray:
        """Per case, how many of `values` its set `name` holds."""
        v = np.zeros(self.sets[name].shape[1])
        for x in values:
            i = vocab.get(x)
            if i is not None and i < len(v):
                v[i] = 1.0
        return self.sets[name] @ v

    def jaccard(self, name: str, vocab: dict, values: set) -> np.ndarray:
        """Jaccard similarity of `values` to each case's set `name` (0 when either is empty)."""
        out = np.zeros(len(self.ids))
        if values:
            inter = self.hits(name, vocab, values)
            np.divide(inter, len(values) + self.sizes[name] - inter, out=out, where=self.sizes[name] > 0)
        return out

    def equals(self, column: np.ndarray, vocab: dict, value: str | None) -> np.ndarray:
        if value is None or value not in vocab:
            return np.zeros(len(self.ids), dtype=bool)
        return column == vocab[value]


def _codes(code, values) -> np.ndarray:
    return np.fromiter(sorted({code(v) for v in values}), dtype=np.int32)


def _stack_reversed(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[sp.csr_matrix, np.ndarray]:
    """CSR matrix of hashed text rows with each row's entries reversed, and the permutation (its
    own inverse) back to the hashed order."""
    lens = np.fromiter((len(r[0]) for r in rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    indices = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, dtype=np.int32)
    data = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0)
    perm = np.repeat(indptr[:-1] + indptr[1:] - 1, lens) - np.arange(len(indices))
    return sp.csr_matrix((data[perm], indices[perm], indptr), shape=(len(rows), _HASHER.n_features)), perm


def _membership(sets: list[np.ndarray], width: int) -> sp.csr_matrix:
    """Binary case × code matrix from per-case code arrays."""
    indptr = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum(np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets)), out=indptr[1:])
    indices = np.concatenate(sets) if sets else np.zeros(0, dtype=np.int32)
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(sets), max(width, 1)))


def _widen(m: sp.csr_matrix, width: int) -> sp.csr_matrix:
    return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], max(width, m.shape[1])))


# ------------------------------------------------------------------------------------ queries
@dataclass
class Query:
    risks: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    phase: str | None = None
    categories: list[str] = field(default_factory=list)
    service_type: str | None = None
    text: str = ""
    exclude_case: str | None = None   # leave-one-out: never use this case as evidence

    @property
    def concepts(self) -> list[str]:
        return [*self.risks, *self.causes, *self.indicators]


class Advisor:
    """Ranks strategies and retrieves similar cases for a query."""

    def __init__(self, ontology: Graph | OntologyIndex, cases: list[CaseRecord] = ()):
        self.onto = ontology if isinstance(ontology, OntologyIndex) else OntologyIndex(ontology)
        self.cases = CaseIndex(self.onto, cases)
        self._ranker: Ranker | None = None
        self._ranker_version = -1

    # ---- building a query
    def make_query(self, concepts: list[str], *, phase: str | None = None, categories: list[str] | None = None,
                   service_type: str | None = None, text: str = "", exclude_case: str | None = None) -> Query:
        """Sort concept references (ids, crk: names or IRIs) into risks, causes and indicators."""
        if phase is not None and phase not in PHASES:
            raise AdvisorError(f"unknown phase '{phase}'; use one of: {', '.join(PHASES)}.")
        for c in categories or []:
            if c not in CATEGORIES:
                raise AdvisorError(f"unknown category '{c}'; use one of: {', '.join(CATEGORIES)}.")
        q = Query(phase=phase, categories=list(categories or []), service_type=service_type, text=text,
                  exclude_case=exclude_case)
        for ref in concepts:
            iri = str(concept_iri(ref))
            kind = self.onto.kind.get(iri)
            if kind == "risk":
                q.risks.append(iri)
            elif kind == "cause":
                q.causes.append(iri)
            elif kind == "indicator":
                q.indicators.append(iri)
            elif kind == "strategy":
                raise AdvisorError(f"'{ref}' is a strategy; ask about a risk, a cause or an indicator.")
            else:
                raise NotFoundError(f"unknown concept '{ref}': give a risk, cause or KRI id of the ontology "
                                    "(see GET /api/v1/concepts?kind=risk).")
        if not q.concepts and not text.strip():
            raise AdvisorError("nothing to advise on: give at least one concept or some text.")
        return q

    def _query_risks(self, q: Query) -> list[str]:
        """The query's risks, plus those its KRIs signal."""
        risks = list(dict.fromkeys(q.risks))
        for k in q.indicators:
            risks += [r for r in sorted(self.onto.signals.get(k, ())) if r not in risks]
        return risks

    # ---- similar cases
    def similar_cases(self, q: Query, top: int = 5) -> list[dict]:
        scored = self._case_scores(q, limit=top)
        return [self._case_hit(q, cid, s) for cid, s in scored[:top]]

    def _case_scores(self, q: Query, limit: int | None = None) -> list[tuple[str, float]]:
        """Cases by similarity to the query, best first (the first `limit`, or all with a score > 0)."""
        ordered = self._query_risks(q)
        main_risk = ordered[0] if ordered else None   # the risk named first is the one the query is about
        risks = set(ordered)
        causes = set(q.causes)
        query_cats = set(q.categories) or {c for r in risks for c in self.onto.risk_categories.get(r, ())}
        concepts = risks | causes | set(q.indicators)
        text = q.text or " ".join(v for c in q.concepts for v in self.onto.labels.get(c, {}).values())
        if not self.cases.records:
            return []
        # every case at once: the same sum, term by term in the same order, as a per-case loop
        with self.cases._lock:
            ids, text_sim = self.cases.text_array(text)
            t, vocab = self.cases.table(), self.cases._vocab
        candidates = ((text_sim != 0) | (t.hits("concepts", vocab, concepts) > 0)) & t.alive
        if q.exclude_case in t.row:
            candidates[t.row[q.exclude_case]] = False
        if q.categories:
            candidates &= t.hits("categories", vocab, set(q.categories)) > 0
        w = SIMILARITY_WEIGHTS
        s = (w["text"] * text_sim
             + w["main"] * t.equals(t.main, vocab, main_risk)
             + w["risks"] * t.jaccard("risks", vocab, risks)
             + w["causes"] * t.jaccard("causes", vocab, causes)
             + w["category"] * t.jaccard("categories", vocab, query_cats)
             + w["phase"] * t.equals(t.phase, vocab, q.phase)
             + w["service"] * t.equals(t.service, vocab, q.service_type))
        rows = np.nonzero(candidates & (s > 0))[0]
        if limit is not None and len(rows) > limit:
            # the `limit` best and everything tied with the last of them; ties are then broken by id
            kth = np.partition(s[rows], len(rows) - limit)[len(rows) - limit]
            rows = rows[s[rows] >= kth]
        out = [(ids[i], float(s[i])) for i in rows]
        out.sort(key=lambda x: (-x[1], x[0]))
        return out if limit is None else out[:limit]

    def _case_hit(self, q: Query, cid: str, score: float) -> dict:
        case = self.cases.records[cid]
        shared = sorted((set(self._query_risks(q)) | set(q.causes) | set(q.indicators)) & case.concepts)
        return {"id": cid, "title": case.title.get("en") or case.title.get("zh") or cid,
                "title_zh": case.title.get("zh"), "score": round(score, 4), "shared_concepts": shared,
                "phase": case.phase, "real": case.real}

    # ---- strategies
    def query_for_case(self, case: CaseRecord) -> Query:
        """What a manager knows about a case before acting: its risks and context, not what was done."""
        known = self.onto.kind
        return Query(risks=[r for r in case.risks if r in known], causes=sorted(c for c in case.causes if c in known),
                     indicators=sorted(k for k in case.indicators if k in known), phase=case.phase,
                     service_type=case.service_type, exclude_case=case.id)

    def _candidates(self, q: Query) -> tuple[dict[str, dict], list[tuple[str, float]]]:
        """Every strategy the graph or a similar case leads to, with its features and paths."""
        risks = self._query_risks(q)
        given_causes = set(q.causes)
        paths: dict[str, list[tuple[float, list[str]]]] = defaultdict(list)
        for r in risks:
            for s in sorted(self.onto.mitigated_by.get(r, ())):
                paths[s].append((PATH_STRENGTH["mitigates"], [r, "^cr:mitigates", s]))
            for c in sorted(self.onto.risk_causes.get(r, ())):
                strength = PATH_STRENGTH["addresses-given-cause" if c in given_causes else "addresses-cause"]
                for s in sorted(self.onto.addressed_by.get(c, ())):
                    paths[s].append((strength, [r, "cr:hasCause", c, "^cr:addresses", s]))
            for r2 in sorted(self.onto.related.get(r, ())):
                for s in sorted(self.onto.mitigated_by.get(r2, ())):
                    paths[s].append((PATH_STRENGTH["mitigates-related"], [r, "skos:related", r2, "^cr:mitigates", s]))
        for c in sorted(given_causes):
            for s in sorted(self.onto.addressed_by.get(c, ())):
                paths[s].append((PATH_STRENGTH["addresses-given-cause"], [c, "^cr:addresses", s]))
        for k in q.indicators:
            for r in sorted(self.onto.signals.get(k, ())):
                for s in sorted(self.onto.mitigated_by.get(r, ())):
                    paths[s].append((PATH_STRENGTH["mitigates"], [k, "cr:signals", r, "^cr:mitigates", s]))

        # evidence from the most similar past cases
        neighbours = self._case_scores(q, limit=EVIDENCE_NEIGHBOURS)
        evidence: dict[str, float] = defaultdict(float)
        evidence_cases: dict[str, list[tuple[float, str]]] = defaultdict(list)
        case_only = set()
        for cid, sim in neighbours:
            case = self.cases.records[cid]
            for s, outcome in case.applications:
                evidence[s] += sim * OUTCOME_VALUE.get(outcome, 0.0)
                evidence_cases[s].append((sim, cid))
                if (s not in paths or s in case_only) and s in self.onto.strategies:
                    anchor = next((r for r in risks if r in case.risks), None)
                    if anchor:
                        case_only.add(s)
                        paths[s].append((PATH_STRENGTH["case"], [anchor, "^cr:materialised", case.iri,
                                                                 "cr:applied/cr:strategy", s]))
        max_ev = max((abs(v) for v in evidence.values()), default=0.0) or 1.0

        seeds = {r: 1.0 for r in risks}
        seeds.update({c: 1.0 for c in given_causes})
        ppr = self.onto.personalised_pagerank(seeds) if seeds else {}
        max_ppr = max((ppr.get(s, 0.0) for s in paths), default=0.0) or 1.0

        query_concepts = [*risks, *given_causes]
        concept_weight = {x: 1.0 for x in [*query_concepts, *q.indicators]}
        if risks:
            concept_weight[risks[0]] = MAIN_RISK_WEIGHT
        weight_total = sum(concept_weight.values()) or 1.0
        pair = {s: self.cases.outcome_evidence(query_concepts, s, q.exclude_case) for s in paths}
        max_pair = max((abs(v) for v in pair.values()), default=0.0) or 1.0
        out = {}
        for s, found in paths.items():
            info = self.onto.strategies.get(s)
            if info is None or (q.categories and not (info.categories & set(q.categories))):
                continue
            # how strongly, and from how many of the query's concepts, the graph reaches it
            best: dict[str, float] = {}
            for strength, p in found:
                best[p[0]] = max(best.get(p[0], 0.0), strength)
            coverage = min(sum(concept_weight.get(x, 1.0) * v for x, v in best.items()) / weight_total, 1.0)
            path_best = max(best.values())
            features = {
                "path": (1 - COVERAGE_MIX) * path_best + COVERAGE_MIX * coverage,
                "coverage": coverage,
                "mitigates_main": float(bool(risks) and risks[0] in info.risks),
                "mitigates_share": len(info.risks & set(risks)) / len(risks) if risks else 0.0,
                "addresses_given": len(info.causes & given_causes) / len(given_causes) if given_causes else 0.0,
                "case_only": float(s in case_only),
                "graph": ppr.get(s, 0.0) / max_ppr,
                "phase": 0.5 if q.phase is None else float(q.phase in info.phases),
                "evidence": evidence.get(s, 0.0) / max_ev,
                "outcomes": pair[s] / max_pair,
                "prior": self.cases.strategy_prior(s, q.exclude_case),
                "generic": len(info.phases) / len(PHASES),
                **{f"treatment_{t}": float(info.treatment == t) for t in TREATMENTS},
            }
            found.sort(key=lambda x: (-x[0], len(x[1])))
            because = []
            for _, p in found:
                if p not in because:
                    because.append(p)
            ev_cases = [cid for _, cid in sorted(evidence_cases.get(s, []), key=lambda x: (-x[0], x[1]))]
            out[s] = {"features": features, "because": because[:3], "evidence_cases": ev_cases[:5], "info": info}
        return out, neighbours

    def recommend(self, q: Query, top: int = 5, top_cases: int = 5) -> dict:
        candidates, neighbours = self._candidates(q)
        scores = self.ranker.score([c["features"] for c in candidates.values()])
        return self._result(q, candidates, scores, neighbours, top, top_cases)

    def _result(self, q: Query, candidates: dict, scores, neighbours, top: int, top_cases: int) -> dict:
        results = []
        for (s, cand), score in zip(candidates.items(), scores):
            info = cand["info"]
            results.append({"concept": s, "label": info.label, "category": _main_category(info),
                            "treatment": info.treatment, "score": round(float(score), 4),
                            "because": cand["because"], "evidence_cases": cand["evidence_cases"],
                            "phases": sorted(info.phases),
                            "signals": {k: round(v, 4) for k, v in cand["features"].items()
                                        if k in ("path", "graph", "phase", "evidence")}})
        results.sort(key=lambda r: (-r["score"], r["concept"]))
        return {"query": {"concepts": q.concepts, "phase": q.phase, "categories": q.categories},
                "strategies": results[:top],
                "cases": [self._case_hit(q, cid, s) for cid, s in neighbours[:top_cases]]}

    # ---- learning the weights from the case base
    @property
    def ranker(self) -> "Ranker":
        if self._ranker is None:
            self._ranker = Ranker()
        return self._ranker

    def fit_ranker(self, case_ids=None, max_cases: int = 400, seed: int = 0) -> "Ranker":
        """Learn how to weigh the features from past cases: each case's effective strategies are the
        positives among the candidates its own risks and context produce (the case itself held out)."""
        ids = sorted(case_ids if case_ids is not None else self.cases.records)
        ids = [i for i in ids if any(o == "effective" for _, o in self.cases.records[i].applications)]
        if len(ids) > max_cases:
            import random

            ids = sorted(random.Random(seed).sample(ids, max_cases))
        ranker = Ranker()
        ranker.fit(*training_rows(self.training_examples(ids)))
        self._ranker = ranker
        self._ranker_version = self.cases.version
        return ranker

    def training_examples(self, ids) -> dict[str, tuple[dict, set[str]]]:
        """Per case: the candidates its own risks and context produce (the case held out), and the
        strategies that were effective in it."""
        out = {}
        for cid in ids:
            case = self.cases.records[cid]
            candidates, _ = self._candidates(self.query_for_case(case))
            out[cid] = (candidates, {s for s, o in case.applications if o == "effective"})
        return out

    def explain(self, item: dict, lang: str = "en") -> str:
        """One sentence on why a strategy is recommended, from its first path."""
        if not item["because"]:
            return ""
        path = item["because"][0]
        label = lambda iri: self.onto.labels.get(iri, {}).get(lang) or short_id(iri)  # noqa: E731
        words = {"^cr:mitigates": ("is mitigated by", "可由此策略应对"), "cr:hasCause": ("is caused by", "成因为"),
                 "^cr:addresses": ("which is addressed by", "可由以下策略消除"), "skos:related": ("is related to", "相关于"),
                 "cr:signals": ("signals", "预示"), "^cr:materialised": ("materialised in case", "发生于案例"),
                 "cr:applied/cr:strategy": ("which applied", "该案例采用了")}
        zh = lang == "zh"
        parts = [label(path[0])]
        for i in range(1, len(path) - 1, 2):
            parts += [words.get(path[i], (path[i], path[i]))[zh], label(path[i + 1])]
        lead = "推荐理由：" if zh else "Recommended because: "
        n = len(item["evidence_cases"])
        tail = (f"；{n} 个相似案例采用过" if zh else f"; applied in {n} similar past case(s)") if n else ""
        return lead + " → ".join(parts) + tail


def training_rows(examples) -> tuple[list[dict], list[int]]:
    X, y = [], []
    for candidates, effective in examples.values():
        for s, cand in candidates.items():
            X.append(cand["features"])
            y.append(int(s in effective))
    return X, y


class Ranker:
    """Turns a candidate's features into a score: hand-set weights until fitted on the case base,
    then gradient-boosted trees learned from which strategies were effective in past cases."""

    def __init__(self):
        self.model = None
        self.names: list[str] | None = None

    def fit(self, rows: list[dict], labels: list[int]) -> None:
        if len(set(labels)) < 2 or len(rows) < MIN_TRAINING_ROWS:
            return
        from sklearn.ensemble import HistGradientBoostingClassifier

        self.names = sorted(rows[0])
        X = np.array([[r[n] for n in self.names] for r in rows])
        # shallow, slowly learning trees with the default L2 and leaf-size regularisation:
        # the case base is small, so the model must not memorise it
        with threadpool_limits(1, user_api="openmp"):
            self.model = HistGradientBoostingClassifier(max_depth=GBM_DEPTH, max_iter=GBM_TREES, learning_rate=0.05,
                                                        random_state=0).fit(X, np.array(labels))

    @property
    def fitted(self) -> bool:
        return self.model is not None

    def score(self, rows: list[dict]) -> list[float]:
        if not rows:
            return []
        if self.model is None:
            return [sum(WEIGHTS.get(k, 0.0) * v for k, v in r.items()) for r in rows]
        X = np.array([[r[n] for n in self.names] for r in rows])
        # one request scores a few dozen rows: starting OpenMP threads would cost more than it saves
        with threadpool_limits(1, user_api="openmp"):
            return list(self.model.predict_proba(X)[:, 1])


def _jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _main_category(info: StrategyInfo) -> str | None:
    for c in CATEGORIES:
        if c in info.categories:
            return c
    return None
