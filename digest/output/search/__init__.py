"""Full-text search, prebuilt here and queried in the browser by lunr.js.

words.py turns text into index terms exactly as lunr.js reads a query;
index.py builds one corpus-wide lunr index (BM25, as lunr.py computes it) and
each paper's upvote prior; shards.py cuts the index into term shards, word
shards, name lists, vocabulary files (for close spellings) and document chunks
with a manifest, which templates/static/search-index.js loads piece by piece.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from digest.catalog import Catalog, Paper
from digest.memo import SettingMemo
from digest.output.search.index import (
    DocumentPostings,
    IndexedText,
    SearchDocument,
    TermNumbers,
    document_postings,
    document_terms,
    index_postings,
    search_documents,
    upvote_levels,
)
from digest.output.search.shards import IndexFiles, index_files, site_files
from digest.output.search.words import stems_of


@dataclass
class SearchCache:
    """What a preview session keeps between builds: each paper's postings and words, and the last build's files.

    Splitting, stemming and counting are the per-paper part of indexing, kept as integers (terms numbered by
    `numbers`, the same for the whole session); BM25 weights depend on the whole corpus (every idf moves when
    a paper arrives), so they are recomputed every time from the kept postings: the result is what a full
    build writes, which tests/output/search/test_index.py checks. Postings are kept by the text a paper is indexed by,
    and the index files by all of it, so new upvotes (today's snapshot fetched again) write only the prior,
    the result chunks and the manifest.
    """

    numbers: TermNumbers = field(default_factory=TermNumbers)
    papers: dict[IndexedText, tuple[DocumentPostings, tuple[str, ...]]] = field(default_factory=dict)
    documents: tuple[SearchDocument, ...] | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    by_paper: SettingMemo[Paper, SearchDocument] = field(default_factory=SettingMemo)
    indexed: tuple[IndexedText, ...] | None = None
    index_files: IndexFiles | None = None


def catalog_documents(catalog: Catalog, snippet_length: int, cache: SearchCache | None) -> tuple[SearchDocument, ...]:
    """`search_documents`, reusing a preview's documents of papers equal to last build's (0.14 s at 10,000)."""
    return search_documents(catalog, snippet_length, cache.by_paper if cache is not None else None)


def build_search_files(documents: Sequence[SearchDocument], cache: SearchCache | None = None) -> dict[str, bytes]:
    """Every file search needs, by site path, for these documents (paper number = position)."""
    documents = tuple(documents)
    if cache is not None and cache.documents == documents:
        return cache.files
    indexed = tuple(document.indexed() for document in documents)
    if cache is not None and cache.indexed == indexed and cache.index_files is not None:
        made = cache.index_files
    else:
        made = _index_files(documents, cache)
    files = site_files(made, [document.shown() for document in documents],
                       upvote_levels([document.upvotes for document in documents]))
    if cache is not None:
        cache.documents, cache.files, cache.indexed, cache.index_files = documents, files, indexed, made
    return files


def _index_files(documents: Sequence[SearchDocument], cache: SearchCache | None) -> IndexFiles:
    """The index of `documents` and the files made from it, reusing and keeping a preview's postings."""
    numbers = cache.numbers if cache is not None else TermNumbers()
    known = cache.papers if cache is not None else {}
    fresh: dict[IndexedText, tuple[DocumentPostings, tuple[str, ...]]] = {}
    seen: set[str] = set()
    # Without a cache, each paper's postings are made as the index reads them and not kept: less memory.
    postings = _postings(documents, numbers, known, fresh if cache is not None else None, seen)
    made = index_files(index_postings(postings, numbers), stems_of(seen))
    if cache is not None:
        cache.papers = fresh
    return made


def _postings(documents: Sequence[SearchDocument], numbers: TermNumbers,
              known: Mapping[IndexedText, tuple[DocumentPostings, tuple[str, ...]]],
              keep: dict[IndexedText, tuple[DocumentPostings, tuple[str, ...]]] | None,
              seen: set[str]) -> Iterator[DocumentPostings]:
    """Each paper's postings in order, from `known` or made now; kept in `keep`, words typed added to `seen`."""
    if keep is None:  # a full build: nothing known, nothing kept, each paper's words straight into `seen`
        for document in documents:
            yield document_postings(document_terms([document], seen)[0], numbers)
        return
    for document in documents:
        text = document.indexed()
        found = known.get(text) or _postings_of(document, numbers)
        keep[text] = found
        seen.update(found[1])
        yield found[0]


def _postings_of(document: SearchDocument, numbers: TermNumbers) -> tuple[DocumentPostings, tuple[str, ...]]:
    """The paper's postings, and its distinct words as typed (for the prefix word lists), to keep.

    The words are interned and kept as a tuple: a set per paper cost 160 MB at 20,000 papers. In any order: they
    only ever go into a set.
    """
    seen: set[str] = set()
    (terms,) = document_terms([document], seen)
    return document_postings(terms, numbers), tuple(map(sys.intern, seen))
