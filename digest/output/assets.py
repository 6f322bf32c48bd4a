"""Static assets: the theme's `static/` files (the site's own over the default's) under content-hashed names.

A hashed name changes whenever the bytes do, so hosts can cache assets for a
year. lunr.js is the copy of lunr 2.3.9's lunr.min.js that ships inside the
package (digest/vendor/, with its licence), so building needs no Node.js; a test
keeps it byte-identical to the npm package that package-lock.json pins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from digest import urls
from digest.errors import BuildError


@dataclass(frozen=True)
class Assets:
    paths: dict[str, str]  # logical name ('style.css') → site path ('assets/style.1a2b3c4d5e.css')
    files: dict[str, bytes]  # site path → bytes


def hashed_name(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def find_lunr() -> Path:
    """The lunr.min.js the package ships."""
    path = Path(str(resources.files("digest").joinpath("vendor", "lunr.min.js")))
    if not path.is_file():
        raise BuildError(f"lunr.js is missing from the installed package (looked for {path}); "
                         "reinstall paper-digest")
    return path


def collect_assets(static_files: Mapping[str, Path], lunr_path: Path) -> Assets:
    """`static_files`: name ('style.css') → file, as Theme.static_files gives them."""
    sources = {**static_files, "lunr.js": lunr_path}
    paths: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for name, source in sorted(sources.items()):
        data = source.read_bytes()
        site_path = urls.asset(hashed_name(name, data))
        paths[name] = site_path
        files[site_path] = data
    return Assets(paths=paths, files=files)
