"""The `corisk` command line. Command groups live in service/commands/, one module each."""
from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from rich.console import Console

from ontology.errors import CoriskError

from . import commands

app = typer.Typer(
    name="corisk",
    help="Bilingual knowledge-graph risk advisor for cloud-business joint-operation projects.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

for _mod in sorted(m.name for m in pkgutil.iter_modules(commands.__path__)):
    importlib.import_module(f"{commands.__name__}.{_mod}").register(app)


def main() -> None:
    """Console-script entry point: user errors become one clear line and a non-zero exit."""
    try:
        app()
    except CoriskError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
