"""Static assets: copied from `templates/static/` under content-hashed names.

A hashed name changes whenever the bytes do, so hosts can cache assets for a
year. lunr.js comes from the npm package installed by `npm ci`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from digest import urls
from digest.errors import BuildError
from digest.inputs.sources import is_source_name

LUNR_FILE = Path("node_modules") / "lunr" / "lunr.min.js"


@dataclass(frozen=True)
class Assets:
    paths: dict[str, str]  # logical name ('style.css') → site path ('assets/style.1a2b3c4d5e.css')
    files: dict[str, bytes]  # site path → bytes


def hashed_name(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def find_lunr(search_roots: list[Path]) -> Path:
    for root in search_roots:
        candidate = root / LUNR_FILE
        if candidate.is_file():
            return candidate
    raise BuildError(
        f"lunr.js not found (looked for {LUNR_FILE} in {', '.join(str(r) for r in search_roots)}); "
        f"install it with `npm ci` in {search_roots[-1]}"
    )


def collect_assets(static_dir: Path, lunr_path: Path) -> Assets:
    sources = {path.relative_to(static_dir).as_posix(): path for path in sorted(static_dir.rglob("*"))
               if path.is_file() and is_source_name(path.name)}
    sources["lunr.js"] = lunr_path
    paths: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for name, source in sorted(sources.items()):
        data = source.read_bytes()
        site_path = urls.asset(hashed_name(name, data))
        paths[name] = site_path
        files[site_path] = data
    return Assets(paths=paths, files=files)
