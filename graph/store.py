"""The knowledge-graph store: embedded Oxigraph on disk, or any SPARQL 1.1 Query/Update endpoint.

Both backends speak rdflib terms (URIRef, Literal, BNode, Graph) to the rest of corisk and hold
the same named graphs: the ontology, the case base, one graph per project and the pending
extraction proposals. Every write is a `Batch`: validated against the SHACL shapes first, then
applied in one transaction (one pyoxigraph transaction, or one SPARQL UPDATE request), so it is
either all in or not at all.

User values reach SPARQL only as bindings: a VALUES block at the head of the query's WHERE group,
each value written by `sparql_term`, which refuses anything that is not a well-formed RDF term.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator, Mapping, Optional, Sequence
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from ontology.errors import CoriskError
from ontology.namespace import CATEGORIES, CR, CRK_IRI
from ontology.validate import Violation, check

GRAPH_BASE = "https://w3id.org/corisk/graph/"
ONTOLOGY_GRAPH = URIRef(GRAPH_BASE + "ontology")
CASES_GRAPH = URIRef(GRAPH_BASE + "cases")
PROPOSALS_GRAPH = URIRef(GRAPH_BASE + "proposals")
#: The graphs queries read by default: the ontology and the case base, as one merged default graph.
KB_GRAPHS: tuple[URIRef, ...] = (ONTOLOGY_GRAPH, CASES_GRAPH)
STAGING_BASE = "https://w3id.org/corisk/staging/"  # outside GRAPH_BASE: never read, never exported
# The case index: derived data (outside GRAPH_BASE: never exported, rebuilt from the case base).
INDEX_BASE = "https://w3id.org/corisk/index/"
INDEX_GRAPH = URIRef(INDEX_BASE + "cases")
INDEX_UNDER = URIRef(INDEX_BASE + "ns#under")     # case → its bucket of each (category) and (category, phase) key
INDEX_IDS = URIRef(INDEX_BASE + "ns#ids")         # bucket key → its cases' ids, space-separated, one literal
INDEX_COUNT = URIRef(INDEX_BASE + "ns#count")     # bucket key → number of cases
INDEX_TOTAL = URIRef(INDEX_BASE + "ns#total")     # category key → number of cases with a risk of it
INDEX_DIRTY = URIRef(INDEX_BASE + "ns#dirty")     # inside one write only: bucket keys to recompute
INDEX_BUILT = URIRef(INDEX_BASE + "ns#built")     # marker: the index has been built in this store
INDEX_FULL_OVER = 300      # a batch touching more cases than this rebuilds the whole index
REMOTE_DIRECT_LIMIT = 400   # triples a remote batch may carry in its one request
REMOTE_CHUNK = 400          # triples per staging request
GRAPH_NAMES = {"ontology": ONTOLOGY_GRAPH, "cases": CASES_GRAPH, "proposals": PROPOSALS_GRAPH}

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)


# ------------------------------------------------------------------------------------------ errors
class StoreError(CoriskError):
    """The store cannot do what was asked (bad location, server error)."""

    http_status = 500


class StoreLockedError(StoreError):
    """Another process holds the embedded store's write lock."""

    http_status = 503


class StoreUnreachableError(StoreError):
    """The SPARQL endpoint given by URL does not answer."""

    http_status = 503


class UnsafeTermError(StoreError):
    """A value that would change the meaning of a SPARQL request instead of being data in it."""

    http_status = 400


class RejectedBatchError(CoriskError):
    """A batch broke SHACL rules; nothing of it was written."""

    http_status = 422

    def __init__(self, violations: Sequence[Violation], what: str = "the batch"):
        self.violations = list(violations)
        first = self.violations[0] if self.violations else None
        detail = f"{first.focus} breaks {first.rule}: {first.message}" if first else "it is invalid"
        more = f" (and {len(self.violations) - 1} more)" if len(self.violations) > 1 else ""
        super().__init__(f"{what} was rejected, nothing was written: {detail}{more}.")


def project_graph(project_id: str) -> URIRef:
    """The named graph of one project's risk register."""
    if not _ID.match(project_id or ""):
        raise UnsafeTermError(f"'{project_id}' is not a valid project id (lower-case letters, digits, '-').")
    return URIRef(f"{GRAPH_BASE}project/{project_id}")


def graph_name(name: str | URIRef) -> URIRef:
    """`ontology`, `cases`, `proposals`, `project/<id>` or a full IRI → the named graph's IRI."""
    if isinstance(name, URIRef):
        return name
    if name in GRAPH_NAMES:
        return GRAPH_NAMES[name]
    if name.startswith("project/"):
        return project_graph(name.split("/", 1)[1])
    if name.startswith("http://") or name.startswith("https://"):
        return URIRef(check_iri(name))
    raise StoreError(f"unknown graph '{name}'; use ontology, cases, proposals, project/<id> or a full IRI.")


# ------------------------------------------------------------------------------------------ terms
def check_iri(value: str) -> str:
    """Return `value` if it is an absolute IRI that cannot break out of `<...>`; raise otherwise."""
    if not isinstance(value, str) or not _IRI_SCHEME.match(value) or _IRI_BAD.search(value):
        raise UnsafeTermError(f"{value!r} is not a valid absolute IRI.")
    return value


def _escape_string(s: str) -> str:
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
             .replace("\r", "\\r").replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f"))


def sparql_term(node) -> str:
    """The SPARQL/N-Triples form of one RDF term, refusing anything malformed (the binding path)."""
    if isinstance(node, URIRef):
        return f"<{check_iri(str(node))}>"
    if isinstance(node, Literal):
        body = f'"{_escape_string(str(node))}"'
        if node.language:
            if not _LANG.match(node.language):
                raise UnsafeTermError(f"{node.language!r} is not a valid language tag.")
            return f"{body}@{node.language}"
        if node.datatype is not None and str(node.datatype) != _XSD_STRING:
            return f"{body}^^<{check_iri(str(node.datatype))}>"
        return body
    if isinstance(node, BNode):
        return "_:b" + hashlib.sha1(str(node).encode()).hexdigest()[:20]
    raise UnsafeTermError(f"{node!r} is not an RDF term.")


def to_ox(node):
    """rdflib term → pyoxigraph term."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(_bnode_id(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)) if node.datatype else None)
    raise UnsafeTermError(f"{node!r} is not an RDF term.")


def _bnode_id(node: BNode) -> str:
    s = str(node)
    return s if re.fullmatch(r"[A-Za-z0-9_]+", s) else "b" + hashlib.sha1(s.encode()).hexdigest()[:20]


def from_ox(term):
    """pyoxigraph term → rdflib term; xsd:string literals become plain literals, as rdflib writes them."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt in (_XSD_STRING, _LANG_STRING) else Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.DefaultGraph) or term is None:
        return None
    raise StoreError(f"unsupported RDF term {term!r}")


def _ox_graph(name: Optional[URIRef]):
    return ox.DefaultGraph() if name is None else ox.NamedNode(str(name))


# ------------------------------------------------------------------------------------------ batches
@dataclass
class Batch:
    """One atomic write: graphs to replace, resources to delete, triples to insert.

    `delete_resource(g, iri)` removes the resource's triples and those of its own sub-nodes
    (IRIs `<iri>/…` it links to), which is how a case with its partners and strategy
    applications is replaced in one go. `keys` names what changed (e.g. `case:<id>`), for
    caches that rebuild incrementally; `None` means "anything may have changed".
    """

    inserts: dict[URIRef, Graph] = field(default_factory=dict)
    replace_graphs: set[URIRef] = field(default_factory=set)
    deletes: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    keys: Optional[set[str]] = field(default_factory=set)
    validate: bool = True
    what: str = "the batch"
    index_ops: list[str] = field(default_factory=list)   # SPARQL run last, in the same transaction

    def graph(self, name: URIRef) -> Graph:
        """The insert graph for `name`, created on first use."""
        if name not in self.inserts:
            self.inserts[name] = Graph(identifier=name)
        return self.inserts[name]

    def _own(self, name: URIRef) -> Graph:
        g = self.graph(name)
        if g.identifier != name:  # a graph handed to replace(): copy before changing it
            copy = Graph(identifier=name)
            copy += g
            g = self.inserts[name] = copy
        return g

    def add(self, name: URIRef, triples: Iterable) -> "Batch":
        g = self._own(name)
        for t in triples:
            g.add(t)
        return self

    def replace(self, name: URIRef, triples: Iterable | None = None) -> "Batch":
        self.replace_graphs.add(name)
        self.keys = None
        if isinstance(triples, Graph) and name not in self.inserts:
            self.inserts[name] = triples  # taken as is (not copied): the batch never changes it
        elif triples is not None:
            self.add(name, triples)
        return self

    def delete_resource(self, name: URIRef, iri: URIRef) -> "Batch":
        self.deletes.append((name, iri))
        return self

    def touches(self) -> set[URIRef]:
        return set(self.inserts) | set(self.replace_graphs) | {g for g, _ in self.deletes}

    def size(self) -> int:
        return sum(len(g) for g in self.inserts.values())

    def update_text(self, *, bnodes_in_template: bool, staged: Mapping[URIRef, URIRef] | None = None) -> str:
        """The whole batch as one SPARQL UPDATE request (one transaction on every server).

        With `staged` (target graph → staging graph already holding its inserts) the request
        moves the staged triples in with ADD instead of carrying them.
        """
        ops = self.delete_ops()
        for g, data in self.inserts.items():
            if staged and g in staged:
                ops.append(f"ADD SILENT {sparql_term(staged[g])} TO {sparql_term(g)}")
                ops.append(f"DROP SILENT GRAPH {sparql_term(staged[g])}")
            elif len(data):
                ops += insert_ops(g, list(data), bnodes_in_template=bnodes_in_template)
        ops += self.index_ops
        return " ;\n".join(ops)

    def delete_ops(self) -> list[str]:
        ops: list[str] = []
        for g in sorted(self.replace_graphs):
            ops.append(f"DROP SILENT GRAPH {sparql_term(g)}")
        by_graph: dict[URIRef, list[URIRef]] = {}
        for g, iri in self.deletes:
            by_graph.setdefault(g, []).append(iri)
        for g, iris in by_graph.items():
            # two operations per graph whatever the number of resources (Virtuoso refuses a request of
            # hundreds of small operations: "Query too large, variables in state over the limit")
            gt = sparql_term(g)
            values = "VALUES ?r { " + " ".join(sparql_term(i) for i in dict.fromkeys(iris)) + " }"
            ops.append(f"DELETE {{ GRAPH {gt} {{ ?s ?p ?o }} }} WHERE {{ {values} GRAPH {gt} {{ ?r ?link ?s . "
                       f"?s ?p ?o . FILTER(isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?r), \"/\"))) }} }}")
            ops.append(f"DELETE {{ GRAPH {gt} {{ ?r ?p ?o }} }} WHERE {{ {values} GRAPH {gt} {{ ?r ?p ?o }} }}")
        return ops


# ------------------------------------------------------------------------------------------ the case index
BUCKETS = "0123456789abcdef"   # cases are spread over 16 buckets per key by the first hex digit of MD5(IRI)


def index_key(category: str, phase: str | None = None, bucket: str | None = None) -> URIRef:
    """The index key of one bucket of the cases with a risk of `category` (in `phase`)."""
    return URIRef(f"{INDEX_BASE}key/{category}" + (f"/{phase}" if phase else "") + (f"/{bucket}" if bucket else ""))


def index_keys(category: str, phase: str | None = None) -> list[URIRef]:
    """Every bucket key of a category (and phase)."""
    return [index_key(category, phase, b) for b in BUCKETS]


def case_index_ops(cases: Iterable[URIRef] | None = None) -> list[str]:
    """SPARQL UPDATE operations that bring the case index up to date: for the given cases (after
    their new version is written, deleted ones drop out), or for all cases (None).

    The index is derived data, kept so that filtering and counting cases does not join over the
    whole case base. Each case sits in one bucket (of 16) of each key, a key being a category or a
    (category, phase) pair: `case idx:under bucket-key`. Each bucket key carries its members as one
    literal, the case ids (the IRI where it is not crk:case-<id>) separated by spaces (`idx:ids`),
    and their number (`idx:count`); listing the cases of a key reads 16 literals, whatever the size of the case base. A write marks the
    bucket keys its cases leave or join, and only those are recomputed. The operations run at the
    end of the writing batch's own request/transaction, so the index never disagrees with the cases.
    """
    ix, cg, og = sparql_term(INDEX_GRAPH), sparql_term(CASES_GRAPH), sparql_term(ONTOLOGY_GRAPH)
    under, count, ids = sparql_term(INDEX_UNDER), sparql_term(INDEX_COUNT), sparql_term(INDEX_IDS)
    dirty = sparql_term(INDEX_DIRTY)
    materialised, category, in_phase = sparql_term(CR.materialised), sparql_term(CR.category), sparql_term(CR.inPhase)
    cat_prefix, phase_prefix = sparql_term(Literal(CRK_IRI + "category-")), sparql_term(Literal(CRK_IRI + "phase-"))
    key_base = sparql_term(Literal(INDEX_BASE + "key/"))
    case_prefix = sparql_term(Literal(CRK_IRI + "case-"))
    full = cases is None
    ops = []
    if full:
        values = ""
        ops.append(f"DROP SILENT GRAPH {ix}")
    else:
        values = "VALUES ?case { " + " ".join(sparql_term(c) for c in sorted(set(cases))) + " }\n  "
        ops.append(f"INSERT {{ GRAPH {ix} {{ ?key {dirty} true }} }} WHERE {{\n  {values}GRAPH {ix} {{ ?case {under} ?key }} }}")
        ops.append(f"DELETE {{ GRAPH {ix} {{ ?case {under} ?key }} }} WHERE {{\n  {values}GRAPH {ix} {{ ?case {under} ?key }} }}")
    mark = "" if full else f" ?kc {dirty} true . ?kp {dirty} true ."
    ops.append(
        f"INSERT {{ GRAPH {ix} {{ ?case {under} ?kc . ?case {under} ?kp .{mark} }} }} WHERE {{\n  {values}"
        f"GRAPH {cg} {{ ?case {materialised} ?risk }}\n  GRAPH {og} {{ ?risk {category} ?cat }}\n"
        f"  FILTER(STRSTARTS(STR(?cat), {cat_prefix}))\n"
        f"  BIND(STRAFTER(STR(?cat), {cat_prefix}) AS ?c)\n  BIND(SUBSTR(MD5(STR(?case)), 1, 1) AS ?b)\n"
        f"  BIND(IRI(CONCAT({key_base}, ?c, \"/\", ?b)) AS ?kc)\n"
        f"  OPTIONAL {{ GRAPH {cg} {{ ?case {in_phase} ?ph }} FILTER(STRSTARTS(STR(?ph), {phase_prefix})) }}\n"
        f"  BIND(IRI(CONCAT({key_base}, ?c, \"/\", STRAFTER(STR(?ph), {phase_prefix}), \"/\", ?b)) AS ?kp) }}")
    which = "" if full else f"?key {dirty} true . "
    if not full:
        ops.append(f"DELETE {{ GRAPH {ix} {{ ?key {ids} ?s . ?key {count} ?n }} }} WHERE {{ GRAPH {ix} {{\n"
                   f"  ?key {dirty} true . ?key {ids} ?s . ?key {count} ?n }} }}")
    ops.append(f"INSERT {{ GRAPH {ix} {{ ?key {ids} ?s . ?key {count} ?n }} }} WHERE {{\n"
               f"  SELECT ?key (CONCAT(\" \", GROUP_CONCAT(?id; separator=\" \"), \" \") AS ?s) (COUNT(?case) AS ?n)\n"
               f"  WHERE {{ GRAPH {ix} {{ {which}?case {under} ?key }}\n"
               f"    BIND(IF(STRSTARTS(STR(?case), {case_prefix}), STRAFTER(STR(?case), {case_prefix}), STR(?case)) AS ?id) }}\n"
               f"  GROUP BY ?key }}")
    # the total per category: the sum of its 16 buckets
    pairs = " ".join(f"({sparql_term(index_key(c))} {sparql_term(k)})" for c in CATEGORIES for k in index_keys(c))
    ops.append(f"DELETE WHERE {{ GRAPH {ix} {{ ?total {sparql_term(INDEX_TOTAL)} ?t }} }}")
    ops.append(f"INSERT {{ GRAPH {ix} {{ ?total {sparql_term(INDEX_TOTAL)} ?t }} }} WHERE {{\n"
               f"  SELECT ?total (SUM(?n) AS ?t) WHERE {{ VALUES (?total ?key) {{ {pairs} }}\n"
               f"  GRAPH {ix} {{ ?key {count} ?n }} }} GROUP BY ?total }}")
    if full:
        ops.append(f"INSERT DATA {{ GRAPH {ix} {{ {ix} {sparql_term(INDEX_BUILT)} true }} }}")
    else:
        ops.append(f"DELETE WHERE {{ GRAPH {ix} {{ ?key {dirty} ?t }} }}")
    return ops


def index_ops_for(batch: "Batch") -> list[str]:
    """The index maintenance a batch needs: none, the cases it writes or deletes, or everything."""
    touched = batch.touches()
    if CASES_GRAPH not in touched and ONTOLOGY_GRAPH not in touched:
        return []
    if ONTOLOGY_GRAPH in touched or CASES_GRAPH in batch.replace_graphs:
        return case_index_ops(None)      # categories may have moved, or every case changed
    cases = {iri for g, iri in batch.deletes if g == CASES_GRAPH}
    data = batch.inserts.get(CASES_GRAPH)
    if data is not None:
        for p in (RDF.type, CR.materialised, CR.inPhase):
            cases.update(s for s in data.subjects(p, None) if isinstance(s, URIRef))
    if not cases:
        return []
    return case_index_ops(None if len(cases) > INDEX_FULL_OVER else cases)


def insert_ops(g: URIRef, triples: list, *, bnodes_in_template: bool, chunk: int | None = None) -> list[str]:
    """INSERT operations for triples into graph `g`, a bounded number of triples each."""
    chunk = chunk or INSERT_CHUNK
    # Blank nodes keep their identity only within one operation: those triples go together.
    plain = [t for t in triples if not any(isinstance(x, BNode) for x in t)]
    blank = [t for t in triples if any(isinstance(x, BNode) for x in t)]
    # Virtuoso's SPARQL parser runs out of stack on one block of a few thousand triples.
    ops = [f"INSERT DATA {{ GRAPH {sparql_term(g)} {{\n{_lines(plain[i:i + chunk])} .\n}} }}"
           for i in range(0, len(plain), chunk)]
    if blank:
        head = "INSERT" if bnodes_in_template else "INSERT DATA"
        tail = " WHERE {}" if bnodes_in_template else ""
        ops.append(f"{head} {{ GRAPH {sparql_term(g)} {{\n{_lines(blank)} .\n}} }}{tail}")
    return ops


INSERT_CHUNK = 1000


def _lines(triples) -> str:
    return " .\n".join(f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)}" for s, p, o in triples)


# ------------------------------------------------------------------------------------------ validation
_SHAPES: dict[str, Graph] = {}
_SHAPES_LOCK = threading.Lock()


def shapes_graph() -> Graph:
    """The SHACL shapes of ontology/shapes, parsed once per process."""
    with _SHAPES_LOCK:
        if "shapes" not in _SHAPES:
            from ontology import load_shapes

            _SHAPES["shapes"] = load_shapes()
        return _SHAPES["shapes"]


def validate_batch(batch: Batch, ontology_graph: Graph, shapes: Graph | None = None) -> list[Violation]:
    """SHACL violations of the batch's inserts; the ontology graph is data too (sh:class targets).

    An ontology graph in the batch is validated whole; other graphs are validated node by node
    (only the subjects they write), against the ontology the batch leaves in the store.
    """
    shapes = shapes_graph() if shapes is None else shapes
    violations: list[Violation] = []
    onto_insert = batch.inserts.get(ONTOLOGY_GRAPH)
    if onto_insert is not None:
        violations += _memo(("all", frozenset(onto_insert)), lambda: _check_all(onto_insert, shapes))
        if ONTOLOGY_GRAPH in batch.replace_graphs:
            ontology_graph = onto_insert
        else:
            merged = Graph()
            merged += ontology_graph
            merged += onto_insert
            ontology_graph = merged
    others = [g for name, g in batch.inserts.items() if name != ONTOLOGY_GRAPH and len(g)]
    if others:
        focus = set()
        for g in others:
            focus.update(s for s in g.subjects(unique=True) if isinstance(s, URIRef))
        if focus:
            context, context_key = _context(ontology_graph, focus)
            data = Graph()
            data += context
            for g in others:
                data += g
            key = ("focus", context_key, frozenset(t for g in others for t in g))
            violations += _memo(key, lambda: _check_focus(data, shapes, sorted(focus)))
    return violations


_CONTEXT: dict = {}


def _context(ontology_graph: Graph, focus: set) -> tuple[Graph, object]:
    """What validating non-ontology nodes needs from the ontology: its types and class hierarchy.

    (sh:class looks up rdf:type and rdfs:subClassOf.) A batch that describes an ontology concept
    itself is validated against the whole ontology.
    """
    from rdflib.namespace import RDFS

    if any((f, RDF.type, None) in ontology_graph for f in focus):
        return ontology_graph, ("full", id(ontology_graph), len(ontology_graph))
    key = (id(ontology_graph), len(ontology_graph))
    with _SHAPES_LOCK:
        hit = _CONTEXT.get("types")
        if hit is not None and hit[0] == key:
            return hit[1], ("types",) + key
    g = Graph()
    for t in ontology_graph.triples((None, RDF.type, None)):
        g.add(t)
    for t in ontology_graph.triples((None, RDFS.subClassOf, None)):
        g.add(t)
    with _SHAPES_LOCK:
        _CONTEXT["types"] = (key, g, ontology_graph)  # keeps the graph alive, so its id stays unique
    return g, ("types",) + key


_MEMO: dict = {}


def _memo(key, compute):
    """Validation results by content: the same ontology and cases are not validated twice in a process."""
    with _SHAPES_LOCK:
        if key in _MEMO:
            return list(_MEMO[key])
    result = compute()
    with _SHAPES_LOCK:
        if len(_MEMO) > 32:
            _MEMO.clear()
        _MEMO[key] = tuple(result)
    return result


def _check_all(graph: Graph, shapes: Graph) -> list[Violation]:
    return check(graph, shapes, violations_only=True)


def _check_focus(data: Graph, shapes: Graph, focus: list[URIRef]) -> list[Violation]:
    out = check(data, shapes, focus_nodes=focus, inplace=True, violations_only=True)
    # the precise rule first: "does not conform to shape X" only points at a nested violation
    out.sort(key=lambda v: (v.message.startswith("Value does not conform"), v.focus, v.rule, v.path or ""))
    return out


# ------------------------------------------------------------------------------------------ the store
Bindings = Mapping[str, object]


class KnowledgeStore(ABC):
    """What both backends offer. Queries read the KB graphs (ontology + cases) unless told otherwise."""

    location: str
    kind: str
    read_only: bool = False

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.version = 0
        self._graph_versions: dict[URIRef, int] = {}
        self._changes: list[tuple[int, Optional[frozenset[str]]]] = []
        self._onto_cache: tuple[int, Graph] | None = None
        self._memo_cache: dict[str, tuple] = {}

    # ---- reads
    @abstractmethod
    def select(self, query: str, bindings: Bindings | None = None,
               graphs: Sequence[URIRef] | None = KB_GRAPHS) -> list[dict]:
        """Rows of a SELECT query as dicts of rdflib terms; `graphs` become the default graph."""

    def select_values(self, query: str, var: str, bindings: Bindings | None = None,
                      graphs: Sequence[URIRef] | None = KB_GRAPHS) -> list[str]:
        """The lexical values of one variable over the rows of a SELECT query (no rdflib terms made)."""
        return [row[0] for row in self.select_lexical(query, (var,), bindings, graphs)]

    def select_lexical(self, query: str, variables: Sequence[str], bindings: Bindings | None = None,
                       graphs: Sequence[URIRef] | None = KB_GRAPHS) -> list[tuple[str, ...]]:
        """The rows of a SELECT query as tuples of lexical values (rows missing one are left out)."""
        return [tuple(str(r[v]) for v in variables) for r in self.select(query, bindings, graphs)
                if all(v in r for v in variables)]

    @abstractmethod
    def ask(self, query: str, bindings: Bindings | None = None, graphs: Sequence[URIRef] | None = KB_GRAPHS) -> bool:
        """The answer of an ASK query."""

    @abstractmethod
    def construct(self, query: str, bindings: Bindings | None = None,
                  graphs: Sequence[URIRef] | None = KB_GRAPHS) -> Graph:
        """The triples of a CONSTRUCT query as an in-memory rdflib Graph."""

    @abstractmethod
    def quads(self, graphs: Sequence[URIRef] | None = None) -> Iterator[ox.Quad]:
        """Every quad of the given named graphs (all named graphs by default), as pyoxigraph quads."""

    @abstractmethod
    def named_graphs(self) -> list[URIRef]:
        """The named graphs that hold at least one triple."""

    @abstractmethod
    def graph(self, name: URIRef) -> Graph:
        """A live rdflib Graph over one named graph (the rdflib API: triples(), query(), len())."""

    def count(self, name: URIRef | None = None) -> int:
        """Triples in one named graph, or in all of them."""
        if name is None:  # corisk's graphs only: a server has graphs of its own
            return sum(self.count(g) for g in self.named_graphs())
        else:
            rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": name}, graphs=None)
        return int(rows[0]["n"]) if rows else 0

    def graph_copy(self, name: URIRef) -> Graph:
        """An in-memory rdflib copy of one named graph."""
        g = Graph(identifier=name)
        for q in self.quads([name]):
            g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return g

    def dataset_copy(self, graphs: Sequence[URIRef] | None = None) -> Dataset:
        """An in-memory rdflib Dataset with every named graph (or the given ones)."""
        ds = Dataset()
        for q in self.quads(graphs):
            ds.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name)))
        return ds

    def ontology_graph(self) -> Graph:
        """The ontology graph, copied into memory once per change (validation and views read it)."""
        with self._lock:
            v = self._graph_versions.get(ONTOLOGY_GRAPH, 0)
            if self._onto_cache is None or self._onto_cache[0] != v:
                g = self.graph_copy(ONTOLOGY_GRAPH)
                from ontology.load import bind_prefixes

                bind_prefixes(g)
                self._onto_cache = (v, g)
            return self._onto_cache[1]

    def memo(self, name: str, compute, graphs: Sequence[URIRef] = KB_GRAPHS):
        """`compute()`, kept until one of `graphs` changes (through this store object)."""
        key = (name, tuple(self.graph_version(g) for g in graphs))
        with self._lock:
            hit = self._memo_cache.get(name)
            if hit is not None and hit[0] == key:
                return hit[1]
        value = compute()
        with self._lock:
            self._memo_cache[name] = (key, value)
        return value

    def refresh(self) -> None:
        """Forget cached copies and mark every graph changed (after another client wrote a remote store)."""
        with self._lock:
            self._onto_cache = None
            self._memo_cache.clear()
            self.version += 1
            self._graph_versions = {g: self.version for g in set(self._graph_versions) | {ONTOLOGY_GRAPH, CASES_GRAPH}}
            self._changes.append((self.version, None))

    def graph_version(self, name: URIRef) -> int:
        """A counter that moves whenever this process writes the named graph."""
        return self._graph_versions.get(name, 0)

    def changes_since(self, version: int) -> tuple[int, Optional[set[str]]]:
        """(current version, keys changed since `version`); None for the keys means "rebuild everything"."""
        with self._lock:
            keys: set[str] = set()
            for v, ks in self._changes:
                if v > version:
                    if ks is None:
                        return self.version, None
                    keys |= ks
            if version < (self._changes[0][0] - 1 if self._changes else 0):
                return self.version, None
            return self.version, keys

    # ---- writes
    def write(self, batch: Batch) -> int:
        """Validate the batch, then apply it in one transaction; returns the number of triples written."""
        if self.read_only:
            raise StoreLockedError(self._locked_message())
        with self._lock:
            if batch.validate:
                onto = self.ontology_graph() if ONTOLOGY_GRAPH not in batch.replace_graphs else Graph()
                violations = validate_batch(batch, onto)
                if violations:
                    raise RejectedBatchError(violations, batch.what)
            if not batch.index_ops and not self.read_only:
                batch.index_ops = index_ops_for(batch)
            self._apply(batch)
            self.version += 1
            for g in batch.touches():
                self._graph_versions[g] = self.version
            if ONTOLOGY_GRAPH in batch.replace_graphs:
                # the store now holds exactly this graph: no need to read it back
                self._onto_cache = (self.version, batch.inserts.get(ONTOLOGY_GRAPH, Graph()))
            self._changes.append((self.version, None if batch.keys is None else frozenset(batch.keys)))
            del self._changes[:-1000]
            return batch.size()

    @abstractmethod
    def _apply(self, batch: Batch) -> None:
        ...

    # ---- the case index (see case_index_ops)
    def has_case_index(self) -> bool:
        """Whether the case index has been built in this store (it is kept up to date from then on)."""
        return self.ask(f"ASK {{ {sparql_term(INDEX_GRAPH)} {sparql_term(INDEX_BUILT)} ?v }}", graphs=[INDEX_GRAPH])

    def rebuild_case_index(self) -> None:
        """Build the case index from the cases and the ontology, in one transaction."""
        self.write(Batch(validate=False, index_ops=case_index_ops(None), what="rebuilding the case index"))

    def restore(self, quads: Iterable[ox.Quad]) -> int:
        """Replace everything in the store by the given quads, in one transaction."""
        # Our graphs only: a DROP ALL would also wipe a server's own graphs (Virtuoso keeps its
        # quad-storage metadata in one).
        batch = Batch(replace_graphs=set(self.named_graphs()), keys=None, validate=False, what="the restore")
        for q in quads:
            g = from_ox(q.graph_name)
            batch.graph(g if g is not None else URIRef(GRAPH_BASE + "default")).add(
                (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return self.write(batch)

    def _locked_message(self) -> str:
        return (f"the store {self.location} is in use by a running corisk serve (or another corisk "
                "process); stop it or use --store URL.")

    def close(self) -> None:
        """Release the store (the embedded one's lock)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ------------------------------------------------------------------------------------------ embedded
_OPEN: dict[str, list] = {}
_OPEN_LOCK = threading.Lock()


class OxigraphStore(KnowledgeStore):
    """Oxigraph on disk through pyoxigraph: one writer per directory, transactional writes."""

    kind = "oxigraph"

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, _ox: ox.Store | None = None):
        super().__init__()
        self.location = str(path)
        self.read_only = read_only
        if _ox is not None:
            self._ox = _ox
            return
        try:
            if read_only:
                self._ox = ox.Store.read_only(self.location)
            else:
                Path(self.location).mkdir(parents=True, exist_ok=True)
                self._ox = ox.Store(self.location)
        except OSError as exc:
            text = str(exc).lower()
            if "lock" in text:
                raise StoreLockedError(self._locked_message()) from None
            raise StoreError(f"cannot open the store in {self.location}: {str(exc).splitlines()[0]}.") from None

    def _default(self, graphs):
        return None if graphs is None else [ox.NamedNode(str(g)) for g in graphs]

    def _query(self, query, bindings, graphs):
        # Bindings go in as a VALUES block (the same text on every backend, each value checked by
        # sparql_term): pyoxigraph's own substitutions only bind variables the SELECT projects.
        try:
            kwargs = {}
            if graphs is not None:
                kwargs["default_graph"] = self._default(graphs)
            return self._ox.query(inject_values(query, bindings), **kwargs)
        except SyntaxError as exc:
            raise StoreError(f"invalid SPARQL query: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"the store failed to answer: {exc}") from None

    def select(self, query, bindings=None, graphs=KB_GRAPHS):
        res = self._query(query, bindings, graphs)
        names = [v.value for v in res.variables]
        return [{n: from_ox(val) for n, val in zip(names, row) if val is not None} for row in res]

    def select_lexical(self, query, variables, bindings=None, graphs=KB_GRAPHS):
        out = []
        for row in self._query(query, bindings, graphs):
            vals = [row[v] for v in variables]
            if all(v is not None for v in vals):
                out.append(tuple(v.value for v in vals))
        return out

    def ask(self, query, bindings=None, graphs=KB_GRAPHS):
        return bool(self._query(query, bindings, graphs))

    def construct(self, query, bindings=None, graphs=KB_GRAPHS):
        g = Graph()
        for t in self._query(query, bindings, graphs):
            g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return g

    def quads(self, graphs=None):
        if graphs is None:
            for g in self.named_graphs():
                yield from self._ox.quads_for_pattern(None, None, None, _ox_graph(g))
        else:
            for g in graphs:
                yield from self._ox.quads_for_pattern(None, None, None, _ox_graph(g))

    def named_graphs(self):
        return sorted(URIRef(g.value) for g in self._ox.named_graphs()
                      if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH_BASE)
                      and next(self._ox.quads_for_pattern(None, None, None, g), None))

    def count(self, name=None):
        if name is None:
            return sum(self.count(g) for g in self.named_graphs())
        res = self._ox.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=ox.NamedNode(str(name)))
        return int(next(iter(res))["n"].value)

    def graph(self, name):
        from oxrdflib import OxigraphStore as RdflibOxigraph

        return Graph(store=RdflibOxigraph(store=self._ox), identifier=name)

    def _apply(self, batch: Batch) -> None:
        try:
            if not batch.replace_graphs and not batch.deletes and not batch.index_ops:
                # extend() is one transaction: either every quad is in, or none.
                self._ox.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.NamedNode(str(g)))
                                 for g, data in batch.inserts.items() for s, p, o in data])
            else:
                text = batch.update_text(bnodes_in_template=False)
                if text:
                    self._ox.update(text)
            self._ox.flush()
        except OSError as exc:
            raise StoreError(f"the write failed and was rolled back: {exc}") from None

    def bulk_load(self, path: str | os.PathLike, format: ox.RdfFormat | None = None,
                  to_graph: URIRef | None = None) -> None:
        """Load a large file fast, without a transaction or validation (benchmarks, trusted dumps).

        The case index is marked out of date; `rebuild_case_index()` (or the next case query) rebuilds it."""
        self._ox.bulk_load(path=str(path), format=format,
                           to_graph=ox.NamedNode(str(to_graph)) if to_graph else None)
        self._ox.remove(ox.Quad(to_ox(INDEX_GRAPH), to_ox(INDEX_BUILT), ox.Literal(True), to_ox(INDEX_GRAPH)))
        self._ox.flush()
        self.version += 1
        self._changes.append((self.version, None))
        self._graph_versions = {g: self.version for g in self._graph_versions} | {ONTOLOGY_GRAPH: self.version}

    def close(self) -> None:
        _release(self)


def _release(store: OxigraphStore) -> None:
    with _OPEN_LOCK:
        key = _key(store.location, store.read_only)
        entry = _OPEN.get(key)
        if entry and entry[0] is store:
            entry[1] -= 1
            if entry[1] <= 0:
                del _OPEN[key]
                store._ox = None  # dropping the last reference releases RocksDB's lock


def _key(path: str, read_only: bool) -> str:
    return ("ro:" if read_only else "rw:") + os.path.realpath(path)


# ------------------------------------------------------------------------------------------ remote
class SparqlEndpointStore(KnowledgeStore):
    """Any SPARQL 1.1 Query + Update endpoint (Oxigraph server, Virtuoso, Fuseki …) over HTTP."""

    kind = "sparql"

    def __init__(self, query_url: str, update_url: str | None = None, *, timeout: float = 60.0):
        super().__init__()
        import httpx

        self.query_url = query_url
        self.update_url = update_url or query_url
        self.location = query_url
        self._http = httpx.Client(timeout=timeout, headers={"User-Agent": "corisk"})

    def _post(self, url: str, **kwargs):
        import httpx

        try:
            resp = self._http.post(url, **kwargs)
        except httpx.TransportError as exc:
            raise StoreUnreachableError(
                f"cannot reach the SPARQL endpoint {url} ({type(exc).__name__}); start it or check --store.") from None
        if resp.status_code >= 400:
            first = (resp.text or "").strip().splitlines()
            raise StoreError(f"the SPARQL endpoint {url} answered {resp.status_code}: "
                             f"{first[0][:300] if first else resp.reason_phrase}")
        return resp

    def _request_query(self, query: str, bindings, graphs, accept: str):
        text = inject_values(query, bindings)
        from urllib.parse import urlencode

        form = [("query", text)] + [("default-graph-uri", check_iri(str(g))) for g in (graphs or ())]
        return self._post(self.query_url, content=urlencode(form).encode("ascii"),
                          headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})

    def select(self, query, bindings=None, graphs=KB_GRAPHS):
        resp = self._request_query(query, bindings, graphs, "application/sparql-results+json")
        doc = resp.json()
        return [{k: _from_json(v) for k, v in b.items()} for b in doc.get("results", {}).get("bindings", [])]

    def ask(self, query, bindings=None, graphs=KB_GRAPHS):
        resp = self._request_query(query, bindings, graphs, "application/sparql-results+json")
        return bool(resp.json().get("boolean"))

    def construct(self, query, bindings=None, graphs=KB_GRAPHS):
        resp = self._request_query(query, bindings, graphs, "application/n-triples")
        g = Graph()
        for t in ox.parse(resp.content, ox.RdfFormat.N_TRIPLES):
            g.add((_norm(from_ox(t.subject)), from_ox(t.predicate), _norm(from_ox(t.object))))
        return g

    def quads(self, graphs=None):
        names = self.named_graphs() if graphs is None else list(graphs)
        for name in names:
            expected = self.count(name)
            resp = self._request_query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                                       {"g": name}, None, "application/n-triples")
            n = 0
            for t in ox.parse(resp.content, ox.RdfFormat.N_TRIPLES):
                n += 1
                yield ox.Quad(t.subject, t.predicate, to_ox(_norm(from_ox(t.object))), ox.NamedNode(str(name)))
            if n < expected:
                raise StoreError(f"the endpoint returned {n} of {expected} triples of {name}: it truncates "
                                 "results (Virtuoso: raise ResultSetMaxRows in virtuoso.ini).")

    def named_graphs(self):
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", graphs=None)
        return sorted(r["g"] for r in rows if isinstance(r.get("g"), URIRef) and str(r["g"]).startswith(GRAPH_BASE))

    def graph(self, name):
        from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

        st = SPARQLUpdateStore(query_endpoint=self.query_url, update_endpoint=self.update_url,
                               returnFormat="json", method="POST_FORM")
        return Graph(store=st, identifier=name)

    def _apply(self, batch: Batch) -> None:
        if batch.size() <= REMOTE_DIRECT_LIMIT:
            self._update(batch.update_text(bnodes_in_template=True))
            return
        # A large batch would exceed what a server compiles in one request (Virtuoso: a few
        # thousand triples). Its triples go first, in several requests, to staging graphs no
        # reader looks at; then one small request swaps them in: still all or nothing.
        import uuid

        run = uuid.uuid4().hex
        staged = {g: URIRef(f"{STAGING_BASE}{run}/{i}") for i, g in enumerate(batch.inserts) if len(batch.inserts[g])}
        try:
            for g, tmp in staged.items():
                for op in insert_ops(tmp, list(batch.inserts[g]), bnodes_in_template=True, chunk=REMOTE_CHUNK):
                    self._update(op)
            self._update(batch.update_text(bnodes_in_template=True, staged=staged))
        except BaseException:
            try:
                self._update(" ;\n".join(f"DROP SILENT GRAPH {sparql_term(t)}" for t in staged.values()))
            except StoreError:
                pass
            raise

    def _update(self, text: str) -> None:
        if text:
            self._post(self.update_url, content=text.encode("utf-8"),
                       headers={"Content-Type": "application/sparql-update; charset=utf-8"})

    def close(self) -> None:
        self._http.close()


def _from_json(v: dict):
    t = v.get("type")
    if t == "uri":
        return URIRef(v["value"])
    if t == "bnode":
        return BNode(v["value"].replace("nodeID://", ""))
    lang = v.get("xml:lang")
    if lang:
        return Literal(v["value"], lang=lang)
    dt = v.get("datatype")
    if not dt or dt == _XSD_STRING:
        return Literal(v["value"])
    value = v["value"]
    if dt == str(XSD.boolean) and value in ("0", "1"):  # Virtuoso writes booleans as 0/1 in JSON
        value = "true" if value == "1" else "false"
    return Literal(value, datatype=URIRef(dt))


def _norm(term):
    if isinstance(term, BNode):
        return BNode(term.replace("nodeID://", ""))
    return term


def inject_values(query: str, bindings: Bindings | None) -> str:
    """Put the bindings into the query as a VALUES block at the start of its outer WHERE group.

    Each value goes through `sparql_term`, so a label or id can only ever be one RDF term.
    """
    items = [(k, v) for k, v in (bindings or {}).items() if v is not None]
    if not items:
        return query
    for k, _ in items:
        if not _VAR.match(k):
            raise UnsafeTermError(f"{k!r} is not a SPARQL variable name.")
    block = "VALUES (" + " ".join(f"?{k}" for k, _ in items) + ") { (" + " ".join(sparql_term(v) for _, v in items) + ") }"
    m = re.search(r"\bWHERE\s*\{", query, re.IGNORECASE) or re.search(r"\{", query)
    if not m:
        raise StoreError("cannot bind values: the query has no WHERE group.")
    return query[:m.end()] + " " + block + " " + query[m.end():]


def endpoint_urls(url: str) -> tuple[str, str]:
    """The query and update URLs of an endpoint given by one URL.

    `…/query` (Oxigraph, Fuseki) updates at `…/update`; a bare server root is taken as Oxigraph's
    layout; any other URL (Virtuoso's `/sparql`) takes both on the same URL.
    """
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path == "":
        return (urlunsplit(parts._replace(path="/query")), urlunsplit(parts._replace(path="/update")))
    if path.endswith("/query"):
        return url, urlunsplit(parts._replace(path=path[: -len("/query")] + "/update"))
    return url, url


# ------------------------------------------------------------------------------------------ opening
def open_store(location: str | os.PathLike, *, read_only: bool = False,
               fallback_read_only: bool = False) -> KnowledgeStore:
    """Open the store at a directory (embedded Oxigraph) or an http(s) URL (SPARQL endpoint).

    In one process, a directory is opened once and shared. When another process holds the lock,
    `fallback_read_only` opens a read-only snapshot instead (for reads: export, stats).
    """
    loc = str(location)
    if loc.startswith("http://") or loc.startswith("https://"):
        q, u = endpoint_urls(loc)
        return SparqlEndpointStore(q, u)
    with _OPEN_LOCK:
        for ro in ((True, False) if read_only else (False,)):
            entry = _OPEN.get(_key(loc, ro))
            if entry:
                entry[1] += 1
                return entry[0]
        try:
            store = OxigraphStore(loc, read_only=read_only)
        except StoreLockedError:
            if not fallback_read_only or not Path(loc).exists():
                raise
            store = OxigraphStore(loc, read_only=True)
        _OPEN[_key(loc, store.read_only)] = [store, 1]
        return store


# ------------------------------------------------------------------------------------------ formats
FORMATS = {
    "turtle": ox.RdfFormat.TURTLE, "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD, "json-ld": ox.RdfFormat.JSON_LD,
    "nquads": ox.RdfFormat.N_QUADS, "nq": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES, "nt": ox.RdfFormat.N_TRIPLES,
}
EXTENSIONS = {".ttl": "turtle", ".trig": "trig", ".jsonld": "jsonld", ".json": "jsonld", ".nq": "nquads",
              ".nt": "ntriples"}
PREFIXES = {
    "cr": "https://w3id.org/corisk/ontology#", "crk": "https://w3id.org/corisk/id/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "owl": "http://www.w3.org/2002/07/owl#",
    "schema": "http://schema.org/",
}


class FormatError(CoriskError):
    """A file in an unknown format, or one that does not parse."""


def rdf_format(name: str | None, path: str | os.PathLike | None = None) -> ox.RdfFormat:
    """A format name (turtle, trig, jsonld, nquads) or, without one, the file's extension → the format."""
    if name and name != "auto":
        fmt = FORMATS.get(name.lower())
        if fmt is None:
            raise FormatError(f"unknown format '{name}'; use turtle, trig, jsonld or nquads.")
        return fmt
    suffix = Path(str(path or "")).suffix.lower()
    if suffix in EXTENSIONS:
        return FORMATS[EXTENSIONS[suffix]]
    raise FormatError(f"cannot tell the format of {path}; name it with --format turtle|trig|jsonld|nquads.")


def serialize_quads(quads: Iterable[ox.Quad], output: IO[bytes] | str | os.PathLike, fmt: ox.RdfFormat) -> None:
    """Write quads; formats without named graphs (Turtle, N-Triples) get the union of the graphs."""
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
        seen = set()

        def triples():
            for q in quads:
                t = q.triple
                if t not in seen:
                    seen.add(t)
                    yield t

        ox.serialize(triples(), output, fmt, prefixes=PREFIXES)
    else:
        ox.serialize(quads, output, fmt, prefixes=PREFIXES if fmt is not ox.RdfFormat.N_QUADS else None)


def parse_quads(*, data: bytes | str | None = None, path: str | os.PathLike | None = None,
                fmt: ox.RdfFormat, default_graph: URIRef, name: str = "the file") -> list[ox.Quad]:
    """Parse RDF; triples without a graph go to `default_graph`. A syntax error names the file and place.

    Only corisk's own named graphs (`https://w3id.org/corisk/graph/…`) may appear in the data.
    """
    try:
        if path is not None:
            quads = list(ox.parse(path=str(path), format=fmt, rename_blank_nodes=True))
        else:
            quads = list(ox.parse(data, fmt, rename_blank_nodes=True))
    except SyntaxError as exc:
        raise FormatError(f"{name} is not valid {_FORMAT_NAMES.get(fmt, 'RDF')}: {str(exc).splitlines()[0]}.") from None
    except (OSError, ValueError) as exc:
        raise FormatError(f"cannot read {name}: {str(exc).splitlines()[0]}.") from None
    target = ox.NamedNode(str(default_graph))
    out = []
    for q in quads:
        if isinstance(q.graph_name, ox.NamedNode):
            if not q.graph_name.value.startswith(GRAPH_BASE):
                raise FormatError(f"{name} writes to the graph <{q.graph_name.value}>; corisk keeps only its own "
                                  f"graphs ({GRAPH_BASE}…).")
            out.append(q)
        else:
            out.append(ox.Quad(q.subject, q.predicate, q.object, target))
    return out


_FORMAT_NAMES = {ox.RdfFormat.TURTLE: "Turtle", ox.RdfFormat.TRIG: "TriG", ox.RdfFormat.JSON_LD: "JSON-LD",
                 ox.RdfFormat.N_QUADS: "N-Quads", ox.RdfFormat.N_TRIPLES: "N-Triples"}
