"""Read the ontology's Turtle files into one rdflib graph, with a clear error for a broken file."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from .errors import OntologyError

ONTOLOGY_DIR = Path(__file__).resolve().parent


def ontology_files(root: Path = ONTOLOGY_DIR) -> list[Path]:
    """The files that make up the ontology: core model, concept schemes, alignments."""
    files = [root / "core.ttl"]
    for sub in ("schemes", "alignment"):
        files += sorted((root / sub).glob("*.ttl"))
    return [f for f in files if f.exists()]


def shape_files(root: Path = ONTOLOGY_DIR) -> list[Path]:
    return sorted((root / "shapes").glob("*.ttl"))


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file; a syntax error becomes an OntologyError naming file and line."""
    graph = into if into is not None else Graph()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OntologyError(f"{path}: cannot read the file ({exc}).") from None
    try:
        graph.parse(data=text, format="turtle", publicID=Path(path).resolve().as_uri())
    except Exception as exc:  # rdflib raises BadSyntax and a few others
        line = getattr(exc, "lines", None)
        why = getattr(exc, "_why", None) or str(exc).splitlines()[0]
        where = f"{path}:{line + 1}" if isinstance(line, int) else f"{path}"
        raise OntologyError(f"{where}: Turtle syntax error: {why}. Fix the file and run again.") from None
    return graph


@dataclass
class LoadedOntology:
    graph: Graph
    files: list[Path]
    origin: dict[Node, Path] = field(default_factory=dict)

    def file_of(self, node: Node) -> Path | None:
        return self.origin.get(node)


def load(files: list[Path] | None = None) -> LoadedOntology:
    """Load the ontology files (default: the shipped ones) and remember which file said what."""
    files = ontology_files() if files is None else list(files)
    if not files:
        raise OntologyError("no ontology files found; is the ontology/ folder complete?")
    graph = Graph()
    bind_prefixes(graph)
    origin: dict[Node, Path] = {}
    for f in files:
        part = parse_turtle(f)
        for s in part.subjects(unique=True):
            origin.setdefault(s, f)
        graph += part
    return LoadedOntology(graph=graph, files=files, origin=origin)


def load_shapes(files: list[Path] | None = None) -> Graph:
    graph = Graph()
    for f in shape_files() if files is None else files:
        parse_turtle(f, graph)
    return graph


def bind_prefixes(graph: Graph) -> None:
    from .namespace import CR_IRI, CRK_IRI

    graph.bind("cr", CR_IRI)
    graph.bind("crk", CRK_IRI)
    graph.bind("skos", "http://www.w3.org/2004/02/skos/core#")
    graph.bind("prov", "http://www.w3.org/ns/prov#")
    graph.bind("dcterms", "http://purl.org/dc/terms/")
