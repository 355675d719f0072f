"""Errors a user can meet: one clear sentence with what to do. Caught at the edges (CLI, HTTP)."""


class CoriskError(Exception):
    """Base of every error corisk shows to a user instead of a stack trace."""

    exit_code = 1
    http_status = 400


class OntologyError(CoriskError):
    """The ontology's Turtle files cannot be read."""


class NotFoundError(CoriskError):
    """A concept, case or other resource that the user named does not exist."""

    http_status = 404
