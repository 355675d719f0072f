"""The FastAPI application: JSON API under /api/v1 and server-rendered pages, one router per resource."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from ontology.errors import CoriskError

from . import routes
from .settings import Settings, get_settings
from .state import AppState

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def render(request: Request, template: str, doc: dict, status_code: int = 200) -> HTMLResponse:
    """Render a page from the same document its JSON twin returns."""
    return templates.TemplateResponse(request, template, {"doc": doc}, status_code=status_code)


def create_app(settings: Settings | None = None, state: AppState | None = None) -> FastAPI:
    state = state or AppState(settings or get_settings())
    app = FastAPI(title="corisk", version=_version(), docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.corisk = state

    @app.exception_handler(CoriskError)
    async def corisk_error(request: Request, exc: CoriskError):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=exc.http_status)
        return render(request, "error.html", {"error": str(exc)}, status_code=exc.http_status)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for mod in sorted(m.name for m in pkgutil.iter_modules(routes.__path__)):
        app.include_router(importlib.import_module(f"{routes.__name__}.{mod}").router)
    for hook in startup_hooks:
        hook(state)
    return app


# Callables run with the AppState when an app is created (e.g. load the case base on first start).
startup_hooks: list = []


def load_knowledge_base_on_first_start(state: AppState) -> None:
    """Load the shipped ontology and case base into an empty store, and say so."""
    from graph.io import ensure_loaded
    from graph.store import StoreError

    from .output import err

    try:
        store = state.store()
        if store.read_only:
            err.print(f"store {store.location} is in use by another corisk process: serving a read-only snapshot")
            return
        report = ensure_loaded(store, state.settings.cases_dir)
    except StoreError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        return
    if report is not None:
        err.print(f"first start: loaded the ontology ({report.ontology_triples} triples) and {report.cases} cases "
                  f"({report.cases_real} real) into {store.location}", highlight=False)
        skipped = sorted(report.skipped.items())
        for cid, why in skipped[:5]:
            err.print(f"  skipped case {cid}: {why}", highlight=False, soft_wrap=True)
        if len(skipped) > 5:
            err.print(f"  … and {len(skipped) - 5} more; `corisk kb validate` lists them all", highlight=False)


startup_hooks.append(load_knowledge_base_on_first_start)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("corisk")
    except PackageNotFoundError:
        return "0.0.0"


def get_state(request: Request) -> AppState:
    """FastAPI dependency: the process's AppState."""
    return request.app.state.corisk
