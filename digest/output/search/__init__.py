"""Full-text search, prebuilt here and queried in the browser by lunr.js.

words.py turns text into index terms exactly as lunr.js reads a query;
index.py builds one corpus-wide lunr index (BM25) with lunr.py; shards.py
cuts it into term shards, word shards and document chunks with a manifest,
which templates/static/search-index.js loads piece by piece.
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.output.search.index import SearchDocument, build_index, document_terms
from digest.output.search.shards import search_files
from digest.output.search.words import stems_of


def build_search_files(documents: Sequence[SearchDocument]) -> dict[str, bytes]:
    """Every file search needs, by site path, for these documents (paper number = position)."""
    seen: set[str] = set()
    index = build_index(document_terms(documents, seen))
    return search_files(index, [document.shown() for document in documents], stems_of(seen))
