"""Search as a visitor meets it: the built site queried by the real lunr.js through the site's own engine.

tests/search_query.js loads `search/manifest.json`, fetches the shards a query
needs with assets/search-index.*.js and runs lunr.js on the assembled index,
as the search page does. Expectations are computed here from the catalog.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lunr.stop_word_filter import WORDS as STOP_WORDS

from digest.commands.build import BuildReport, build_site
from digest.commands.sources import read_sources
from digest.output.search.index import (
    PRIOR_LEVELS,
    UPVOTE_PRIOR,
    build_index,
    document_terms,
    lunr_reference_index,
    search_documents,
    serialize_whole,
)
from digest.output.search.words import index_terms
from digest.plan.site import SEARCH_EXAMPLES
from digest.project import Project
from tests import search_papers
from tests.helpers import FIXTURES, REPO, make_project, node_or_fail, query

# A paper that says "federated" only in its abstract, five times, and one that says it only in the title:
# without them the bundled seeds have no abstract-only match, and the ranking check would prove nothing.
# The third has the words glued to punctuation that a reader still types on their own.
EXTRA_SNAPSHOT = """Daily Papers

Nov 2

Client Drift Under Heterogeneous Data Silos

Federated clients drift apart. We study federated averaging, federated proximal terms and \
federated momentum, and show that federated training with our correction converges faster on non-IID data.

Federated Averaging Revisited

We revisit a classic distributed optimizer and give a shorter proof of its convergence.

Judging Judges (ICLR) with GPT-4o/Claude

We compare GPT-4o/Claude as judges; the attack string alert(1) and naïve Übersetzung stay plain words.
"""


def titles(answer: dict[str, Any]) -> list[str]:
    assert "error" not in answer, answer
    assert not [r for r in answer["results"] if r.get("missing")], "a result's ref is not in the document chunks"
    return [result["title"] for result in answer["results"]]


def term_matches(project: Project, word: str) -> tuple[set[str], set[str]]:
    """(titles with `word`'s term in the title, titles with it only in the abstract or topics)."""
    sources = read_sources(project)
    names = {topic.slug: topic.name for topic in sources.catalog.topics}
    (term,) = index_terms(word)
    in_title, elsewhere = set(), set()
    for paper in sources.catalog.papers.values():
        topics = " ".join(names[slug] for slug in paper.topics)
        if term in index_terms(paper.title):
            in_title.add(paper.title)
        elif term in index_terms(paper.abstract + " " + topics):
            elsewhere.add(paper.title)
    return in_title, elsewhere


def assert_title_matches_first(found: list[str], in_title: set[str], elsewhere: set[str]) -> None:
    expected = in_title | elsewhere
    assert set(found) == expected, f"missing: {expected - set(found)}; unexpected: {set(found) - expected}"
    last_title_rank = max(found.index(title) for title in in_title)
    first_other_rank = min((found.index(title) for title in elsewhere), default=len(found))
    assert last_title_rank < first_other_rank, f"an abstract-only match outranks a title match: {found}"


@pytest.fixture(scope="module")
def extra_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The bundled seeds plus EXTRA_SNAPSHOT, built once for this module."""
    project = make_project(tmp_path_factory.mktemp("extra"), {"2025-11-02.txt": EXTRA_SNAPSHOT}, with_seeds=True)
    build_site(project)
    return project


def containing(project: Project, word: str) -> set[str]:
    """Titles of papers whose title or abstract has `word` as a whole word, ignoring case."""
    pattern = re.compile(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", re.IGNORECASE)
    return {paper.title for paper in read_sources(project).catalog.papers.values()
            if pattern.search(paper.title) or pattern.search(paper.abstract)}


# --- Words a reader types -------------------------------------------------------------------------------------

def test_federated_finds_every_title_with_the_word_first(site_dir: Path,
                                                         built_site: tuple[Project, BuildReport]) -> None:
    found = titles(query(site_dir, "federated")["federated"])
    in_title, elsewhere = term_matches(built_site[0], "federated")
    assert len(in_title) == 4, f"the seeds have 4 titles with 'federated', found {sorted(in_title)}"
    assert_title_matches_first(found, in_title, elsewhere)


def test_title_matches_rank_above_abstract_only_matches(extra_site: Project) -> None:
    in_title, elsewhere = term_matches(extra_site, "federated")
    assert "Federated Averaging Revisited" in in_title
    assert "Client Drift Under Heterogeneous Data Silos" in elsewhere, "the extra paper must be abstract-only"
    assert_title_matches_first(titles(query(extra_site.output, "federated")["federated"]), in_title, elsewhere)


def test_merging_ranks_titles_above_abstract_and_topic_matches(site_dir: Path,
                                                              built_site: tuple[Project, BuildReport]) -> None:
    in_title, elsewhere = term_matches(built_site[0], "merging")
    assert in_title and elsewhere, "the seeds have both title and abstract/topic matches for 'merging'"
    assert_title_matches_first(titles(query(site_dir, "merging")["merging"]), in_title, elsewhere)


@pytest.mark.parametrize("word", ["survey", "replay", "key", "decay"])
def test_words_lunr_py_and_lunr_js_stemmed_apart_now_find_their_papers(
        site_dir: Path, built_site: tuple[Project, BuildReport], word: str) -> None:
    expected = containing(built_site[0], word)
    assert expected, f"the seeds contain '{word}'"
    assert expected <= set(titles(query(site_dir, word)[word]))


def test_prefixes_mean_words_starting_with_them(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    """`distill*` finds distillation, distilled, distilling (the index holds the stem `distil`)."""
    project = built_site[0]
    battery = {"distill*": r"distill\w*", "federat*": r"federat\w*", "distil*": r"distil\w*", "contin*": r"contin\w*",
               "generaliz*": r"generaliz\w*", "merg*": r"merg\w*", "transform*": r"transform\w*", "lear*": r"lear\w*"}
    answers = query(site_dir, *battery)
    papers = read_sources(project).catalog.papers.values()
    for prefix, pattern in battery.items():
        regex = re.compile(rf"(?<![^\W_]){pattern}", re.IGNORECASE)
        expected = {p.title for p in papers if regex.search(p.title) or regex.search(p.abstract)}
        assert expected, prefix
        missing = expected - set(titles(answers[prefix]))
        assert not missing, f"{prefix}: missing {sorted(missing)}"
    distilled = containing(project, "distillation")
    assert len(distilled) >= 8 and distilled <= set(titles(answers["distill*"]))


def test_required_and_excluded_words(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    answers = query(site_dir, "+continual -survey", "continual")
    with_continual = set(titles(answers["continual"]))
    surveys = {title for title in with_continual if title in containing(built_site[0], "survey")}
    assert surveys, "a continual-learning paper in the seeds mentions 'survey'"
    assert set(titles(answers["+continual -survey"])) == with_continual - surveys


def test_words_glued_to_punctuation_are_found_by_their_parts(extra_site: Project) -> None:
    answers = query(extra_site.output, "claude", "iclr", "gpt", "4o", "alert", "(ICLR)", "GPT-4o/Claude", "naïve",
                    "übersetzung")
    for word, answer in answers.items():
        assert "Judging Judges (ICLR) with GPT-4o/Claude" in titles(answer), word


def test_every_word_finds_every_paper_that_contains_it(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    """Recall 100 %: each word of 3+ letters (stop words aside) of the titles and abstracts, queried on its own."""
    papers = list(read_sources(built_site[0]).catalog.papers.values())
    words: dict[str, set[str]] = {}
    for paper in papers:
        for word in re.findall(r"[^\W_]+", f"{paper.title} {paper.abstract}".lower()):
            if len(word) >= 3 and word not in STOP_WORDS:
                words.setdefault(word, set()).add(paper.title)
    assert len(words) > 3000
    answers = query(site_dir, *sorted(words))
    misses = {word: sorted(expected - set(titles(answers[word])))[:2] for word, expected in words.items()
              if not expected <= set(titles(answers[word]))}
    assert not misses, f"{len(misses)} of {len(words)} words miss papers, e.g. {dict(list(misses.items())[:10])}"


def test_every_example_under_the_search_box_finds_papers(site_dir: Path) -> None:
    page = (site_dir / "search" / "index.html").read_text(encoding="utf-8")
    examples = [json.loads(f'"{m}"') for m in re.findall(r'class="search-example"[^>]*><kbd>([^<]+)</kbd>', page)]
    import html
    examples = [html.unescape(example) for example in examples]
    assert examples == list(SEARCH_EXAMPLES)
    for example, answer in query(site_dir, *examples).items():
        assert titles(answer), f"the example {example!r} finds nothing"


def test_query_syntax_errors_are_parse_errors_not_crashes(site_dir: Path) -> None:
    """The page relies on lunr.QueryParseError to explain a bad query; these must raise exactly that."""
    answers = query(site_dir, "title:", "nosuchfield:word", "learning^x", "+")
    assert all(answer.get("parseError") is True for answer in answers.values()), answers


# --- Shards answer exactly as the whole index -----------------------------------------------------------------

BATTERY = ["federated", "learning", "federated learning", "model merging", "title:merging", "abstract:distillation",
           "+continual -survey", "+continual +learning", "-survey", "distill*", "federat*", "lear*", "dist*ion",
           "*ation", "fed~1", "contnual~2", "2023", "128", "gpt", "a", "the", "learning^10 federated", "zzzzzz",
           "topics:vision", "1905.07005", "arXiv:2305.12345v2", "+federated -learning", "survey",
           # close spellings: typed, and the retry of a word that matches nothing (alone, beside a good word)
           "federeted", "contnual learning", "distilation", "federated lerning", "+contnual", "the federeted",
           "merging~1", "2023~1", "-federeted", "federatd", "distilaton", "continul"]


def assert_shards_match_whole(site: Path, documents: tuple, battery: list[str], tmp_path: Path) -> int:
    """Each query through the shards and on one whole index, the same search (close-spelling retry, ranking of
    papers matching every word first, upvote prior): the same refs, scores, counts and retry."""
    whole_file = tmp_path / "whole.json"
    whole_file.write_text(json.dumps(serialize_whole(build_index(document_terms(documents)))), encoding="utf-8")
    checked = 0
    for text, answer in query(site, *battery, whole=whole_file).items():
        if "error" in answer:
            continue
        shards = [(r["ref"], r["score"]) for r in answer["results"]]
        whole = [(r["ref"], r["score"]) for r in answer["whole"]["results"]]
        assert len(shards) == len(whole), f"{text!r}: {len(shards)} hits through shards, {len(whole)} whole"
        assert [ref for ref, _ in shards[:20]] == [ref for ref, _ in whole[:20]], text
        assert all(abs(a[1] - b[1]) <= 1e-6 for a, b in zip(shards, whole, strict=True)), text
        assert [answer[key] for key in ("all", "words", "close")] == [
            answer["whole"][key] for key in ("all", "words", "close")], text
        checked += bool(whole)
    return checked


def test_shards_give_the_whole_index_s_refs_scores_and_counts(built_site: tuple[Project, BuildReport],
                                                             site_dir: Path, tmp_path: Path) -> None:
    sources = read_sources(built_site[0])
    documents = search_documents(sources.catalog, sources.config.snippet_length)
    assert assert_shards_match_whole(site_dir, documents, BATTERY, tmp_path) >= 20


PAGES_SCRIPT = """
const [siteDir, enginePath, lunrPath, query] = process.argv.slice(1);
const fs = require("fs"), path = require("path");
const lunr = require(lunrPath), PaperSearch = require(enginePath)(lunr);
const fetchJson = (url) => Promise.resolve(JSON.parse(fs.readFileSync(path.join(siteDir, url))));
(async () => {
  const whole = new PaperSearch.Engine("search/manifest.json", fetchJson);
  const results = (await whole.search(query)).results;
  const expected = await whole.documents(results.map((r) => r.ref));
  const engine = new PaperSearch.Engine("search/manifest.json", fetchJson);
  let searches = 0;
  const search = engine.search;
  engine.search = function (q) { searches++; return search.call(this, q); };
  const pages = [];
  for (let start = 0; start === 0 || start < results.length; start += 10) {
    const answer = await engine.page(query, start, 10);
    pages.push({ total: answer.total, docs: answer.docs });
  }
  process.stdout.write(JSON.stringify({ expected, pages, searches }));
})();
"""


def test_the_page_method_gives_the_ranked_results_ten_at_a_time_without_searching_again(site_dir: Path) -> None:
    """What the worker posts to the page: the count and ten documents, in search()'s order, page after page."""
    engine = next((site_dir / "assets").glob("search-index.*.js"))
    lunr_js = REPO / "node_modules" / "lunr"
    done = subprocess.run([node_or_fail(), "-e", PAGES_SCRIPT, str(site_dir), str(engine), str(lunr_js), "learning"],
                          capture_output=True, text=True, timeout=120, check=True)
    answer = json.loads(done.stdout)
    expected, pages = answer["expected"], answer["pages"]
    assert len(expected) > 20 and len(pages) == -(-len(expected) // 10)
    assert all(page["total"] == len(expected) for page in pages)
    assert [doc for page in pages for doc in page["docs"]] == expected
    assert answer["searches"] == 1


@pytest.mark.slow
def test_shards_match_the_whole_index_on_the_benchmark_corpus(tmp_path: Path) -> None:
    """2,000 synthetic papers from the peer benchmark's generator: many shards, long postings."""
    generator = REPO.parent / "shared" / "bench" / "gen_corpus.py"
    if not generator.is_file():
        pytest.skip(f"{generator} is not beside the project")
    project = make_project(tmp_path / "bench")
    subprocess.run(["python3", str(generator), "--n", "2000", "--out", str(project.snapshots)], check=True,
                   capture_output=True, timeout=120)
    build_site(project)
    sources = read_sources(project)
    documents = search_documents(sources.catalog, sources.config.snippet_length)
    manifest = json.loads((project.output / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["terms"]) >= 20
    terms = document_terms(documents)  # 2,000 papers: many near-ties for the rounding to three decimals
    assert json.dumps(serialize_whole(build_index(terms))) == json.dumps(lunr_reference_index(terms))
    battery = [*BATTERY, "diffusion", "reasoning agents", "+video -generation", "token*", "quant*", "omni*", "mamba",
               "title:distill", "benchmark~1", "*former"]
    assert assert_shards_match_whole(project.output, documents, battery, tmp_path) >= 20


# --- Size -------------------------------------------------------------------------------------------------------

def test_search_files_size_per_paper_and_per_query(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    files = list((site_dir / "search").rglob("*.json"))
    raw = sum(path.stat().st_size for path in files)
    packed = sum(len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)) for path in files)
    papers = built_site[1].papers
    answer = query(site_dir, "federated")["federated"]
    fetched = sum(len(gzip.compress((site_dir / name).read_bytes(), mtime=0)) for name in answer["files"])
    print(f"\nsearch files: {raw} B raw = {raw / papers:.0f} B/paper; {packed} B gzip = {packed / papers:.0f} "
          f"B/paper; 'federated' loads {len(answer['files'])} files, {fetched} B gzip")
    assert raw / papers < 4096 and packed / papers < 1536
    assert fetched < 40_000


# --- Authors and arXiv ids (JSON snapshots) -------------------------------------------------------------------

def test_authors_and_arxiv_ids_find_their_paper(tmp_path: Path) -> None:
    fixture = (FIXTURES / "api" / "three-papers.json").read_bytes()
    project = make_project(tmp_path, {"2025-10-09.json": fixture}, with_seeds=True)
    build_site(project)
    zebra = "Zebra Sorting: A Made-Up Benchmark for Striped Data in Long-Context Retrieval"
    answers = query(project.output, "author:placeholder", "placeholder", "2510.00001", "arXiv:2510.00001v2",
                    "id:251000001", "author:zebra")
    for text in ("author:placeholder", "placeholder", "2510.00001", "arXiv:2510.00001v2", "id:251000001"):
        assert titles(answers[text])[:1] == [zebra], text
    assert len(titles(answers["2510.00001"])) == 1, "an arXiv id finds its paper and nothing else"
    assert titles(answers["author:zebra"]) == []
    result = answers["placeholder"]["results"][0]
    assert result["code"] == "https://github.com/example/zebra"


# --- Names, typos, upvotes and counts (a day of papers in the API's shape: tests/search_papers.py) -------------

@pytest.fixture(scope="module")
def names_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The day of tests/search_papers.py, its search files cut small."""
    project = search_papers.build(tmp_path_factory.mktemp("names"), small_files=True)
    manifest = json.loads((project.output / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["terms"]) > 10 and len(manifest["names"]["lists"]) > 5
    assert len(manifest["vocabulary"]["words"]) > 3 and len(manifest["vocabulary"]["names"]) > 3
    return project


NAMES_BATTERY = ["Tri Dao", "tri dao", "tri", "dao", "author:dao", "author:tri", "try", "try-on", "trying",
                 "difusion", "difusion~1", "diffusion~2", "schmit", "author:schmit~1", "muller", "Müller",
                 "author:müller", "author:mül*", "mül*", "dao*", "tr*", "*son", "d*o", "author:*er", "quokka",
                 "quokka gate", "world model", "+world model", "+world -model", "-quokka", "Kaiming He", "he",
                 "author:he", "author:hinton", "hint*", "attenton", "garments", "zzzzzzz", "Tri Dao~1"]


def test_shards_match_the_whole_index_for_names_typos_and_upvotes(names_site: Project, tmp_path: Path) -> None:
    sources = read_sources(names_site)
    documents = search_documents(sources.catalog, sources.config.snippet_length)
    assert any(document.upvotes == 500 for document in documents)
    assert assert_shards_match_whole(names_site.output, documents, NAMES_BATTERY, tmp_path) >= 30


def test_tri_dao_finds_his_papers_above_virtual_try_on(names_site: Project) -> None:
    """"Tri" and "try" share a stem; names are matched as written, and a paper whose authors hold every word of
    the query comes first (the try-on paper by a Dao matches both words too, with "trying" in its title)."""
    answers = query(names_site.output, "Tri Dao", "tri dao", "author:tri", "try", "Dao")
    for text in ("Tri Dao", "tri dao"):
        found = titles(answers[text])
        assert set(found[:2]) == search_papers.TRI_DAO, found
        assert set(found[2:]) >= search_papers.TRY_ON, found
        assert answers[text]["all"] == 3 and answers[text]["words"] == 2
    assert set(titles(answers["author:tri"])) == search_papers.TRI_DAO, "an author's name is never stemmed"
    assert not set(titles(answers["try"])) & search_papers.TRI_DAO, "nor is a word looked up as a stemmed name"
    assert set(titles(answers["try"])) == search_papers.TRY_ON


def test_names_match_with_or_without_accents_and_author_syntax_still_works(names_site: Project) -> None:
    answers = query(names_site.output, "muller", "Müller", "MÜLLER", "author:muller", "jurgen", "author:hinton",
                    "author:hint*", "hinton", "Kaiming He", "author:he")
    synthesis = "Denoising Diffusion for Image Synthesis"
    for text in ("muller", "Müller", "MÜLLER", "author:muller", "jurgen"):
        assert titles(answers[text]) == [synthesis], text
    for text in ("author:hinton", "author:hint*", "hinton"):
        assert titles(answers[text]) == ["Forward-Forward Training"], text
    masked = "Masked Autoencoders Are Scalable Vision Learners"
    assert titles(answers["Kaiming He"])[0] == masked and titles(answers["author:he"]) == [masked]


def test_a_word_that_matches_nothing_finds_close_spellings(names_site: Project) -> None:
    answers = query(names_site.output, "difusion", "diffusion", "schmit", "difusion latent", "zzzzzzz", "quok")
    assert answers["difusion"]["close"] and set(titles(answers["difusion"])) == search_papers.DIFFUSION
    assert not answers["diffusion"]["close"] and set(titles(answers["diffusion"])) == search_papers.DIFFUSION
    assert answers["schmit"]["close"] and titles(answers["schmit"]) == ["Denoising Diffusion for Image Synthesis"]
    both = answers["difusion latent"]
    assert both["close"] and titles(both)[0] == "Latent Diffusion for Video" and both["all"] == 1
    assert not answers["zzzzzzz"]["close"] and titles(answers["zzzzzzz"]) == []
    assert not answers["quok"]["close"] and titles(answers["quok"]) == [], "words under 5 letters are not retried"


def test_a_typo_in_a_suffix_still_finds_the_word(site_dir: Path) -> None:
    """"federatd" is no stem's neighbour (federated -> feder), but it is one edit from the word "federated": close
    spellings are looked for among words as typed, then searched by their stems, so it finds what "federated" finds.
    """
    answers = query(site_dir, "federatd", "federated")
    assert answers["federatd"]["close"] and not answers["federated"]["close"]
    assert titles(answers["federatd"]) == titles(answers["federated"])


def test_upvotes_order_equal_matches_but_cannot_overturn_a_better_text_match(names_site: Project) -> None:
    """Two papers equal but for their upvotes (1 and 500, the most): the prior ranks the popular one first, by
    exactly its bounded factor; a 500-upvote paper that has the word only in its abstract stays below a 1-upvote
    title match, and the most upvoted papers without the word are not found at all."""
    answer = query(names_site.output, "quokka")["quokka"]
    assert titles(answer) == [search_papers.QUOKKA_TWO, search_papers.QUOKKA_ONE, search_papers.QUOKKA_ABSTRACT]
    two, one = answer["results"][0], answer["results"][1]
    level_of_one = round(PRIOR_LEVELS * math.log(2) / math.log(501))
    expected = (1 + UPVOTE_PRIOR) / (1 + UPVOTE_PRIOR * level_of_one / PRIOR_LEVELS)
    assert two["score"] / one["score"] == pytest.approx(expected, rel=1e-9), "equal text, only the prior differs"
    assert (two["upvotes"], one["upvotes"]) == (500, 1)


def test_a_two_word_query_counts_the_papers_matching_every_word(names_site: Project) -> None:
    answers = query(names_site.output, "world model", "world of model", "author:of")
    answer = answers["world model"]
    assert titles(answers["author:of"]) == ["A World of Agents"]
    assert [answers["world of model"][key] for key in ("all", "words")] == [answer[key] for key in ("all", "words")]
    sources = read_sources(names_site)
    names = {topic.slug: topic.name for topic in sources.catalog.topics}
    texts = {paper.title: set(index_terms(" ".join((paper.title, paper.abstract,
                                                    *(names[slug] for slug in paper.topics)))))
             for paper in sources.catalog.papers.values()}
    both = {title for title, terms in texts.items() if {"world", "model"} <= terms}
    either = {title for title, terms in texts.items() if {"world", "model"} & terms}
    assert "World Models for Robot Planning" in both and len(either) > len(both)
    assert (answer["all"], answer["words"], len(answer["results"])) == (len(both), 2, len(either))
    assert set(titles(answer)[:len(both)]) == both


def test_results_carry_upvotes_and_the_ai_summary_in_place_of_the_abstract(names_site: Project) -> None:
    results = {r["title"]: r for r in query(names_site.output, "diffusion")["diffusion"]["results"]}
    synthesis, video = results["Denoising Diffusion for Image Synthesis"], results["Latent Diffusion for Video"]
    assert (synthesis["upvotes"], synthesis["ai"]) == (80, True)
    assert synthesis["snippet"] == "Diffusion synthesizes images from noise in many small steps."
    assert (video["upvotes"], video["ai"], video["snippet"]) == (
        5, False, "We run diffusion in a latent space to make video.")
