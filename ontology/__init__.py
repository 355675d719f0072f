"""The corisk ontology: Turtle files as the single source of truth, and their Python face."""
from .errors import CoriskError, NotFoundError, OntologyError
from .lexicon import LexEntry, build_lexicon
from .load import LoadedOntology, load, load_shapes, ontology_files, parse_turtle
from .namespace import CR, CRK
from .stats import ontology_stats
from .validate import Violation, check, validate_ontology

__all__ = [
    "CR", "CRK", "CoriskError", "LexEntry", "LoadedOntology", "NotFoundError", "OntologyError",
    "Violation", "build_lexicon", "check", "load", "load_shapes", "ontology_files", "ontology_stats",
    "parse_turtle", "validate_ontology",
]
