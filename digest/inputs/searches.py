"""Saved searches: the `searches:` list of content/interests.yaml, each a name and a query in the search box's syntax.

```yaml
searches:
  - name: Test-time scaling
    query: +test-time +scaling
```

Only that key is read here; the file's other keys (keywords, authors, mute, ...) are read by
digest/inputs/interests.py and never checked here. No file, or no `searches:` key, is no saved search: the site
is exactly what it was. Each search gets /searches/<slug>/ with feeds and an email section (plan/searches.py).
A query is parsed here, by the search page's own parser (output/search/query.py), so one the page would reject
stops the build with the file, the line and lunr's reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.inputs.yamlfile import KeyPath, YamlDocument, load_yaml_file
from digest.output.search.query import QuerySyntaxError, parse
from digest.text import short_hash, slugify

INTERESTS_NAME = "interests.yaml"
SLUG_LENGTH = 60


@dataclass(frozen=True)
class SavedSearch:
    """A curator's saved search: its name as written, its query as typed in the search box, and its page's slug."""

    name: str
    query: str
    slug: str


def read_saved_searches(content_dir: Path) -> tuple[SavedSearch, ...]:
    """The saved searches of `content_dir`/interests.yaml, in the file's order; none without the file or key."""
    path = content_dir / INTERESTS_NAME
    if not path.is_file():
        return ()
    return saved_searches(load_yaml_file(path))


def saved_searches(document: YamlDocument) -> tuple[SavedSearch, ...]:
    data = document.data
    if not isinstance(data, dict):
        raise document.error((), "expected a mapping (keywords:, authors:, searches:, ...)")
    entries = data.get("searches")
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise document.error(("searches",), "expected a list of searches, each with a 'name' and a 'query'")
    found: list[SavedSearch] = []
    names: dict[str, int] = {}
    slugs: dict[str, int] = {}
    for number, entry in enumerate(entries):
        search = _entry(document, ("searches", number), entry)
        key = search.name.casefold()
        if key in names:
            raise document.error(("searches", number, "name"), f"'{search.name}' is saved twice (also search "
                                 f"{names[key] + 1}, line {document.line_of(('searches', names[key]))}); "
                                 "give each search its own name")
        if search.slug in slugs:
            raise document.error(("searches", number, "name"), f"'{search.name}' makes the same page address "
                                 f"(searches/{search.slug}/) as search {slugs[search.slug] + 1}; rename one")
        names[key] = slugs[search.slug] = number
        found.append(search)
    return tuple(found)


def _entry(document: YamlDocument, at: KeyPath, entry: Any) -> SavedSearch:
    if not isinstance(entry, dict):
        raise document.error(at, "expected a search with a 'name' and a 'query', e.g. "
                                 "{name: Test-time scaling, query: +test-time +scaling}")
    unknown = sorted(str(key) for key in entry if key not in ("name", "query"))
    if unknown:
        raise document.error((*at, unknown[0]), "unknown key; a search has a 'name' and a 'query'")
    name = _text(document, at, entry, "name")
    query = _text(document, at, entry, "query")
    try:
        clauses = parse(query)
    except QuerySyntaxError as error:
        raise document.error((*at, "query"), f"the search box cannot read '{query}': {error}") from None
    if not clauses:
        raise document.error((*at, "query"), f"'{query}' has no word to search for")
    return SavedSearch(name, query, slugify(name, SLUG_LENGTH) or "search-" + short_hash(name))


def _text(document: YamlDocument, at: KeyPath, entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if value is None:
        raise document.error(at, f"this search has no '{key}'; a search has a 'name' and a 'query'")
    if isinstance(value, (dict, list, bool)):
        raise document.error((*at, key), f"expected text for '{key}'")
    text = " ".join(str(value).split())
    if not text:
        raise document.error((*at, key), f"'{key}' is empty")
    return text
