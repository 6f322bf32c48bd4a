"""Where a site's sources are, where it is built, and where the packaged defaults live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    """Where a site's sources are and where it is built."""

    root: Path
    output: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def snapshots(self) -> Path:
        return self.content / "snapshots"

    @property
    def pages(self) -> Path:
        return self.content / "pages"

    @property
    def templates(self) -> Path:
        own = self.root / "templates"
        return own if own.is_dir() else PACKAGE_ROOT / "templates"

    @classmethod
    def at(cls, root: Path, output: Path | None = None) -> Project:
        root = root.resolve()
        return cls(root=root, output=(output or root / "site").absolute())
