"""`corisk serve`."""
from __future__ import annotations

from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
        port: int = typer.Option(None, "--port", help="Port (default 8000)."),
        store: Optional[str] = typer.Option(None, "--store", help="Store directory or SPARQL endpoint URL."),
    ) -> None:
        """Serve the web UI and the JSON API."""
        import uvicorn

        from ..app import create_app
        from ..output import err
        from ..settings import get_settings

        settings = get_settings().with_store(store)
        application = create_app(settings)
        host = host or settings.host
        port = port or settings.port
        err.print(f"corisk serving on http://{host}:{port}/  (store: {settings.store_location})")
        uvicorn.run(application, host=host, port=port, log_level="warning")
