"""Where a site's sources are, where it is built, and where the packaged defaults live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digest.theme import CHECKOUT_ROOT, Theme, default_theme_dir

PACKAGE_ROOT = CHECKOUT_ROOT  # the repository when running from a checkout (its templates/ is the default theme)


@dataclass(frozen=True)
class Project:
    """Where a site's sources are and where it is built."""

    root: Path
    output: Path
    base_url: str | None = None  # overrides site.yaml's base_url for one build (--base-url, DIGEST_BASE_URL)

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
        """The site's own templates/ folder (it need not exist): its files override the default theme's."""
        return self.root / "templates"

    @property
    def theme(self) -> Theme:
        """The site's own templates over the packaged default theme."""
        return Theme(own=self.templates, default=default_theme_dir())

    @classmethod
    def at(cls, root: Path, output: Path | None = None, base_url: str | None = None) -> Project:
        root = root.resolve()
        return cls(root=root, output=(output or root / "site").absolute(), base_url=base_url or None)
