"""corisk service: settings, the FastAPI app (JSON API + web UI) and the `corisk` CLI."""
