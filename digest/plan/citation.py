"""How a paper page lets reference managers and search engines cite the paper.

Three forms of the same facts, each only with what the snapshots say: Highwire
`citation_*` meta tags (read by Zotero and Google Scholar), a BibTeX entry for
readers to copy, and schema.org `ScholarlyArticle` JSON-LD. A paper known only
from text snapshots has a title, an abstract and the dates it was featured, so
that is all its citation says.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from digest import urls
from digest.catalog import Paper
from digest.text import slugify

# Characters with a meaning in BibTeX or LaTeX, written so that they print as themselves. BibTeX counts
# braces even after a backslash, so braces become commands that keep every entry balanced.
_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "$": r"\$", "%": r"\%",
    "&": r"\&", "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
}
_LATEX_SPECIAL = re.compile("|".join(map(re.escape, _LATEX_ESCAPES)))
# Words that make an author an organization, not a person (checked case-insensitively, whole words).
_ORGANIZATION_WORDS = frozenset((
    "team", "lab", "labs", "laboratory", "group", "consortium", "collaboration", "inc", "ltd", "llc", "corporation",
    "corp", "university", "institute", "initiative", "project", "foundation", "committee", "organization",
    "company", "community", "alliance",
))
# '<', '>' and '&' as JSON escapes: the data block can then never close its <script> element or open a comment.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


@dataclass(frozen=True)
class Citation:
    meta: tuple[tuple[str, str], ...]  # (name, content) of each citation_* meta tag, in order
    bibtex: str
    json_ld: str  # JSON, safe to place as is inside <script type="application/ld+json">


def citation(paper: Paper, page_url: str) -> Citation:
    """The citation of `paper`, whose page is at the absolute `page_url`."""
    return Citation(highwire_meta(paper), bibtex(paper, page_url), json_ld(paper, page_url))


def highwire_meta(paper: Paper) -> tuple[tuple[str, str], ...]:
    meta = [("citation_title", paper.title)]
    meta += [("citation_author", name) for name in paper.authors]
    if paper.published:
        meta.append(("citation_publication_date", paper.published.strftime("%Y/%m/%d")))
    if paper.arxiv_id:
        meta += [("citation_arxiv_id", paper.arxiv_id),
                 ("citation_pdf_url", urls.arxiv_pdf(paper.arxiv_id)),
                 ("citation_abstract_html_url", urls.arxiv_abstract(paper.arxiv_id))]
    return tuple(meta)


def bibtex(paper: Paper, page_url: str) -> str:
    fields = [("title", "{" + latex_text(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_bibtex_name(name) for name in paper.authors)))
    if paper.published:
        fields.append(("year", str(paper.published.year)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv"), ("url", urls.arxiv_abstract(paper.arxiv_id))]
    else:
        fields += [("url", page_url),  # percent-encoded by urls.absolute: no braces or spaces
                   ("note", f"Featured in Hugging Face Daily Papers on {paper.first_seen.isoformat()}")]
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{_bibtex_key(paper)},\n{body},\n}}"


def latex_text(text: str) -> str:
    """`text` as BibTeX field content that prints as itself and cannot end the field or the entry."""
    return _LATEX_SPECIAL.sub(lambda match: _LATEX_ESCAPES[match.group(0)], text)


def _bibtex_name(name: str) -> str:
    """A name as one BibTeX name: braced whole if it holds a word BibTeX would read as a separator, or names an
    organization ("Kimi Team"), which BibTeX would otherwise split into a first name and a surname."""
    escaped = latex_text(name)
    braced = re.search(r"(?i)(^|\s)and(\s|$)|,", name) or is_organization(name)
    return "{" + escaped + "}" if braced else escaped


def is_organization(name: str) -> bool:
    """True for an author that is an organization: a word such as Team, Lab or Consortium ("The Soofi-Team",
    "Qwen Team"), or a final "AI" in capitals ("DeepSeek-AI", "Meta AI")."""
    words = re.split(r"[\s-]+", name.strip())
    return bool(_ORGANIZATION_WORDS.intersection(word.lower().rstrip(".") for word in words)) or (
        len(words) > 1 and words[-1] == "AI")


def _bibtex_key(paper: Paper) -> str:
    """Like arXiv's keys: first author's last name, year, first word of the title ('zou2025tattoo')."""
    first = paper.authors[0] if paper.authors else ""
    surname = slugify(first if is_organization(first) else first.split()[-1]).replace("-", "") if first else ""
    year = str(paper.published.year) if paper.published else ""
    words = [word for word in slugify(paper.title).split("-") if len(word) > 3] or slugify(paper.title).split("-")
    return (surname + year + (words[0] if words else "")) or "paper"


def json_ld(paper: Paper, page_url: str) -> str:
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": paper.title,
        "name": paper.title,
        "url": page_url,
    }
    if paper.abstract:
        data["abstract"] = paper.abstract
    if paper.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in paper.authors]
    if paper.published:
        data["datePublished"] = paper.published.isoformat()
    if paper.arxiv_id:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv_id}
        data["sameAs"] = [urls.arxiv_abstract(paper.arxiv_id), urls.hugging_face_paper(paper.arxiv_id)]
    if paper.keywords:
        data["keywords"] = list(paper.keywords)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[<>&]", lambda match: _SCRIPT_UNSAFE[match.group(0)], text)
