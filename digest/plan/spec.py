"""What planning hands rendering: one `PageSpec` per output file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PageSpec:
    """One output file: its path in the site, the template that renders it, and the data it shows."""

    path: str
    template: str
    context: Mapping[str, Any]
