"""The index as built in Python: words split as the browser splits them, lunr.py's output kept, shards complete."""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

from digest.commands.sources import read_sources
from digest.output.search.index import (
    FIELDS,
    PRIOR_LEVELS,
    build_index,
    document_terms,
    lunr_reference_index,
    search_documents,
    serialize_whole,
    to_base36,
    upvote_levels,
)
from digest.output.search.shards import DOCS_PER_CHUNK, NUMBER, cut, search_files, term_length, term_records
from digest.output.search.words import (
    AUTHOR_MARK,
    FOLD_MARKS_JS,
    SEPARATOR_JS,
    author_terms,
    fold,
    index_terms,
    split_words,
    stems_of,
)
from digest.project import Project
from tests.helpers import REPO, node_or_fail

LUNR = REPO / "node_modules" / "lunr"


def run_node(script: str, stdin: str = "") -> str:
    node = node_or_fail()
    result = subprocess.run([node, "-e", script], input=stdin, capture_output=True, text=True, timeout=120,
                            cwd=REPO, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def bundled_documents(built_site: tuple[Project, object]) -> tuple:
    sources = read_sources(built_site[0])
    return search_documents(sources.catalog, sources.config.snippet_length)


# --- words: the same split as lunr.js's query lexer --------------------------------------------------------------

def test_words_split_on_punctuation_as_a_reader_expects() -> None:
    assert split_words("GPT-4o/Claude (ICLR) alert(1) R^{mtimes n}") == [
        "GPT", "4o", "Claude", "ICLR", "alert", "1", "R", "mtimes", "n"]
    assert index_terms("Federated learning: the survey of surveys") == ["feder", "learn", "survey", "survey"]
    assert split_words("μLO τ-bench TÜLU naïve İstanbul") == ["μLO", "τ", "bench", "TÜLU", "naïve", "İstanbul"]


def test_every_bmp_character_separates_words_in_python_exactly_when_it_does_in_the_browser() -> None:
    """The JS rule (SEPARATOR_JS, tested one UTF-16 code unit at a time, as the lexer does) against words.py."""
    script = f"""
      const re = new RegExp({json.dumps(SEPARATOR_JS)});
      let out = "";
      for (let code = 0; code < 0x10000; code++) out += re.test(String.fromCharCode(code)) ? "1" : "0";
      process.stdout.write(out);
    """
    browser = run_node(script)
    differences = []
    for code in range(0x10000):
        char = chr(code)
        python_separates = char != "*" and split_words(f"a{char}b") != [f"a{char}b"]
        if 0xD800 <= code <= 0xDFFF:
            python_separates = True  # a lone surrogate: in Python text these come only as non-BMP pairs
        if python_separates != (browser[code] == "1"):
            differences.append(f"U+{code:04X}")
    assert not differences, f"{len(differences)} characters split differently: {differences[:20]}"


def test_the_browser_lexer_gives_the_words_python_indexes() -> None:
    """lunr.QueryLexer with the site's separator, on hostile text, yields the same lowercased words."""
    texts = ["GPT-4o/Claude (ICLR) alert(1)", "“Quoted” words, commas; semi:colons", "μLO τ-bench TÜLU İstanbul ß",
             "emoji😀split 𝒜lgebra x²", "R^{mtimes n} a_b c.d e'f", "ΣΑΣ ΟΔΟΣ", "日本語のテキスト 中文"]
    script = f"""
      const lunr = require("./node_modules/lunr");
      lunr.QueryLexer.termSeparator = new RegExp({json.dumps(SEPARATOR_JS)});
      const texts = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const words = texts.map(t => {{
        const lexer = new lunr.QueryLexer(t.replace(/[:^~+\\\\-]/g, " ")); lexer.run();
        return lexer.lexemes.filter(l => l.type === lunr.QueryLexer.TERM).map(l => l.str.toLowerCase());
      }});
      process.stdout.write(JSON.stringify(words));
    """
    browser = json.loads(run_node(script, json.dumps(texts)))
    python = [[word.lower() for word in split_words(text.replace(":", " ").replace("^", " ").replace("~", " ")
                                                    .replace("+", " ").replace("\\", " ").replace("-", " "))]
              for text in texts]
    assert browser == python


# --- the index: lunr.py's, exactly -------------------------------------------------------------------------------

def test_the_numpy_index_is_the_index_lunr_py_writes_byte_for_byte(bundled_documents: tuple) -> None:
    terms = document_terms(bundled_documents)
    ours = json.dumps(serialize_whole(build_index(terms)), sort_keys=False)
    stock = json.dumps(lunr_reference_index(terms), sort_keys=False)
    assert len(ours) > 100_000
    assert ours == stock


def test_every_posting_of_the_whole_index_is_in_exactly_one_term_shard(bundled_documents: tuple) -> None:
    index = build_index(document_terms(bundled_documents))
    whole = serialize_whole(index)
    records = term_records(index)
    assert [key for key, _ in records] == [term for term, _ in whole["invertedIndex"]]
    vectors = dict(whole["fieldVectors"])
    for key, data in records:
        name, term_index, *fields = json.loads(data)
        assert name == key
        for (field, _), postings in zip(FIELDS, fields, strict=True):
            number = 0
            for position in range(0, len(postings), 2):
                number = postings[0] if position == 0 else number + postings[position]
                vector = vectors[f"{field}/{to_base36(number)}"]
                scores = dict(zip(vector[::2], vector[1::2], strict=True))
                assert scores[term_index] == postings[position + 1]
    shards = cut(records, 5_000)
    assert len(shards) > 5
    assert sum(len(json.loads(shard.data)) for shard in shards) == len(records)
    assert shards[0].first == "" and all(s.first for s in shards[1:])


def test_postings_written_a_block_at_a_time_are_the_same_records(bundled_documents: tuple,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.output.search import shards

    index = build_index(document_terms(bundled_documents))
    whole = term_records(index)
    monkeypatch.setattr(shards, "POSTINGS_PER_BLOCK", 7)  # blocks end inside a term's postings, and between
    assert term_records(index) == whole


def test_the_manifest_names_every_file_and_documents_are_chunked(bundled_documents: tuple) -> None:
    seen: set[str] = set()
    index = build_index(document_terms(bundled_documents, seen))
    files = search_files(index, [d.shown() for d in bundled_documents], stems_of(seen))
    manifest = json.loads(files["search/manifest.json"])
    ranges = (manifest["terms"] + manifest["words"] + manifest["names"]["lists"] + manifest["vocabulary"]["words"]
              + manifest["vocabulary"]["names"])
    named = {"search/" + name for _, name in ranges} | {"search/" + name for name in manifest["chunks"]} | {
        "search/" + manifest["prior"]["file"]}
    assert named == set(files) - {"search/manifest.json"}
    assert len(manifest["chunks"]) == -(-len(bundled_documents) // DOCS_PER_CHUNK)
    words = [pair for _, name in manifest["words"] for pair in json.loads(files["search/" + name])]
    assert ["distillation", "distil"] in words and all(word != stem for word, stem in words)
    first_chunk = json.loads(files["search/" + manifest["chunks"][0]])
    assert first_chunk[0] == bundled_documents[0].shown()


def test_search_files_are_the_same_bytes_every_build(bundled_documents: tuple) -> None:
    from digest.output.search import build_search_files
    assert build_search_files(bundled_documents) == build_search_files(bundled_documents)


def test_a_title_full_of_query_syntax_is_indexed_as_words(tmp_path: Path) -> None:
    assert index_terms("title:merging +continual -survey distill* fed~1 boost^10") == [
        "titl", "merg", "continu", "survey", "distil", "fed", "1", "boost", "10"]


def test_a_preview_rebuild_with_kept_terms_writes_what_a_full_build_writes(bundled_documents: tuple) -> None:
    """New and changed papers move every idf: the kept terms are re-weighted, the files equal a fresh build's."""
    from dataclasses import replace

    from digest.output.search import SearchCache, build_search_files

    cache = SearchCache()
    build_search_files(bundled_documents[:-1], cache)
    changed = (*bundled_documents[:10], replace(bundled_documents[10], abstract="Edited: federated distillation."),
               *bundled_documents[11:])
    for documents in (bundled_documents, changed, changed[5:]):
        assert build_search_files(documents, cache) == build_search_files(documents)
        assert set(cache.papers) == {document.indexed() for document in documents}, "only the last build's papers"
    assert build_search_files(changed[5:], cache) is cache.files, "unchanged documents reuse the last files"


def test_new_upvotes_write_only_the_prior_the_changed_chunk_and_the_manifest(bundled_documents: tuple) -> None:
    """Today's snapshot fetched again with new counts: the index is the same, so its files are kept."""
    from dataclasses import replace

    from digest.output.search import SearchCache, build_search_files

    cache = SearchCache()
    before = build_search_files(bundled_documents, cache)
    index_made = cache.index_files
    voted = (*bundled_documents[:20], replace(bundled_documents[20], upvotes=77), *bundled_documents[21:])
    after = build_search_files(voted, cache)
    assert after == build_search_files(voted), "what a full build writes"
    assert cache.index_files is index_made
    changed = {path.split("/")[1] for path in set(after) ^ set(before)}
    assert changed == {"d", "p"} and after["search/manifest.json"] != before["search/manifest.json"]
    assert len(set(after) - set(before)) == 2, "one chunk and the prior"


def test_a_preview_reuses_the_documents_of_unchanged_papers_and_renames_topics(built_site: tuple[Project, object],
                                                                              ) -> None:
    from dataclasses import replace

    from digest.output.search import SearchCache, catalog_documents

    sources = read_sources(built_site[0])
    catalog, length = sources.catalog, sources.config.snippet_length
    cache = SearchCache()
    first = catalog_documents(catalog, length, cache)
    assert first == search_documents(catalog, length)
    again = catalog_documents(catalog, length, cache)
    assert all(a is b for a, b in zip(first, again, strict=True)), "equal papers keep their documents"
    renamed = replace(catalog, topics=tuple(replace(topic, name=topic.name + " (renamed)") for topic in catalog.topics))
    documents = catalog_documents(renamed, length, cache)
    assert documents == search_documents(renamed, length) != first
    assert all("(renamed)" in name for document in documents for name in document.topic_names)
    assert catalog_documents(catalog, length + 10, cache) == search_documents(catalog, length + 10)


# --- names, close spellings, the upvote prior ---------------------------------------------------------------------

def test_author_names_are_folded_and_marked_never_stemmed_nor_dropped() -> None:
    assert author_terms("Tri Dao, Jürgen Schmidhuber, Kaiming He, İlker Ñandú, ΟΔΟΣ") == [
        "tri@", "dao@", "jurgen@", "schmidhuber@", "kaiming@", "he@", "ilker@", "nandu@", "οδος@"]
    assert index_terms("try trying Tri") == ["tri", "tri", "tri"], "the words' stem, which names no longer share"
    assert index_terms("he") == [] and AUTHOR_MARK not in SEPARATOR_JS.replace("[^", "")


def test_the_browser_folds_every_letter_as_python_does() -> None:
    """search-index.js folds a query word with `normalize("NFD")` and FOLD_MARKS_JS after lunr lowercased it:
    for every BMP letter and digit, and words where case depends on the neighbours, the same as words.fold."""
    words = [chr(code) for code in range(0x10000) if split_words(f"a{chr(code)}b") == [f"a{chr(code)}b"]]
    words += ["ΟΔΟΣ", "İSTANBUL", "Müller", "Ångström", "Nguyễn", "Łukasz", "Çağlar", "Ørsted", "ﬁne"]
    script = f"""
      const marks = new RegExp({json.dumps(FOLD_MARKS_JS)}, "g");
      const words = JSON.parse(require("fs").readFileSync(0, "utf8"));
      process.stdout.write(JSON.stringify(words.map(w => w.toLowerCase().normalize("NFD").replace(marks, ""))));
    """
    browser = json.loads(run_node(script, json.dumps(words)))
    differences = [(word, ours, theirs) for word, ours, theirs in zip(words, map(fold, words), browser, strict=True)
                   if ours != theirs]
    assert len(words) > 40_000 and not differences, differences[:20]
    assert fold("Müller") == "muller" and fold("ΟΔΟΣ") == "οδος"


def test_name_lists_and_vocabulary_hold_every_word_and_name_once(bundled_documents: tuple) -> None:
    """The name lists hold every name; the vocabulary every word as typed (lowercased, not stemmed: the browser
    stems what it finds) and every name, numbers left out, each in the file of its length."""
    from dataclasses import replace

    named = [replace(document, authors=("Tri Dao", "Ana Müller", "Kaiming He")) if number % 3 == 0 else document
             for number, document in enumerate(bundled_documents)]
    seen: set[str] = set()
    index = build_index(document_terms(named, seen))
    files = search_files(index, [d.shown() for d in named], stems_of(seen))
    manifest = json.loads(files["search/manifest.json"])
    lists = [json.loads(files["search/" + name]) for _, name in manifest["names"]["lists"]]
    names = [name for part in lists for name in part]
    assert names == sorted(term.removesuffix(AUTHOR_MARK) for term in index.terms if term.endswith(AUTHOR_MARK))
    assert {"tri", "muller", "he"} <= set(names)
    assert [first for first, _ in manifest["names"]["lists"]] == ["", *(part[0] for part in lists[1:])]
    expected = {"words": {word.lower() for word in seen if index_terms(word)},
                "names": {term for term in index.terms if term.endswith(AUTHOR_MARK)}}
    for kind, files_by_length in manifest["vocabulary"].items():
        held = []
        for position, (first, name) in enumerate(files_by_length):
            last = files_by_length[position + 1][0] - 1 if position + 1 < len(files_by_length) else 10**9
            terms = json.loads(files["search/" + name])
            assert all(first <= term_length(term) <= last for term in terms), (kind, first, last)
            held += terms
        wanted = {term for term in expected[kind] if not NUMBER.fullmatch(term.removesuffix(AUTHOR_MARK))}
        assert sorted(held) == sorted(wanted) and len(held) == len(set(held)), kind
    assert any(NUMBER.fullmatch(word) for word in expected["words"]), "numbers were left out"
    assert "federated" in expected["words"] and "feder" not in expected["words"], "words, not stems"


def test_upvote_levels_are_bounded_and_logarithmic() -> None:
    levels = upvote_levels([0, 1, 9, 99, 500, None])
    assert [int(level, 36) for level in levels] == [0, round(PRIOR_LEVELS * math.log(2) / math.log(501)),
                                                    round(PRIOR_LEVELS * math.log(10) / math.log(501)),
                                                    round(PRIOR_LEVELS * math.log(100) / math.log(501)),
                                                    PRIOR_LEVELS, 0]
    assert upvote_levels([0, 0]) == "00" and upvote_levels([]) == ""
    assert int(max(upvote_levels(range(100_000)), key=lambda level: int(level, 36)), 36) == PRIOR_LEVELS
