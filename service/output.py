"""Printing helpers shared by CLI commands: JSON documents to stdout, messages to stderr."""
from __future__ import annotations

import json
import sys
from enum import Enum

from rich.console import Console

out = Console()
err = Console(stderr=True)


class Format(str, Enum):
    table = "table"
    json = "json"


def print_json(doc) -> None:
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
