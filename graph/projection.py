"""A networkx projection of the knowledge graph for analytics.

Nodes are the ontology's concepts and the cases (keyed by IRI, with `kind` and bilingual
`label`); edges are typed by the property that links them (`prop`, a short name such as
`mitigates` or `materialised`). A case's strategy applications become direct `applied` edges
case → strategy carrying the `outcome`.
"""
from __future__ import annotations

import itertools
from collections import Counter
from typing import Iterable, Optional

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ontology.namespace import CR, CRK_IRI, short_id

from .store import CASES_GRAPH, KnowledgeStore

KINDS = {CR.RiskCategory: "category", CR.Risk: "risk", CR.Cause: "cause", CR.Indicator: "indicator",
         CR.Strategy: "strategy", CR.Phase: "phase", CR.TreatmentType: "treatment", CR.Outcome: "outcome",
         CR.ClauseType: "clause_type", CR.Case: "case"}
CONCEPT_EDGES = {CR.category: "category", CR.hasCause: "hasCause", CR.signals: "signals",
                 CR.mitigates: "mitigates", CR.addresses: "addresses", CR.inPhase: "inPhase",
                 CR.treatment: "treatment", SKOS.broader: "broader", SKOS.related: "related"}
CASE_EDGES = {CR.materialised: "materialised", CR.hadCause: "hadCause",
              CR.observedIndicator: "observedIndicator", CR.inPhase: "inPhase"}


def _label(g: Graph, node, prop) -> dict[str, str]:
    out = {}
    for lit in g.objects(node, prop):
        out.setdefault((getattr(lit, "language", None) or "").split("-")[0], str(lit))
    return out


def project(ontology: Graph, cases: Graph | None = None) -> nx.MultiDiGraph:
    """Build the projection from an ontology graph and a cases graph (rdflib, in memory)."""
    G = nx.MultiDiGraph()
    for cls, kind in KINDS.items():
        src = cases if (cls == CR.Case and cases is not None) else ontology
        for n in src.subjects(RDF.type, cls):
            if isinstance(n, URIRef):
                label = _label(src, n, SKOS.prefLabel) or _label(src, n, DCTERMS.title)
                G.add_node(str(n), kind=kind, id=short_id(n), label=label)
    for prop, name in CONCEPT_EDGES.items():
        for s, o in ontology.subject_objects(prop):
            if str(s) in G and str(o) in G and not G.has_edge(str(s), str(o), key=name):
                G.add_edge(str(s), str(o), key=name, prop=name)
    if cases is not None:
        for prop, name in CASE_EDGES.items():
            for s, o in cases.subject_objects(prop):
                if str(s) in G and str(o) in G:
                    G.add_edge(str(s), str(o), key=name, prop=name)
        for case, app in cases.subject_objects(CR.applied):
            strat, outcome = cases.value(app, CR.strategy), cases.value(app, CR.outcome)
            if str(case) in G and strat is not None and str(strat) in G:
                G.add_edge(str(case), str(strat), key="applied", prop="applied",
                           outcome=short_id(outcome).replace("outcome-", "") if outcome is not None else None)
    return G


def from_store(store: KnowledgeStore) -> nx.MultiDiGraph:
    """The projection of the store's ontology and case base."""
    return project(store.ontology_graph(), store.graph_copy(CASES_GRAPH))


def node_key(G: nx.MultiDiGraph, ref: str) -> str:
    """`risk-data-breach`, `crk:risk-…`, `case-<id>` or a full IRI → the node key; KeyError if absent."""
    if ref.startswith("crk:"):
        ref = ref[4:]
    key = ref if ref.startswith("http") else CRK_IRI + ref
    if key not in G:
        raise KeyError(ref)
    return key


def neighbourhood(G: nx.MultiDiGraph, ref: str, radius: int = 1, kinds: Optional[Iterable[str]] = None) -> list[dict]:
    """Nodes within `radius` hops of a node (either direction), nearest first, with their distance."""
    start = node_key(G, ref)
    dist = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), start, cutoff=radius)
    kinds = set(kinds) if kinds else None
    out = [{"iri": n, "id": G.nodes[n].get("id"), "kind": G.nodes[n].get("kind"), "label": G.nodes[n].get("label"),
            "distance": d}
           for n, d in dist.items() if n != start and (kinds is None or G.nodes[n].get("kind") in kinds)]
    return sorted(out, key=lambda x: (x["distance"], x["iri"]))


def explain_paths(G: nx.MultiDiGraph, a: str, b: str, *, max_len: int = 4, limit: int = 5) -> list[list[str]]:
    """Shortest explanation paths between two nodes as [IRI, property, IRI, property, IRI …].

    Edges may be walked against their direction; the property is then written `^prop`
    (SPARQL's inverse path), so a path reads correctly from `a` to `b`.
    """
    s, t = node_key(G, a), node_key(G, b)
    U = nx.Graph()
    for u, v, data in G.edges(data=True):
        U.add_edge(u, v)
    if s not in U or t not in U:
        return []
    paths = []
    try:
        for nodes in nx.shortest_simple_paths(U, s, t):
            if len(nodes) - 1 > max_len or len(paths) >= limit:
                break
            path = [nodes[0]]
            for u, v in zip(nodes, nodes[1:]):
                if G.has_edge(u, v):
                    path.append(sorted(G[u][v])[0])
                else:
                    path.append("^" + sorted(G[v][u])[0])
                path.append(v)
            paths.append(path)
    except nx.NetworkXNoPath:
        return []
    return paths


def central_risks(G: nx.MultiDiGraph, top: int = 10) -> list[dict]:
    """The risks most central to the graph (PageRank over the undirected projection), highest first."""
    if G.number_of_nodes() == 0:
        return []
    simple = nx.Graph(G.to_undirected())
    rank = nx.pagerank(simple) if simple.number_of_edges() else {n: 0.0 for n in simple}
    risks = [n for n, d in G.nodes(data=True) if d.get("kind") == "risk"]
    risks.sort(key=lambda n: (-rank.get(n, 0.0), n))
    return [{"iri": n, "id": G.nodes[n]["id"], "label": G.nodes[n].get("label"), "score": round(rank.get(n, 0.0), 6),
             "cases": sum(1 for u, _, k in G.in_edges(n, keys=True) if k == "materialised")}
            for n in risks[:top]]


def risk_cooccurrence(G: nx.MultiDiGraph, min_count: int = 1) -> list[dict]:
    """Pairs of risks that materialised together in cases, with how many cases share them."""
    counts: Counter = Counter()
    for n, d in G.nodes(data=True):
        if d.get("kind") != "case":
            continue
        risks = sorted({v for _, v, k in G.out_edges(n, keys=True) if k == "materialised"})
        counts.update(itertools.combinations(risks, 2))
    return [{"a": a, "b": b, "a_id": G.nodes[a]["id"], "b_id": G.nodes[b]["id"], "cases": c}
            for (a, b), c in sorted(counts.items(), key=lambda x: (-x[1], x[0])) if c >= min_count]
