"""The corisk vocabulary as rdflib namespaces: a typo in a `CR` term is an AttributeError."""
from rdflib import Namespace
from rdflib.namespace import DefinedNamespace

CR_IRI = "https://w3id.org/corisk/ontology#"
CRK_IRI = "https://w3id.org/corisk/id/"
ONTOLOGY_IRI = "https://w3id.org/corisk/ontology"


class CR(DefinedNamespace):
    """Classes and properties of ontology/core.ttl."""

    _NS = Namespace(CR_IRI)
    _fail = True

    # classes
    RiskCategory: object
    Risk: object
    Cause: object
    Indicator: object
    Strategy: object
    Phase: object
    TreatmentType: object
    ClauseType: object
    Outcome: object
    Case: object
    Partner: object
    StrategyApplication: object
    Project: object
    RegisterEntry: object
    KRIReading: object
    Alert: object
    Proposal: object
    # properties between concepts
    category: object
    hasCause: object
    signals: object
    mitigates: object
    addresses: object
    inPhase: object
    treatment: object
    ownerRole: object
    action: object
    activity: object
    metric: object
    unit: object
    direction: object
    warningThreshold: object
    alarmThreshold: object
    # cases
    synthetic: object
    summary: object
    serviceType: object
    region: object
    partner: object
    role: object
    startDate: object
    endDate: object
    materialised: object
    riskNote: object
    hadCause: object
    observedIndicator: object
    applied: object
    strategy: object
    outcome: object
    lesson: object
    # projects and provenance
    riskConcept: object
    entry: object
    owner: object
    likelihood: object
    impact: object
    status: object
    residualRating: object
    indicator: object
    value: object
    level: object
    sourceDocument: object
    start: object
    end: object
    evidence: object
    extractorVersion: object
    confidence: object


CRK = Namespace(CRK_IRI)

# The fixed identifiers of DESIGN.md, in their canonical order.
CATEGORIES = ("technical", "cooperation", "legal", "market", "financial")
PHASES = ("preparation", "implementation", "operation")
TREATMENTS = ("avoid", "reduce", "transfer", "accept")
OUTCOMES = ("effective", "partial", "ineffective")
CLAUSE_TYPES = (
    "governing_law", "dispute_resolution", "liability", "termination", "data_protection",
    "confidentiality", "intellectual_property", "service_level", "payment", "force_majeure",
    "change_control", "revenue_sharing",
)


def category_iri(notation: str):
    return CRK[f"category-{notation}"]


def phase_iri(notation: str):
    return CRK[f"phase-{notation}"]


def treatment_iri(notation: str):
    return CRK[f"treatment-{notation}"]


def outcome_iri(notation: str):
    return CRK[f"outcome-{notation}"]


def clause_iri(notation: str):
    return CRK[f"clause-{notation}"]


def concept_iri(ref: str):
    """`risk-data-breach`, `crk:risk-data-breach` or a full IRI → the concept's IRI."""
    from rdflib import URIRef

    if ref.startswith("http://") or ref.startswith("https://"):
        return URIRef(ref)
    if ref.startswith("crk:"):
        ref = ref[4:]
    return CRK[ref]


def short_id(iri) -> str:
    """The local id of a crk: IRI (`risk-data-breach`); other IRIs are returned whole."""
    s = str(iri)
    return s[len(CRK_IRI):] if s.startswith(CRK_IRI) else s
