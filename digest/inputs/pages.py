"""Reader for hand-written pages: `content/pages/*.md` with YAML front matter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from digest import urls
from digest.errors import ConfigError
from digest.inputs.sources import source_files
from digest.inputs.yamlfile import YamlDocument, load_yaml_text
from digest.text import slugify


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    description: str
    html: str
    source: Path
    menu: bool


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(["table", "strikethrough"])


def read_pages(directory: Path) -> list[Page]:
    pages = [read_page(path) for path in source_files(directory, (".md",))]
    seen: dict[str, Path] = {}
    for page in pages:
        if page.slug in seen:
            raise ConfigError(f"page slug '{page.slug}' is also used by {seen[page.slug]}; give one a 'slug'",
                              page.source, 1)
        seen[page.slug] = page.source
    return pages


def read_page(path: Path) -> Page:
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text; save it as UTF-8", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read file: {exc.strerror}", path) from None
    meta, body = _split_front_matter(text, path)
    title = meta.data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ConfigError("front matter needs a 'title' (start the file with '---', 'title: …', '---')",
                          path, meta.line_of(("title",)))
    slug = meta.data.get("slug", path.stem)
    if not isinstance(slug, str) or slugify(slug) != slug:
        raise ConfigError(f"slug '{slug}' must be lowercase ASCII letters, digits and hyphens", path,
                          meta.line_of(("slug",)))
    if slug in urls.RESERVED:
        raise ConfigError(f"slug '{slug}' is used by the site itself; choose another", path, meta.line_of(("slug",)))
    description = meta.data.get("description", "")
    menu = meta.data.get("menu", True)
    if not isinstance(description, str):
        raise ConfigError("'description' must be text", path, meta.line_of(("description",)))
    if not isinstance(menu, bool):
        raise ConfigError("'menu' must be true or false", path, meta.line_of(("menu",)))
    return Page(slug=slug, title=title.strip(), description=description.strip(),
                html=_MARKDOWN.render(body), source=path, menu=menu)


def _split_front_matter(text: str, path: Path) -> tuple[YamlDocument, str]:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise ConfigError("a page starts with front matter: a '---' line, 'title: …', then '---'", path, 1)
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            document = load_yaml_text("\n".join(lines[1:index]), path)
            if not isinstance(document.data, dict):
                raise ConfigError("front matter must be a mapping of keys to values", path, 2)
            document.lines = {key: line + 1 for key, line in document.lines.items()}
            return document, "\n".join(lines[index + 1:])
    raise ConfigError("front matter starts with '---' but never ends; add a closing '---' line", path, 1)
