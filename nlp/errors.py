"""Errors the extractor shows to a user: one sentence, what to do."""
from ontology.errors import CoriskError


class ExtractError(CoriskError):
    """Base of extraction errors."""


class UnsupportedFileError(ExtractError):
    """A file type the readers do not handle."""

    http_status = 415


class UnreadableFileError(ExtractError):
    """A file that exists but cannot be read as text (binary, corrupt, encrypted, no text layer)."""

    http_status = 422


class ModelError(ExtractError):
    """The trained pipeline is missing or cannot be built."""

    http_status = 500
