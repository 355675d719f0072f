"""Shared fixtures: a temp store, a small knowledge base, and real SPARQL servers on loopback.

Servers: Oxigraph's own (`oxigraph serve`, from the `oxigraph` PyPI package) and Virtuoso
(Debian's `virtuoso-opensource`). A test that needs one is skipped when its binary is missing,
except in CI (env CI set), where a missing server is a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# The few risks, causes, KRIs and strategies the test cases name, with their real vocabulary ids:
# added to the shipped ontology only where a scheme does not define them (yet).
MINI_SCHEMES = """
@prefix cr:   <https://w3id.org/corisk/ontology#> .
@prefix crk:  <https://w3id.org/corisk/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

crk:risk-service-outage a skos:Concept , cr:Risk ; skos:inScheme crk:scheme-risks ;
    skos:prefLabel "服务中断"@zh , "Service outage"@en ; skos:altLabel "宕机"@zh , "outage"@en ;
    skos:definition "云服务不可用。"@zh , "The cloud service is unavailable."@en ;
    cr:category crk:category-technical ; cr:hasCause crk:cause-single-region-deployment .
crk:risk-sla-breach a skos:Concept , cr:Risk ; skos:inScheme crk:scheme-risks ;
    skos:prefLabel "违反SLA"@zh , "SLA breach"@en ;
    skos:definition "未达到服务等级协议。"@zh , "The service level agreement is not met."@en ;
    cr:category crk:category-technical , crk:category-legal .
crk:risk-decision-deadlock a skos:Concept , cr:Risk ; skos:inScheme crk:scheme-risks ;
    skos:prefLabel "决策僵局"@zh , "Decision deadlock"@en ;
    skos:definition "合作方无法达成决定。"@zh , "The partners cannot reach a decision."@en ;
    cr:category crk:category-cooperation ; cr:hasCause crk:cause-unclear-decision-rights .
crk:risk-cost-overrun a skos:Concept , cr:Risk ; skos:inScheme crk:scheme-risks ;
    skos:prefLabel "成本超支"@zh , "Cost overrun"@en ;
    skos:definition "成本超出预算。"@zh , "Costs exceed the budget."@en ;
    cr:category crk:category-financial .

crk:cause-single-region-deployment a skos:Concept , cr:Cause ; skos:inScheme crk:scheme-causes ;
    skos:prefLabel "单区域部署"@zh , "Single-region deployment"@en ;
    skos:definition "全部负载部署在一个区域。"@zh , "All workloads run in one region."@en .
crk:cause-unclear-decision-rights a skos:Concept , cr:Cause ; skos:inScheme crk:scheme-causes ;
    skos:prefLabel "决策权不清"@zh , "Unclear decision rights"@en ;
    skos:definition "谁决定什么没有约定。"@zh , "Who decides what is not agreed."@en .

crk:kri-availability a skos:Concept , cr:Indicator ; skos:inScheme crk:scheme-indicators ;
    skos:prefLabel "可用性"@zh , "Availability"@en ;
    skos:definition "服务可用时间占比。"@zh , "Share of time the service is up."@en ;
    cr:metric "月可用性"@zh , "monthly availability"@en ; cr:unit "%" ; cr:direction "lower-is-worse" ;
    cr:warningThreshold 99.9 ; cr:alarmThreshold 99.5 ; cr:signals crk:risk-service-outage .

crk:strategy-multi-region-redundancy a skos:Concept , cr:Strategy ; skos:inScheme crk:scheme-strategies ;
    skos:prefLabel "多区域冗余"@zh , "Multi-region redundancy"@en ;
    skos:definition "在多个区域部署并可切换。"@zh , "Deploy in several regions with failover."@en ;
    cr:treatment crk:treatment-reduce ; cr:inPhase crk:phase-implementation , crk:phase-operation ;
    cr:mitigates crk:risk-service-outage ; cr:addresses crk:cause-single-region-deployment .
crk:strategy-sla-monitoring-credits a skos:Concept , cr:Strategy ; skos:inScheme crk:scheme-strategies ;
    skos:prefLabel "SLA监控与赔付"@zh , "SLA monitoring and credits"@en ;
    skos:definition "监控SLA并约定赔付。"@zh , "Monitor the SLA and agree service credits."@en ;
    cr:treatment crk:treatment-transfer ; cr:inPhase crk:phase-operation ; cr:mitigates crk:risk-sla-breach .
crk:strategy-escalation-decision-rules a skos:Concept , cr:Strategy ; skos:inScheme crk:scheme-strategies ;
    skos:prefLabel "升级决策规则"@zh , "Escalation and decision rules"@en ;
    skos:definition "约定决策权和升级路径。"@zh , "Agree decision rights and an escalation path."@en ;
    cr:treatment crk:treatment-reduce ; cr:inPhase crk:phase-preparation ;
    cr:mitigates crk:risk-decision-deadlock ; cr:addresses crk:cause-unclear-decision-rights .
crk:strategy-contingency-reserve a skos:Concept , cr:Strategy ; skos:inScheme crk:scheme-strategies ;
    skos:prefLabel "应急储备金"@zh , "Contingency reserve"@en ;
    skos:definition "预留应急资金。"@zh , "Set money aside for contingencies."@en ;
    cr:treatment crk:treatment-accept ; cr:inPhase crk:phase-implementation ; cr:mitigates crk:risk-cost-overrun .
"""


def case_doc(case_id: str = "hk-zone-outage", **overrides) -> dict:
    """A valid case as the API takes it (and as a YAML file holds it)."""
    doc = {
        "id": case_id,
        "synthetic": False,
        "title": {"en": "Cooling failure takes a zone offline", "zh": "制冷故障导致可用区下线"},
        "summary": {"en": "A chiller failed and tenants were offline for nine hours.",
                    "zh": "冷水机组故障，租户中断九小时。"},
        "service_type": "iaas",
        "partners": [{"name": "Zone operator", "role": "operator"}, {"name": "Cloud vendor", "role": "provider"}],
        "region": "HK",
        "phase": "operation",
        "start_date": "2022-08-14",
        "end_date": "2023-03",
        "risks": [{"concept": "risk-service-outage", "note": {"en": "nine hours down", "zh": "中断九小时"}},
                  {"concept": "risk-sla-breach"}],
        "causes": ["cause-single-region-deployment"],
        "indicators": ["kri-availability"],
        "strategies": [{"concept": "strategy-multi-region-redundancy", "outcome": "effective",
                        "note": {"en": "second zone", "zh": "第二可用区"}},
                       {"concept": "strategy-sla-monitoring-credits", "outcome": "partial"}],
        "lessons": {"en": ["A single zone is an availability decision."], "zh": ["单可用区也是可用性决策。"]},
        "sources": [{"url": "https://example.org/report", "title": "Incident report", "accessed": "2026-11-25"}],
    }
    doc.update(overrides)
    return doc


@pytest.fixture(scope="session")
def mini_ontology_files(tmp_path_factory) -> list[Path]:
    """The shipped ontology files, plus the few concepts the test cases name if a scheme lacks them."""
    from rdflib import Graph
    from rdflib.namespace import RDF

    from ontology import load
    from ontology.load import ontology_files

    shipped = ontology_files()
    present = set(load(shipped).graph.subjects(RDF.type, None))
    mini = Graph().parse(data=MINI_SCHEMES, format="turtle")
    fill = Graph()
    for prefix, ns in mini.namespaces():
        fill.bind(prefix, ns)
    for s, p, o in mini:
        if s not in present:
            fill.add((s, p, o))
    files = list(shipped)
    if len(fill):
        extra = tmp_path_factory.mktemp("ontology") / "test-fill-in.ttl"
        fill.serialize(extra, format="turtle")
        files.append(extra)
    return files


@pytest.fixture(scope="session")
def mini_cases_dir(tmp_path_factory) -> Path:
    """A case folder in the corpus layout with three cases (two real, one synthetic); read-only."""
    import yaml

    d = tmp_path_factory.mktemp("cases")
    (d / "real").mkdir(parents=True)
    (d / "synthetic").mkdir()
    docs = [
        case_doc("hk-zone-outage"),
        case_doc("jv-board-deadlock", title={"en": "Board deadlock", "zh": "董事会僵局"}, phase="preparation",
                 risks=[{"concept": "risk-decision-deadlock"}, {"concept": "risk-cost-overrun"}],
                 causes=["cause-unclear-decision-rights"], indicators=[],
                 strategies=[{"concept": "strategy-escalation-decision-rules", "outcome": "ineffective"}]),
        case_doc("syn-budget-overrun", synthetic=True, sources=[], phase="implementation",
                 risks=[{"concept": "risk-cost-overrun"}, {"concept": "risk-service-outage"}], causes=[],
                 indicators=[], strategies=[{"concept": "strategy-contingency-reserve", "outcome": "effective"}]),
    ]
    for doc in docs:
        sub = "synthetic" if doc["synthetic"] else "real"
        (d / sub / f"{doc['id']}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def kb_template(tmp_path_factory, mini_ontology_files, mini_cases_dir) -> Path:
    """An embedded store holding the small knowledge base, built once; tests get copies."""
    from graph.io import load_knowledge_base
    from graph.store import open_store

    d = tmp_path_factory.mktemp("kb-template") / "store"
    with open_store(d) as store:
        load_knowledge_base(store, mini_cases_dir, ontology_files=mini_ontology_files)
    return d


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def loaded_store_dir(store_dir, kb_template) -> Path:
    """A store directory of its own holding the small knowledge base (closed, ready for an app or the CLI)."""
    shutil.copytree(kb_template, store_dir)
    return store_dir


# ------------------------------------------------------------------------------------------ servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _need(binary: str | None, what: str) -> str:
    if binary and Path(binary).exists():
        return binary
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI but was not found")
    pytest.skip(f"{what} is not installed")


def _wait_http(url: str, proc: subprocess.Popen, timeout: float, log: Path | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {detail}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up in {timeout}s")


def _die_with_parent() -> None:
    """Servers stop when the test process dies, even by kill -9 (Linux: PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class Server:
    def __init__(self, url: str, proc: subprocess.Popen, workdir: Path):
        self.url, self.proc, self.workdir = url, proc, workdir

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_oxigraph_server(workdir: Path) -> Server:
    """`oxigraph serve` on a free loopback port, data in `workdir`; the store URL is its /query."""
    binary = _need(shutil.which("oxigraph", path=str(VENV_BIN)) or shutil.which("oxigraph"), "the oxigraph server")
    port = free_port()
    log = workdir / "oxigraph.log"
    proc = subprocess.Popen([binary, "serve", "--location", str(workdir / "data"), "--bind", f"127.0.0.1:{port}"],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    _wait_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc, 30, log)
    return Server(f"http://127.0.0.1:{port}/query", proc, workdir)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 34000
MaxDirtyBuffers = 25000
DirsAllowed = ., {d}
CaseMode = 2

[HTTPServer]
ServerPort = {http_port}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
; the default (10000) silently truncates results
ResultSetMaxRows = 2000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 400
"""


def start_virtuoso(workdir: Path) -> Server:
    """Debian's virtuoso-t in the foreground from `workdir`, with SPARQL update granted; URL is its /sparql."""
    binary = _need(shutil.which("virtuoso-t"), "Virtuoso (virtuoso-opensource)")
    isql = _need(shutil.which("isql-vt"), "Virtuoso's isql-vt")
    sql_port, http_port = free_port(), free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=workdir, sql_port=sql_port, http_port=http_port))
    log = workdir / "virtuoso.out"
    proc = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=workdir,
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    _wait_http(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", proc, 120, log)
    grant = ('GRANT SPARQL_UPDATE TO "SPARQL"; '
             "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
    subprocess.run([isql, str(sql_port), "dba", "dba", f"exec={grant}"], check=True, capture_output=True, timeout=60)
    return Server(f"http://127.0.0.1:{http_port}/sparql", proc, workdir)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    server = start_oxigraph_server(tmp_path_factory.mktemp("oxigraph-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


def _wipe(store) -> None:
    """Drop corisk's graphs on a shared server so each test starts empty."""
    from graph.store import INDEX_GRAPH, Batch

    graphs = set(store.named_graphs())
    if graphs:
        store.write(Batch(replace_graphs=graphs, keys=None, validate=False))
    store._update(f"DROP SILENT GRAPH <{INDEX_GRAPH}>")   # the derived case index, outside corisk's graphs


@pytest.fixture(params=["embedded", "oxigraph-server", "virtuoso"])
def any_store(request, tmp_path):
    """The same test on every backend: embedded Oxigraph, Oxigraph's server, Virtuoso (empty)."""
    yield from _backend(request, tmp_path, loaded=False)


@pytest.fixture(params=["embedded", "oxigraph-server", "virtuoso"])
def kb_store(request, tmp_path):
    """Every backend, holding the small knowledge base."""
    yield from _backend(request, tmp_path, loaded=True)


_TEMPLATES: set[str] = set()
TEMPLATE_BASE = "https://w3id.org/corisk/test-template/"


def _backend(request, tmp_path, *, loaded: bool):
    from graph.io import load_knowledge_base
    from graph.store import CASES_GRAPH, INDEX_GRAPH, ONTOLOGY_GRAPH, open_store

    if request.param == "embedded":
        if loaded:
            shutil.copytree(request.getfixturevalue("kb_template"), tmp_path / "store")
        store = open_store(tmp_path / "store")
    else:
        server = request.getfixturevalue("oxigraph_server" if request.param == "oxigraph-server" else "virtuoso_server")
        store = open_store(server.url)
        _wipe(store)
        if loaded and server.url not in _TEMPLATES:
            # load once per server through the real path, keep a server-side copy outside corisk's graphs
            load_knowledge_base(store, request.getfixturevalue("mini_cases_dir"),
                                ontology_files=request.getfixturevalue("mini_ontology_files"))
            store._update(" ;\n".join(f"COPY <{g}> TO <{TEMPLATE_BASE}{i}>"
                                      for i, g in enumerate((ONTOLOGY_GRAPH, CASES_GRAPH, INDEX_GRAPH))))
            _TEMPLATES.add(server.url)
        elif loaded:
            store._update(" ;\n".join(f"ADD <{TEMPLATE_BASE}{i}> TO <{g}>"
                                      for i, g in enumerate((ONTOLOGY_GRAPH, CASES_GRAPH, INDEX_GRAPH))))
            store.refresh()
    yield store
    store.close()
