"""Reference files (plan/references.py) read back by the parsers reference managers use: bibtexparser, rispy and
a CSL processor (citeproc-py), with hostile text that must round-trip or stay inside its field."""

from __future__ import annotations

import json
from datetime import date

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from digest.catalog import Paper
from digest.plan import references
from digest.plan.references import BIBTEX, CSL_JSON, RIS, Records, export_text, family_and_given
from tests.helpers import latex_to_text

BASE = "https://digest.example.org/"
HOSTILE_TITLE = ("Earn $1 Million: {Braces} and back\\slash\\ at 100% & #1 a_b^2 ~ </script><script>alert(1)</script>"
                 " \"quoted\" 'single'")
HOSTILE_ABSTRACT = ("First paragraph with \\url{https://x.org} and %comment.\nER  - \nTY  - JOUR\nTI  - Injected\n"
                    "@misc{evil, title = {pwned}}\u2028line separator\x85next line\r\n\nSecond paragraph } closes { "
                    "nothing.")
PEOPLE = ("Hal Daumé III", "The Soofi-Team", "Antonio Laverghetta Jr.", "Jan van der Berg", "Guangyi", "Zhang",
          "DeepSeek-AI", "Tom and Jerry")


def paper(slug: str = "earn", title: str = HOSTILE_TITLE, authors: tuple[str, ...] = PEOPLE,
          arxiv_id: str | None = "2510.05091", published: date | None = date(2025, 10, 6),
          abstract: str = HOSTILE_ABSTRACT) -> Paper:
    return Paper(slug=slug, title=title, abstract=abstract, links=(), code_url=None, topics=(),
                 appearances=(date(2025, 10, 8),), arxiv_id=arxiv_id, authors=authors, published=published)


TEXT_ONLY = paper("survey", "A Survey of Continual Learning", (), None, None, "What is known from a text snapshot.")
PAPERS = [paper(), paper("second", "Second: the same first author and word", ("Hal Daumé III",), "2510.06217"),
          paper("third", "Earn more", ("Hal Daumé III",), "2510.07000", date(2025, 1, 31)), TEXT_ONLY]


def text(export: references.ExportFormat, papers: list[Paper] = PAPERS) -> str:
    return export_text(export, papers, Records(BASE))


def parse_bibtex(source: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(source, append_middleware=[middlewares.SeparateCoAuthors(),
                                                                    middlewares.SplitNameParts()])
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    return library


def test_bibtex_round_trips_hostile_titles_and_abstracts_and_keeps_names_whole() -> None:
    library = parse_bibtex(text(BIBTEX))
    assert len(library.entries) == len(PAPERS)
    first = library.entries[0]
    assert latex_to_text(first["title"]) == HOSTILE_TITLE
    assert " ".join(latex_to_text(first["abstract"]).split()) == " ".join(HOSTILE_ABSTRACT.split())
    names = first["author"]
    assert (names[0].last, names[0].first) == (["Daumé", "III"], ["Hal"])  # not the surname "III"
    assert names[1].last == ["{The Soofi-Team}"] and names[1].first == []  # not a first name "The"
    assert (names[2].last, names[2].first) == (["Laverghetta", "Jr."], ["Antonio"])
    assert (names[3].von, names[3].last) == (["van", "der"], ["Berg"])
    assert names[6].last == ["{DeepSeek-AI}"] and names[7].last == ["{Tom and Jerry}"]
    assert len(names) == len(PEOPLE)


def test_bibtex_says_arxiv_eprint_doi_year_and_month() -> None:
    first = parse_bibtex(text(BIBTEX)).entries[0]
    assert first.entry_type == "misc"
    assert (first["eprint"], first["eprinttype"], first["archiveprefix"]) == ("2510.05091", "arxiv", "arXiv")
    assert first["doi"] == "10.48550/arXiv.2510.05091" and first["url"] == "https://arxiv.org/abs/2510.05091"
    assert (first["year"], first["month"]) == ("2025", "oct")  # BibTeX's month macro, which Zotero reads


def test_bibtex_keys_are_unique_within_a_file() -> None:
    keys = [entry.key for entry in parse_bibtex(text(BIBTEX)).entries]
    assert keys[:3] == ["daume2025earn", "daume2025second", "daume2025earna"]  # the third would repeat the first
    assert len(set(keys)) == len(keys)


def test_a_text_only_paper_has_no_invented_id() -> None:
    survey = parse_bibtex(text(BIBTEX)).entries[3]
    assert survey["url"] == BASE + "papers/survey/" and "eprint" not in survey and "doi" not in survey
    assert "year" not in survey and "Featured in Hugging Face Daily Papers on 2025-10-08" in survey["note"]
    (record,) = rispy.loads(text(RIS, [TEXT_ONLY]))
    assert "doi" not in record and "accession_number" not in record and record["urls"] == [BASE + "papers/survey/"]
    (item,) = json.loads(text(CSL_JSON, [TEXT_ONLY]))
    assert set(item) == {"id", "type", "title", "abstract", "URL", "note"}


def test_ris_keeps_every_value_on_its_line_so_nothing_is_injected() -> None:
    records = rispy.loads(text(RIS))
    assert len(records) == len(PAPERS)  # an "ER  -" in the abstract did not end a record early
    first = records[0]
    assert first["type_of_reference"] == "UNPB"
    assert first["title"] == HOSTILE_TITLE
    assert first["abstract"] == " ".join(HOSTILE_ABSTRACT.split())  # line ends became spaces, nothing else changed
    assert first["authors"] == ["Daumé III, Hal", "The Soofi-Team", "Laverghetta Jr., Antonio", "van der Berg, Jan",
                                "Guangyi", "Zhang", "DeepSeek-AI", "Tom and Jerry"]
    assert (first["year"], first["date"]) == ("2025", "2025/10/06/")
    assert first["doi"] == "10.48550/arXiv.2510.05091" and first["accession_number"] == "arXiv:2510.05091"
    assert first["urls"] == ["https://arxiv.org/abs/2510.05091"] and first["publisher"] == "arXiv"
    for line in text(RIS).splitlines():
        assert line == "" or line[2:6] == "  - " or line == "ER  -", repr(line)


def test_csl_json_is_a_preprint_a_csl_processor_renders() -> None:
    items = json.loads(text(CSL_JSON))
    first = items[0]
    assert (first["type"], first["archive"], first["publisher"]) == ("article", "arXiv", "arXiv")
    assert first["number"] == "arXiv:2510.05091" and first["DOI"] == "10.48550/arXiv.2510.05091"
    assert first["title"] == HOSTILE_TITLE and first["abstract"] == HOSTILE_ABSTRACT
    assert first["issued"] == {"date-parts": [[2025, 10, 6]]}
    assert first["author"][:3] == [{"family": "Daumé III", "given": "Hal"}, {"literal": "The Soofi-Team"},
                                   {"family": "Laverghetta Jr.", "given": "Antonio"}]
    few = [paper(authors=("Hal Daumé III", "The Soofi-Team", "Jan van der Berg")), TEXT_ONLY]
    rendered = render_csl(json.loads(text(CSL_JSON, few)))
    assert rendered[0].startswith("Daumé III, H., The Soofi-Team and van der Berg, J. (2025)")
    assert "</script>" in rendered[0] and "https://doi.org/10.48550/arXiv.2510.05091" in rendered[0]
    assert "A Survey of Continual Learning" in rendered[1] and BASE + "papers/survey/" in rendered[1]


def render_csl(items: list[dict[str, object]]) -> list[str]:
    """Each item's bibliography entry in the CSL style citeproc-py ships, as plain text."""
    bibliography = CitationStylesBibliography(CitationStylesStyle("harvard-cite-them-right", validate=False),
                                              CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(str(item["id"]))]))
    return [str(entry) for entry in bibliography.bibliography()]


def test_an_empty_list_makes_valid_empty_files() -> None:
    assert json.loads(text(CSL_JSON, [])) == []
    assert text(RIS, []) == ""
    assert parse_bibtex(text(BIBTEX, [])).entries == []


@pytest.mark.parametrize(("name", "parts"), [
    ("Hal Daumé III", ("Daumé III", "Hal")), ("Antonio Laverghetta Jr.", ("Laverghetta Jr.", "Antonio")),
    ("Ragavendran P V", ("V", "Ragavendran P")),  # a lone V is an initial, not the fifth
    ("Jan van der Berg", ("van der Berg", "Jan")), ("Guangyi", ("Guangyi", "")),
    ("Kimi Team", None), ("The Soofi-Team", None), ("Meta AI", None), ("Smith, John", None),
    ("Jiaxin Ai", ("Ai", "Jiaxin")),  # a surname, not "AI"
])
def test_names_split_as_bibtex_would(name: str, parts: tuple[str, str] | None) -> None:
    assert family_and_given(name) == parts


