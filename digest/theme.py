"""The theme a site is built with: its own `templates/` over the packaged default, file by file.

A curator who wants a different footer copies `base.html` into the site's
`templates/` and edits it; every other template and static file still comes
from the default theme that ships with paper-digest (as MkDocs' `custom_dir`
works). Jinja looks names up in `layers` order, and static files are layered
the same way (`static_files`).

The default theme is the repository's `templates/` folder. The wheel carries
it inside the package as `digest/default_theme/` (pyproject.toml maps one to
the other); a checkout or an editable install uses `templates/` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from digest.inputs.sources import is_source_name

CHECKOUT_ROOT = Path(__file__).resolve().parent.parent  # the repository, when running from a checkout
STATIC = "static"


def packaged_path(inside: str, checkout: str) -> Path:
    """A file or folder the wheel carries at `digest/<inside>`, else (a checkout) the repository's `<checkout>`."""
    candidate = resources.files("digest").joinpath(inside)
    if candidate.is_dir() or candidate.is_file():
        return Path(str(candidate))
    return CHECKOUT_ROOT / checkout


def default_theme_dir() -> Path:
    return packaged_path("default_theme", "templates")


@dataclass(frozen=True)
class Theme:
    own: Path  # the site's templates/ folder; it need not exist
    default: Path  # the packaged default theme

    @property
    def layers(self) -> tuple[Path, ...]:
        """The folders a name is looked up in, first match wins: the site's own, then the default."""
        if self.own.is_dir() and self.own.resolve() != self.default.resolve():
            return (self.own, self.default)
        return (self.default,)

    def files(self) -> dict[str, Path]:
        """Every theme file by its name ('base.html', 'static/style.css') and the layer file that provides it."""
        found: dict[str, Path] = {}
        for layer in reversed(self.layers):  # later layers first, so the site's own files win
            for path in sorted(layer.rglob("*")):
                name = path.relative_to(layer)
                if path.is_file() and all(is_source_name(part) for part in name.parts):
                    found[name.as_posix()] = path
        return dict(sorted(found.items()))

    def overridden(self) -> tuple[str, ...]:
        """The names the site's own templates/ provides (each replaces the default theme's file, or adds one)."""
        if len(self.layers) == 1:
            return ()
        return tuple(name for name, path in self.files().items() if self.own in path.parents)

    def template_names(self) -> tuple[str, ...]:
        """The Jinja templates: every theme file outside static/."""
        return tuple(name for name in self.files() if not name.startswith(f"{STATIC}/"))

    def static_files(self) -> dict[str, Path]:
        """The static assets by their name under static/ ('style.css'), layered like the templates."""
        prefix = f"{STATIC}/"
        return {name.removeprefix(prefix): path for name, path in self.files().items() if name.startswith(prefix)}

    def describe_overrides(self) -> str | None:
        """One line naming the templates that came from the site, or None when it uses the default theme alone."""
        names = self.overridden()
        if not names:
            return None
        return f"templates from {self.own}: {', '.join(names)}; the rest from the default theme"
