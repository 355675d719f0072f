"""The case base: the `Case` model (pydantic), its RDF mapping, YAML files, and store access.

A case is `crk:case-<id>` (class `cr:Case`) in the cases graph. Its parts are nodes of their own
with IRIs under the case's (`crk:case-<id>/partner/1`, `…/risk/1`, `…/application/1`,
`…/source/1`), so replacing or deleting a case removes exactly its triples, and the order of
partners, risks, strategies and sources survives the round trip.
"""
from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Iterable, Literal as Lit, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ontology.errors import CoriskError, NotFoundError
from ontology.namespace import CATEGORIES, CR, CRK, concept_iri, outcome_iri, phase_iri, short_id

from .store import (
    CASES_GRAPH, INDEX_BASE, INDEX_GRAPH, INDEX_IDS, INDEX_TOTAL, ONTOLOGY_GRAPH, Batch, KnowledgeStore,
    index_key, index_keys, sparql_term,
)

SCHEMA = Namespace("http://schema.org/")

SERVICE_TYPES = ("iaas", "paas", "saas", "hybrid-cloud", "sovereign-cloud", "data-centre", "cdn",
                 "security-service", "other")
ROLES = ("provider", "operator", "reseller", "customer", "data-trustee", "investor", "regulator", "supplier",
         "partner")
ServiceType = Lit["iaas", "paas", "saas", "hybrid-cloud", "sovereign-cloud", "data-centre", "cdn",
                  "security-service", "other"]
Role = Lit["provider", "operator", "reseller", "customer", "data-trustee", "investor", "regulator", "supplier",
           "partner"]
PhaseId = Lit["preparation", "implementation", "operation"]
OutcomeId = Lit["effective", "partial", "ineffective"]

CASE_ID = r"^[a-z0-9][a-z0-9-]{0,127}$"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CONCEPT = r"^[a-z][a-z0-9]*(-[a-z0-9_]+)+$"


class CaseError(CoriskError):
    """A case file or payload that does not fit the case layout."""

    http_status = 422


class CaseExistsError(CaseError):
    """A new case whose id is taken."""

    http_status = 409


class Text(BaseModel):
    """A text in both languages."""

    model_config = ConfigDict(extra="forbid")
    en: str = ""
    zh: str = ""

    def items(self):
        return [(lang, v) for lang, v in (("en", self.en), ("zh", self.zh)) if v]


class Partner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    role: Role


class RiskItem(BaseModel):
    """A risk that materialised: an ontology concept, with an optional note on how."""

    model_config = ConfigDict(extra="forbid")
    concept: str = Field(pattern=_CONCEPT)
    note: Optional[Text] = None


class StrategyItem(BaseModel):
    """A strategy applied in the case and how it worked out."""

    model_config = ConfigDict(extra="forbid")
    concept: str = Field(pattern=_CONCEPT)
    outcome: OutcomeId
    note: Optional[Text] = None


class Lessons(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https?://[^\s<>\"{}|\\^`]+$")
    title: Optional[str] = None
    accessed: Optional[str] = None

    @field_validator("accessed", mode="before")
    @classmethod
    def _date(cls, v):
        return _date_text(v)


class Case(BaseModel):
    """One past project or risk event (the layout of corpus/cases/README.md)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=CASE_ID)
    synthetic: bool = False
    title: Text
    summary: Text
    service_type: ServiceType = "other"
    partners: list[Partner] = Field(default_factory=list)
    region: str = ""
    phase: Optional[PhaseId] = None
    start_date: Optional[str] = None
    end_date: Optional[str] = None
    risks: list[RiskItem] = Field(min_length=1)
    causes: list[str] = Field(default_factory=list)
    indicators: list[str] = Field(default_factory=list)
    strategies: list[StrategyItem] = Field(default_factory=list)
    lessons: Lessons = Field(default_factory=Lessons)
    sources: list[Source] = Field(default_factory=list)

    @field_validator("start_date", "end_date", mode="before")
    @classmethod
    def _dates(cls, v):
        return _date_text(v)

    @field_validator("causes", "indicators")
    @classmethod
    def _ids(cls, v):
        for item in v:
            if not re.match(_CONCEPT, item):
                raise ValueError(f"'{item}' is not a concept id")
        return v

    @property
    def real(self) -> bool:
        """A public event: it has a source and is not marked synthetic."""
        return bool(self.sources) and not self.synthetic

    @property
    def iri(self) -> URIRef:
        return case_iri(self.id)

    def canonical(self) -> "Case":
        """The form the store gives back: causes, indicators and lessons sorted, empty notes dropped."""
        data = self.model_dump()
        data["causes"] = sorted(set(self.causes))
        data["indicators"] = sorted(set(self.indicators))
        data["lessons"] = {k: sorted(set(v)) for k, v in data["lessons"].items()}
        for item in data["risks"] + data["strategies"]:
            if item["note"] is not None and not (item["note"]["en"] or item["note"]["zh"]):
                item["note"] = None
        return Case.model_validate(data)


def _date_text(v):
    if v is None or v == "":
        return None
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()[:10]
    s = str(v).strip()
    m = re.match(r"^\d{4}(-\d{2}(-\d{2})?)?", s)
    if not m or not _DATE.match(m.group(0)):
        raise ValueError(f"'{v}' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    return m.group(0)


def case_iri(case_id: str) -> URIRef:
    if not re.match(CASE_ID, case_id or ""):
        raise CaseError(f"'{case_id}' is not a valid case id (lower-case letters, digits and '-').")
    return CRK[f"case-{case_id}"]


def case_id_of(iri) -> str:
    s = short_id(iri)
    return s[len("case-"):] if s.startswith("case-") else s


# ------------------------------------------------------------------------------------------ RDF mapping
def _date_literal(s: str) -> Literal:
    dt = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(s)]
    return Literal(s, datatype=dt)


def case_to_graph(case: Case) -> Graph:
    """The case's triples (for the cases graph)."""
    g = Graph()
    c = case.iri
    g.add((c, RDF.type, CR.Case))
    g.add((c, CR.synthetic, Literal(case.synthetic)))
    for lang, v in case.title.items():
        g.add((c, DCTERMS.title, Literal(v, lang=lang)))
    for lang, v in case.summary.items():
        g.add((c, CR.summary, Literal(v, lang=lang)))
    g.add((c, CR.serviceType, Literal(case.service_type)))
    if case.region:
        g.add((c, CR.region, Literal(case.region)))
    if case.phase:
        g.add((c, CR.inPhase, phase_iri(case.phase)))
    if case.start_date:
        g.add((c, CR.startDate, _date_literal(case.start_date)))
    if case.end_date:
        g.add((c, CR.endDate, _date_literal(case.end_date)))
    for i, p in enumerate(case.partners, 1):
        n = URIRef(f"{c}/partner/{i}")
        g.add((c, CR.partner, n))
        g.add((n, RDF.type, CR.Partner))
        g.add((n, RDFS.label, Literal(p.name)))
        g.add((n, CR.role, Literal(p.role)))
    for i, r in enumerate(case.risks, 1):
        risk = concept_iri(r.concept)
        g.add((c, CR.materialised, risk))
        n = URIRef(f"{c}/risk/{i}")
        g.add((c, DCTERMS.hasPart, n))
        g.add((n, CR.riskConcept, risk))
        for lang, v in (r.note.items() if r.note else []):
            g.add((n, CR.riskNote, Literal(v, lang=lang)))
    for cause in case.causes:
        g.add((c, CR.hadCause, concept_iri(cause)))
    for kri in case.indicators:
        g.add((c, CR.observedIndicator, concept_iri(kri)))
    for i, s in enumerate(case.strategies, 1):
        n = URIRef(f"{c}/application/{i}")
        g.add((c, CR.applied, n))
        g.add((n, RDF.type, CR.StrategyApplication))
        g.add((n, CR.strategy, concept_iri(s.concept)))
        g.add((n, CR.outcome, outcome_iri(s.outcome)))
        for lang, v in (s.note.items() if s.note else []):
            g.add((n, RDFS.comment, Literal(v, lang=lang)))
    for lang in ("en", "zh"):
        for lesson in getattr(case.lessons, lang):
            g.add((c, CR.lesson, Literal(lesson, lang=lang)))
    for i, src in enumerate(case.sources, 1):
        n = URIRef(f"{c}/source/{i}")
        g.add((c, DCTERMS.source, n))
        g.add((n, SCHEMA.url, URIRef(src.url)))
        if src.title:
            g.add((n, DCTERMS.title, Literal(src.title)))
        if src.accessed:
            g.add((n, DCTERMS.date, _date_literal(src.accessed)))
    return g


def _text(g: Graph, node, prop) -> Text:
    out = {}
    for lit in g.objects(node, prop):
        lang = (getattr(lit, "language", None) or "en").split("-")[0].lower()
        if lang in ("en", "zh"):
            out.setdefault(lang, str(lit))
    return Text(**out)


def _parts(g: Graph, node, prop) -> list[URIRef]:
    def index(n):
        tail = str(n).rsplit("/", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    return sorted(g.objects(node, prop), key=index)


def _date_of(lit) -> Optional[str]:
    if lit is None:
        return None
    m = re.match(r"^\d{4}(-\d{2}(-\d{2})?)?", str(lit))
    return m.group(0) if m else None


def case_from_graph(g: Graph, iri: URIRef) -> Case:
    """Read one case back from a graph holding its triples."""
    if (iri, RDF.type, CR.Case) not in g:
        raise NotFoundError(f"no case '{case_id_of(iri)}' in the case base; list them with GET /api/v1/cases.")
    syn = g.value(iri, CR.synthetic)
    phase = g.value(iri, CR.inPhase)
    partners = [Partner(name=str(g.value(n, RDFS.label) or ""), role=str(g.value(n, CR.role) or "partner"))
                for n in _parts(g, iri, CR.partner)]
    risks = []
    for n in _parts(g, iri, DCTERMS.hasPart):
        concept = g.value(n, CR.riskConcept)
        if concept is None:
            continue
        note = _text(g, n, CR.riskNote)
        risks.append(RiskItem(concept=short_id(concept), note=note if (note.en or note.zh) else None))
    listed = {concept_iri(r.concept) for r in risks}
    for r in sorted(set(g.objects(iri, CR.materialised)) - listed, key=str):
        risks.append(RiskItem(concept=short_id(r)))
    strategies = []
    for n in _parts(g, iri, CR.applied):
        note = _text(g, n, RDFS.comment)
        strategies.append(StrategyItem(concept=short_id(g.value(n, CR.strategy)),
                                       outcome=short_id(g.value(n, CR.outcome)).replace("outcome-", ""),
                                       note=note if (note.en or note.zh) else None))
    lessons = {"en": [], "zh": []}
    for lit in g.objects(iri, CR.lesson):
        lang = (getattr(lit, "language", None) or "en").split("-")[0].lower()
        if lang in lessons:
            lessons[lang].append(str(lit))
    sources = []
    for n in _parts(g, iri, DCTERMS.source):
        url = g.value(n, SCHEMA.url)
        if url is None:
            url = n  # a plain dcterms:source <url>, as other tools write it
        title = g.value(n, DCTERMS.title)
        sources.append(Source(url=str(url), title=str(title) if title is not None else None,
                              accessed=_date_of(g.value(n, DCTERMS.date))))
    data = dict(
        id=case_id_of(iri),
        synthetic=str(syn).lower() in ("true", "1") if syn is not None else False,
        title=_text(g, iri, DCTERMS.title), summary=_text(g, iri, CR.summary),
        service_type=str(g.value(iri, CR.serviceType) or "other"),
        partners=partners, region=str(g.value(iri, CR.region) or ""),
        phase=short_id(phase).replace("phase-", "") if phase is not None else None,
        start_date=_date_of(g.value(iri, CR.startDate)), end_date=_date_of(g.value(iri, CR.endDate)),
        risks=risks,
        causes=sorted(short_id(x) for x in g.objects(iri, CR.hadCause)),
        indicators=sorted(short_id(x) for x in g.objects(iri, CR.observedIndicator)),
        strategies=strategies, lessons={k: sorted(v) for k, v in lessons.items()}, sources=sources,
    )
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(f"case '{data['id']}' in the store does not fit the case layout: {_first_error(exc)}") from None


def cases_from_graph(g: Graph) -> list[Case]:
    """Every case in a graph, by id."""
    return [case_from_graph(g, iri) for iri in sorted(set(g.subjects(RDF.type, CR.Case)), key=str)]


# ------------------------------------------------------------------------------------------ YAML files
def _first_error(exc: ValidationError) -> str:
    e = exc.errors()[0]
    where = ".".join(str(p) for p in e.get("loc", ())) or "case"
    return f"{where}: {e.get('msg', 'invalid')}"


def parse_case(data: dict, where: str = "the case") -> Case:
    """A case from a dict (YAML document, JSON payload); a layout error becomes one CaseError sentence."""
    if not isinstance(data, dict):
        raise CaseError(f"{where}: a case is a mapping of fields (id, title, summary, risks …).")
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(f"{where}: {_first_error(exc)}.") from None


def read_case_file(path: Path) -> Case:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path}: cannot read the file ({exc}).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise CaseError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc}).") from None
    case = parse_case(data, str(path))
    if case.id != path.stem:
        raise CaseError(f"{path}: the id '{case.id}' differs from the file name; they must be equal.")
    return case


def case_files(cases_dir: Path) -> list[Path]:
    """The case YAML files under corpus/cases (real/ and synthetic/)."""
    cases_dir = Path(cases_dir)
    return sorted(p for sub in ("real", "synthetic") for p in (cases_dir / sub).glob("*.yaml"))


def case_to_yaml(case: Case) -> str:
    data = case.model_dump(exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# ------------------------------------------------------------------------------------------ store access
_CASE_ROWS = """
PREFIX cr: <https://w3id.org/corisk/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?case ?title ?phase ?synthetic ?source ?risk ?start WHERE {
  ?case a cr:Case .
  OPTIONAL { ?case dcterms:title ?title }
  OPTIONAL { ?case cr:inPhase ?phase }
  OPTIONAL { ?case cr:synthetic ?synthetic }
  OPTIONAL { ?case dcterms:source ?source }
  OPTIONAL { ?case cr:materialised ?risk }
  OPTIONAL { ?case cr:startDate ?start }
}"""

# Risk first: Oxigraph joins in the written order, and a category has few risks but a phase many cases.
_CASE_FILTER = """
PREFIX cr: <https://w3id.org/corisk/ontology#>
SELECT DISTINCT ?case WHERE {
  ?risk cr:category ?category .
  ?case cr:materialised ?risk .
  ?case cr:inPhase ?phase .
}"""

_CASE_FILTER_ANY_PHASE = """
PREFIX cr: <https://w3id.org/corisk/ontology#>
SELECT DISTINCT ?case WHERE {
  ?risk cr:category ?category .
  ?case cr:materialised ?risk .
}"""

_CATEGORY_COUNTS = """
PREFIX cr: <https://w3id.org/corisk/ontology#>
SELECT ?category (COUNT(DISTINCT ?case) AS ?n) WHERE {
  ?risk cr:category ?category .
  ?case cr:materialised ?risk .
} GROUP BY ?category"""


_INDEX_FILTER = "SELECT ?ids WHERE {{ VALUES ?key {{ {keys} }} ?key <" + str(INDEX_IDS) + "> ?ids }}"
_INDEX_COUNTS = ("SELECT ?key ?n WHERE { VALUES ?key { " + " ".join(sparql_term(index_key(c)) for c in CATEGORIES)
                 + f" }} ?key <{INDEX_TOTAL}> ?n }}")


def index_filter_query(category: str, phase: str | None = None) -> str:
    """The query reading the members of a category (and phase) from the case index: 16 literals."""
    return _INDEX_FILTER.format(keys=" ".join(sparql_term(k) for k in index_keys(category, phase)))


class CaseBase:
    """The cases in a store: list, filter, read, create, replace, delete (each write atomic and validated).

    Filters by category (and phase) and the counts per category read the case index the store
    keeps up to date with every write (graph.store.case_index_ops); a store without one (made
    before it existed, or bulk-loaded) gets it built on first use, a read-only one is queried
    the slow way.
    """

    def __init__(self, store: KnowledgeStore):
        self.store = store

    def indexed(self) -> bool:
        """Whether the case index can answer (building it when it is missing and the store is writable)."""
        def check():
            if self.store.has_case_index():
                return True
            if self.store.read_only:
                return False
            self.store.rebuild_case_index()
            return True

        return self.store.memo("case_index", check, graphs=(ONTOLOGY_GRAPH, CASES_GRAPH, INDEX_GRAPH))

    def summaries(self) -> list[dict]:
        """Every case as a short summary: id, titles, phase, synthetic, real, risks, start date."""
        by: dict[str, dict] = {}
        for row in self.store.select(_CASE_ROWS, graphs=[CASES_GRAPH]):
            cid = case_id_of(row["case"])
            item = by.setdefault(cid, {"id": cid, "iri": str(row["case"]), "title": {}, "phase": None,
                                       "synthetic": False, "real": False, "risks": set(), "start_date": None})
            t = row.get("title")
            if t is not None:
                item["title"].setdefault((t.language or "en").split("-")[0].lower(), str(t))
            if row.get("phase") is not None:
                item["phase"] = short_id(row["phase"]).replace("phase-", "")
            if row.get("synthetic") is not None:
                item["synthetic"] = str(row["synthetic"]).lower() in ("true", "1")
            if row.get("source") is not None:
                item["real"] = True
            if row.get("risk") is not None:
                item["risks"].add(short_id(row["risk"]))
            if row.get("start") is not None:
                item["start_date"] = _date_of(row["start"])
        out = []
        for item in sorted(by.values(), key=lambda i: i["id"]):
            item["real"] = item["real"] and not item["synthetic"]
            item["risks"] = sorted(item["risks"])
            out.append(item)
        return out

    def filter_ids(self, category: str | None = None, phase: str | None = None, *,
                   limit: int | None = None) -> list[str]:
        """Ids of the cases where a risk of `category` materialised in `phase` (each optional).

        With `limit`, the first `limit` matches (in the store's order, not sorted): a page of a
        large case base costs milliseconds, the whole list grows with it.
        """
        from ontology.namespace import category_iri

        if category and self.indexed():
            ids = [case_id_of(i) if ":" in i else i
                   for v in self.store.select_values(index_filter_query(category, phase), "ids", graphs=[INDEX_GRAPH])
                   for i in v.split()]
            return ids[:limit] if limit is not None else sorted(ids)
        bindings = {"category": category_iri(category) if category else None,
                    "phase": phase_iri(phase) if phase else None}
        query = _CASE_FILTER if phase else _CASE_FILTER_ANY_PHASE
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        ids = [case_id_of(v) for v in self.store.select_values(query, "case", bindings)]
        return ids if limit is not None else sorted(ids)

    def list(self, category: str | None = None, phase: str | None = None, real: bool | None = None) -> list[dict]:
        """Case summaries, filtered by risk category, phase and real/synthetic."""
        items = self.summaries()
        if category:
            keep = set(self.filter_ids(category=category, phase=phase))
            items = [i for i in items if i["id"] in keep]
        elif phase:
            items = [i for i in items if i["phase"] == phase]
        if real is not None:
            items = [i for i in items if i["real"] == real]
        return items

    def category_counts(self) -> dict[str, int]:
        """Cases per risk category (a case counts once in each category of its risks)."""
        if self.indexed():
            out = {c: 0 for c in CATEGORIES}
            for key, n in self.store.select_lexical(_INDEX_COUNTS, ("key", "n"), graphs=[INDEX_GRAPH]):
                out[key[len(INDEX_BASE + "key/"):].split("/")[0]] += int(n)
            return out

        def compute():
            out = {c: 0 for c in CATEGORIES}
            for row in self.store.select(_CATEGORY_COUNTS):
                out[short_id(row["category"]).replace("category-", "")] = int(row["n"])
            return out

        # a full aggregate over the case base (~0.1 s at 1 M triples): kept until the cases change
        return dict(self.store.memo("category_counts", compute))

    def counts(self) -> tuple[int, int]:
        """(cases, real cases): real = with a source and not synthetic."""
        items = self.summaries()
        return len(items), sum(1 for i in items if i["real"])

    def exists(self, case_id: str) -> bool:
        return self.store.ask("PREFIX cr: <https://w3id.org/corisk/ontology#> ASK { ?case a cr:Case }",
                              {"case": case_iri(case_id)}, graphs=[CASES_GRAPH])

    def get(self, case_id: str) -> Case:
        iri = case_iri(case_id)
        g = self.store.construct(
            "CONSTRUCT { ?s ?p ?o } WHERE { { ?case ?p ?o BIND(?case AS ?s) } UNION "
            "{ ?case ?link ?s . ?s ?p ?o . FILTER(isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?case), \"/\"))) } }",
            {"case": iri}, graphs=[CASES_GRAPH])
        return case_from_graph(g, iri)

    def all(self) -> list[Case]:
        """Every case, read in one pass over the cases graph."""
        return cases_from_graph(self.store.graph_copy(CASES_GRAPH))

    def put(self, case: Case, *, create: bool | None = None) -> Case:
        """Write one case (replacing its old version) in one validated transaction.

        `create=True` refuses an existing id, `create=False` refuses a missing one.
        """
        exists = self.exists(case.id)
        if create is True and exists:
            raise CaseExistsError(f"a case '{case.id}' exists already; edit it with PUT /api/v1/cases/{case.id}.")
        if create is False and not exists:
            raise NotFoundError(f"no case '{case.id}' in the case base; create it with POST /api/v1/cases.")
        self.store.write(case_batch([case], replace=exists, what=f"case '{case.id}'"))
        return case

    def delete(self, case_id: str) -> None:
        if not self.exists(case_id):
            raise NotFoundError(f"no case '{case_id}' in the case base.")
        self.store.write(Batch(deletes=[(CASES_GRAPH, case_iri(case_id))], keys={f"case:{case_id}"},
                               validate=False, what=f"deleting case '{case_id}'"))

    def put_many(self, cases: Iterable[Case], *, replace_all: bool = False, what: str = "the import") -> int:
        """Write many cases as one batch: existing ones are replaced; `replace_all` drops the others."""
        cases = list(cases)
        check_unique_ids(cases)
        batch = case_batch(cases, replace=not replace_all, what=what)
        if replace_all:
            batch.replace_graphs.add(CASES_GRAPH)
            batch.keys = None
        self.store.write(batch)
        return len(cases)


def check_unique_ids(cases: list[Case]) -> None:
    """Refuse a batch in which two cases share an id."""
    seen = set()
    for c in cases:
        if c.id in seen:
            raise CaseError(f"the case id '{c.id}' appears twice; each case needs its own id.")
        seen.add(c.id)


def case_batch(cases: Iterable[Case], *, replace: bool = True, what: str = "the batch") -> Batch:
    """A batch writing the cases into the cases graph, each replacing its old version when `replace`."""
    batch = Batch(what=what)
    g = batch.graph(CASES_GRAPH)
    for case in cases:
        if replace:
            batch.delete_resource(CASES_GRAPH, case.iri)
        g += case_to_graph(case)
        batch.keys.add(f"case:{case.id}")
    return batch
