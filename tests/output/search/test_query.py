"""A query answered at build time (output/search/query.py) as the search page answers it: each form of the search
box's syntax on a few papers, then whole answers against the site's own engine on the real lunr.js (Node)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.commands.sources import read_sources
from digest.output.search import catalog_documents
from digest.output.search.index import SearchDocument
from digest.output.search.query import QuerySyntaxError, SearchCorpus, normalize, parse, search
from tests import search_papers
from tests.helpers import query


def document(title: str, abstract: str = "", authors: tuple[str, ...] = (), topics: str = "",
             arxiv_id: str | None = None) -> SearchDocument:
    return SearchDocument(title, abstract, topics, "papers/x/", "2025-10-09", (), "", None, authors, arxiv_id)


PAPERS = (
    document("Test-Time Scaling for Reasoning", "More compute at test time.", ("Tri Dao",), "Reasoning", "2510.00001"),
    document("A Survey of Test-Time Scaling", "We survey scaling at test time.", ("Lan Dao",)),
    document("Knowledge Distillation", "A teacher trains a student.", ("Kim Try",)),
    document("Transformers Everywhere", "Attention is used in every layer.", ("Wei Chen",)),
    document("Diffusion Models for Video", "Diffusion makes frames.", ("Ana Müller",)),
    document("Mixture of Experts", "Experts are routed by a gate.", ("Ada Of",)),
)


@pytest.fixture(scope="module")
def corpus() -> SearchCorpus:
    return SearchCorpus(PAPERS)


def every(corpus: SearchCorpus, text: str) -> set[int]:
    return set(search(corpus, text).every_word)


def test_required_and_excluded_words(corpus: SearchCorpus) -> None:
    assert every(corpus, "+test-time +scaling") == {0, 1}
    assert every(corpus, "+scaling -survey") == {0}
    assert every(corpus, "-survey") == {0, 2, 3, 4, 5}  # lunr answers a query of exclusions with every other paper


def test_a_field_restricts_a_word_to_it(corpus: SearchCorpus) -> None:
    assert every(corpus, "title:survey") == {1}
    assert every(corpus, "abstract:survey") == {1}
    assert every(corpus, "title:teacher") == set()
    assert every(corpus, "topics:reasoning") == {0}


def test_a_prefix_means_the_words_starting_with_it_not_the_stems(corpus: SearchCorpus) -> None:
    """"distillation" is stemmed to "distil": `distill*` still finds it, as the browser's word files make it."""
    assert every(corpus, "distill*") == {2}
    assert every(corpus, "*form*") == {3}  # other wildcards match index terms: "transformers" is "transform"


def test_close_spellings_by_edits_and_the_retry_of_a_word_matching_nothing(corpus: SearchCorpus) -> None:
    assert every(corpus, "difusion~1") == {4}
    retried = search(corpus, "difusion")
    assert retried.close and set(retried.every_word) == {4}
    assert not search(corpus, "zzzzzz").results


def test_names_are_not_stemmed_and_two_words_need_both(corpus: SearchCorpus) -> None:
    assert every(corpus, "author:tri") == {0}  # not Kim Try: "tri" is the stem of "try", never of a name
    assert every(corpus, "Tri Dao") == {0}
    assert set(search(corpus, "Tri Dao").results) == {0, 1}  # either word: results, not every word
    assert every(corpus, "author:muller") == {4}  # accents folded


def test_a_stop_word_is_no_word_every_paper_needs(corpus: SearchCorpus) -> None:
    assert every(corpus, "mixture of experts") == {5}


def test_an_arxiv_id_is_one_word_however_typed(corpus: SearchCorpus) -> None:
    assert normalize("see arXiv:2510.00001v2 and 2510.00001") == "see 251000001 and 251000001"
    assert every(corpus, "2510.00001") == every(corpus, "arxiv:2510.00001v3") == {0}


@pytest.mark.parametrize(("text", "reason"), [("title:", "term"), ("venue:x", "field"), ("a^b", "Boost"),
                                               ("a~x", "Edit distance")])
def test_a_query_lunr_cannot_parse_gives_its_reason(text: str, reason: str) -> None:
    with pytest.raises(QuerySyntaxError, match=reason):
        parse(text)


QUERIES = ("Tri Dao", "tri", "author:dao", "world model", "+world -agents", "title:world", "quokka", "difusion",
           "hallucinaton", "sparse experts", "mixture of experts", "tryon", "try*", "*on", "t*y", "experts~1",
           "exp*~1", "müller", "muller", "+diffusion video", "-diffusion", "2510.10005", "zzzzzzz", "of",
           "Kaiming He", "forward-forward", "he")


def test_every_answer_equals_the_site_engine_on_the_real_lunr_js(tmp_path: Path) -> None:
    """The Python answer and search-index.js's (through search_query.js, on the built site's own files) agree for
    each form: the results, the papers matching every word, and whether close spellings were shown."""
    project = search_papers.build(tmp_path)
    documents = catalog_documents(read_sources(project).catalog, 220, None)
    number = {doc.path: place for place, doc in enumerate(documents)}
    corpus = SearchCorpus(documents)
    for text, answer in query(project.output, *QUERIES).items():
        found = [number[result["path"]] for result in answer["results"]]
        mine = search(corpus, text)
        assert set(found) == mine.results, text
        assert set(found[:answer["all"]]) == mine.every_word, text
        assert answer["close"] == mine.close, text
