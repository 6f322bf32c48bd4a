"""Papers as files a reference manager imports: BibTeX, RIS and CSL-JSON.

Each record says what Zotero's own arXiv importer would: a preprint on arXiv with its id, its DOI
(10.48550/arXiv.ID), the arXiv page as its URL, the date and every author, names with a suffix ("Daumé III,
Hal") and organizations ("The Soofi-Team") kept whole; a paper's own files the whole abstract too. A paper
known only from text snapshots has no arXiv id: its record says what is known and links our page.

Every list page links three files of the papers it shows (`list_exports`, drawn by
templates/partials/exports.html). A paper page's own three are made in the reader's browser from the page's data
by templates/static/references.js, byte for byte these records with the abstract (tests/site/test_exports.py
compares them): as data: URIs in every page they cost a fifth of the build's time and 65 MB of the real corpus's
site. Scraped text is escaped for each format: LaTeX specials and braces in BibTeX, one line per RIS tag (a
newline in a title cannot start a tag such as `ER  -`), JSON by json.dumps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from digest import urls
from digest.catalog import Paper
from digest.memo import PureMemo
from digest.plan.spec import PageSpec
from digest.text import slugify


@dataclass(frozen=True)
class ExportFormat:
    name: str  # what a link says
    folder: str  # urls.export's folder for it
    extension: str
    media_type: str  # what the server sends (netlify.toml, the preview)


BIBTEX = ExportFormat("BibTeX", "bibtex", ".bib", "application/x-bibtex")
RIS = ExportFormat("RIS", "ris", ".ris", "application/x-research-info-systems")
CSL_JSON = ExportFormat("CSL-JSON", "csl-json", ".csl.json", "application/vnd.citationstyles.csl+json")
FORMATS = (BIBTEX, RIS, CSL_JSON)
# A list's files leave the abstracts out: with them the real corpus's lists came to 237 MB (its site was 194 MB,
# and GitHub Pages takes 1 GB), without them 71 MB. A paper page's own files (references.js) have the abstract.
LIST_ABSTRACTS = False


@dataclass(frozen=True)
class ExportLink:
    label: str
    href: str  # the file's site path
    download: str  # the file name the browser saves it as
    media_type: str


@dataclass(frozen=True)
class Exports:
    """The three files of a page's papers, as its template links them."""

    count: int
    links: tuple[ExportLink, ...]


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
# A last word that belongs to the surname before it ("Hal Daumé III"); a lone "V" is far more often an initial.
_SUFFIXES = frozenset(("Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"))
# Lower-case words that begin a family name ("Jan van der Berg", "Ana de la Cruz"), as BibTeX's "von" part.
_PARTICLES = frozenset(("von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "des", "la", "le", "dos",
                        "das", "do", "ten", "ter", "zu", "zur", "af", "av", "bin", "ibn", "al", "el"))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_BRACED = re.compile(r"(?i)(^|\s)and(\s|$)|,")  # a name BibTeX would split at "and" or read as "Last, First"
_OTHER_LINE_BREAKS = re.compile(r"\r\n?|[\v\f\x1c-\x1e\x85\u2028\u2029]")  # in BibTeX, a plain newline


# Names -----------------------------------------------------------------------------------------------------

def is_organization(name: str) -> bool:
    """True for an author that is an organization: a word such as Team, Lab or Consortium ("The Soofi-Team",
    "Qwen Team"), or a final "AI" in capitals ("DeepSeek-AI", "Meta AI")."""
    words = re.split(r"[\s-]+", name.strip())
    return bool(_ORGANIZATION_WORDS.intersection(word.lower().rstrip(".") for word in words)) or (
        len(words) > 1 and words[-1] == "AI")


def _family_and_given(name: str) -> tuple[str, str] | None:
    """A person's name as (family, given), as the API writes it (given names first); None for an organization or
    a name holding a comma or the word "and" (kept whole, as BibTeX must keep it). The family name is the last
    word, with a suffix ("Daumé III") and particles before it ("van der Berg"), as BibTeX reads a name."""
    if is_organization(name) or _BRACED.search(name):
        return None
    words = name.split()
    if len(words) < 2:
        return (name, "")
    last = len(words) - (2 if words[-1] in _SUFFIXES and len(words) > 2 else 1)
    start = next((index for index in range(1, last) if words[index] in _PARTICLES), last)
    return " ".join(words[start:]), " ".join(words[:start])


# An author's name comes back on each of their papers, in each format.
family_and_given: Callable[[str], tuple[str, str] | None] = PureMemo(_family_and_given).__getitem__


def _bibtex_name_uncached(name: str) -> str:
    """One BibTeX name: an organization, or a name holding a comma or the word "and", braced whole (BibTeX would
    split it); a name with a suffix as "Daumé III, Hal" (else its surname would be "III"); others as written."""
    if is_organization(name) or _BRACED.search(name):
        return "{" + latex_text(name) + "}"
    words = name.split()
    if len(words) > 2 and words[-1] in _SUFFIXES:
        family, given = family_and_given(name) or (name, "")
        return f"{latex_text(family)}, {latex_text(given)}"
    return latex_text(name)


_bibtex_name: Callable[[str], str] = PureMemo(_bibtex_name_uncached).__getitem__


# BibTeX ----------------------------------------------------------------------------------------------------

def latex_text(text: str) -> str:
    """`text` as BibTeX field content that prints as itself and cannot end the field or the entry."""
    return _LATEX_SPECIAL.sub(lambda match: _LATEX_ESCAPES[match.group(0)], text)


def bibtex_key(paper: Paper) -> str:
    """Like arXiv's keys: first author's last name, year, first word of the title ('zou2025tattoo')."""
    first = paper.authors[0] if paper.authors else ""
    parts = family_and_given(first) if first else None
    family = parts[0].split() if parts else [first]
    surname = slugify(family[-2] if len(family) > 1 and family[-1] in _SUFFIXES else family[-1]).replace("-", "")
    year = str(paper.published.year) if paper.published else ""
    words = [word for word in slugify(paper.title).split("-") if len(word) > 3] or slugify(paper.title).split("-")
    return (surname + year + (words[0] if words else "")) or "paper"


def bibtex_entry(paper: Paper, page_url: str, key: str | None = None, abstract: bool = True) -> str:
    """One `@misc` entry (biblatex's `eprinttype`, with `archivePrefix` for natbib styles); `abstract=False` for
    the short entry a paper page shows to copy."""
    fields = [("title", "{" + latex_text(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", "{" + " and ".join(map(_bibtex_name, paper.authors)) + "}"))
    if paper.published:
        fields += [("year", f"{{{paper.published.year}}}"), ("month", _MONTHS[paper.published.month - 1])]
    if paper.arxiv_id:
        fields += [("eprint", f"{{{paper.arxiv_id}}}"), ("eprinttype", "{arxiv}"), ("archiveprefix", "{arXiv}"),
                   ("doi", f"{{{doi(paper.arxiv_id)}}}"), ("publisher", "{arXiv}"),
                   ("url", f"{{{urls.arxiv_abstract(paper.arxiv_id)}}}")]
    else:
        fields += [("url", f"{{{page_url}}}"),  # percent-encoded by urls.absolute: no braces or spaces
                   ("note", f"{{Featured in Hugging Face Daily Papers on {paper.first_seen.isoformat()}}}")]
    if abstract and paper.abstract:
        fields.append(("abstract", "{" + latex_text(_OTHER_LINE_BREAKS.sub("\n", paper.abstract)) + "}"))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {value}" for name, value in fields)
    return f"@misc{{{key or bibtex_key(paper)},\n{body},\n}}\n"


def doi(arxiv_id: str) -> str:
    """The DOI arXiv gives every paper."""
    return "10.48550/arXiv." + arxiv_id


# RIS -------------------------------------------------------------------------------------------------------

def ris_record(paper: Paper, page_url: str, abstract: bool = True) -> str:
    """One RIS record. RIS has no preprint type: UNPB (unpublished work) is the one for a preprint."""
    lines = [("TY", "UNPB"), ("TI", paper.title)]
    for name in paper.authors:
        parts = family_and_given(name)
        lines.append(("AU", f"{parts[0]}, {parts[1]}" if parts and parts[1] else name))
    if paper.published:
        lines += [("PY", str(paper.published.year)), ("DA", paper.published.strftime("%Y/%m/%d/"))]
    if abstract and paper.abstract:
        lines.append(("AB", paper.abstract))
    if paper.arxiv_id:
        lines += [("PB", "arXiv"), ("AN", "arXiv:" + paper.arxiv_id), ("DO", doi(paper.arxiv_id)),
                  ("UR", urls.arxiv_abstract(paper.arxiv_id))]
    else:
        lines += [("UR", page_url), ("N1", f"Featured in Hugging Face Daily Papers on {paper.first_seen.isoformat()}")]
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_one_line(value)}".rstrip(" ") + "\n" for tag, value in lines)


def _one_line(text: str) -> str:
    """`text` on one line: str.split() splits at every character a RIS reader may take as a line end."""
    return " ".join(text.split())


# CSL-JSON --------------------------------------------------------------------------------------------------

def csl_item(paper: Paper, page_url: str, abstract: bool = True) -> dict[str, object]:
    """One CSL-JSON item: type `article` (CSL's preprint), with arXiv as archive and publisher and the id as
    number, as Zotero exports a preprint."""
    item: dict[str, object] = {"id": paper.slug, "type": "article", "title": paper.title}
    if paper.authors:
        item["author"] = [_csl_name(name) for name in paper.authors]
    if paper.published:
        item["issued"] = {"date-parts": [[paper.published.year, paper.published.month, paper.published.day]]}
    if abstract and paper.abstract:
        item["abstract"] = paper.abstract
    if paper.arxiv_id:
        item.update({"DOI": doi(paper.arxiv_id), "URL": urls.arxiv_abstract(paper.arxiv_id), "archive": "arXiv",
                     "publisher": "arXiv", "number": "arXiv:" + paper.arxiv_id})
    else:
        item.update({"URL": page_url, "note": f"Featured in Hugging Face Daily Papers on {paper.first_seen}"})
    return item


def _csl_name(name: str) -> dict[str, str]:
    parts = family_and_given(name)
    if parts is None:
        return {"literal": name}
    return {"family": parts[0], "given": parts[1]} if parts[1] else {"family": parts[0]}


# Files -----------------------------------------------------------------------------------------------------

class Records:
    """Each paper's three records, made once however many lists show it (a paper is on about five: its day,
    week, month and topics). One per planning (plan/site.py's); it holds ~2 KB a paper without abstracts.

    `abstracts`: a list's files leave them out (`LIST_ABSTRACTS`); a paper page's own files have the abstract."""

    def __init__(self, base_url: str, abstracts: bool = True) -> None:
        self.base_url = base_url
        self.abstracts = abstracts
        self._made: dict[str, tuple[Paper, tuple[str, str, str, str]]] = {}

    def of(self, paper: Paper) -> tuple[str, str, str, str]:
        """(BibTeX key, BibTeX entry, RIS record, CSL-JSON item on one line) of `paper`."""
        known = self._made.get(paper.slug)
        if known is not None and known[0] is paper:
            return known[1]
        url = _page_url(paper, self.base_url)
        key = bibtex_key(paper)
        made = (key, bibtex_entry(paper, url, key, self.abstracts), ris_record(paper, url, self.abstracts),
                json.dumps(csl_item(paper, url, self.abstracts), ensure_ascii=False))
        self._made[paper.slug] = (paper, made)
        return made


def bibtex_file(papers: Iterable[Paper], records: Records) -> str:
    """The papers' entries, each key unique within the file ('zou2025tattoo', 'zou2025tattooa', ...)."""
    taken: set[str] = set()
    entries = []
    for paper in papers:
        base, entry = records.of(paper)[:2]
        key, suffix = base, 0
        while key in taken:
            key, suffix = base + _letters(suffix), suffix + 1
        taken.add(key)
        entries.append(entry if key == base else "@misc{" + key + entry[len("@misc{") + len(base):])
    return "\n".join(entries)


def ris_file(papers: Iterable[Paper], records: Records) -> str:
    return "\n".join(records.of(paper)[2] for paper in papers)


def csl_json_file(papers: Iterable[Paper], records: Records) -> str:
    """A JSON array, one item a line (json.dumps's C encoder: with `indent` it would be Python's)."""
    items = [records.of(paper)[3] for paper in papers]
    return "[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n"


_WRITERS: dict[ExportFormat, Callable[[Iterable[Paper], Records], str]] = {
    BIBTEX: bibtex_file, RIS: ris_file, CSL_JSON: csl_json_file}


def export_text(export: ExportFormat, papers: Iterable[Paper], records: Records) -> str:
    return _WRITERS[export](papers, records)


@dataclass(frozen=True)
class ExportText:
    """A list's file, written out only when its page is rendered (`str()`, as `{{ text }}` does): the planned
    pages then hold no copy of it (the real corpus's lists hold each paper five times). Equal while the
    papers are: a preview renders it again only then."""

    export: ExportFormat
    papers: tuple[Paper, ...]
    records: Records = field(compare=False, repr=False)

    def __str__(self) -> str:
        return export_text(self.export, self.papers, self.records)


def list_exports(papers: Sequence[Paper], page_path: str, records: Records) -> tuple[Exports, list[PageSpec]]:
    """A list page's three files of the papers it shows, and the links to them for its context (`exports`,
    drawn by templates/partials/exports.html). Any list page (a topic, a day, an organization, a saved search)
    adds its papers this way: `exports, files = list_exports(papers, path, records)`, with the planning's
    shared `Records` (plan/site.py's `_Shared.records`) or `Records(config.base_url, LIST_ABSTRACTS)`."""
    specs = [PageSpec(urls.export(export.folder, page_path, export.extension), "export.txt",
                      {"text": ExportText(export, tuple(papers), records)}) for export in FORMATS]
    return export_links(len(papers), page_path), specs


def export_links(count: int, page_path: str) -> Exports:
    """The links to the files `list_exports` makes for the page at `page_path` (another page may link them)."""
    return Exports(count, tuple(ExportLink(export.name, urls.export(export.folder, page_path, export.extension),
                                           _file_name(page_path, export), export.media_type) for export in FORMATS))


def _file_name(page_path: str, export: ExportFormat) -> str:
    """The name a list's file is saved as: 'topics-agents-page-2.bib', 'snapshots-2025-10-08.ris'."""
    return (page_path.strip("/").replace("/", "-") or "home") + export.extension


def _page_url(paper: Paper, base_url: str) -> str:
    return urls.absolute(base_url, urls.paper(paper.slug))


def _letters(number: int) -> str:
    """'a', 'b', ... 'z', 'aa', 'ab', ...: BibTeX's way of telling two keys apart."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
