"""How text becomes index terms: exactly as lunr.js reads a query typed in the browser.

A query is split by lunr.js's QueryLexer on `lunr.QueryLexer.termSeparator`,
one UTF-16 code unit at a time, lowercased term by term, then stemmed by
`lunr.stemmer`. The index must hold the very same terms, so here:

- a word is a run of letters and digits (Unicode categories L and N, as this
  Python's Unicode database has them) of the Basic Multilingual Plane;
  everything else separates words, so `GPT-4o/Claude` is `gpt`, `4o`,
  `claude` and `(ICLR)` is `iclr`. Characters beyond the BMP (emoji,
  mathematical letters) are UTF-16 surrogate pairs in JavaScript, which the
  browser's per-code-unit test also treats as separators;
- each word is lowercased on its own, as the query parser does;
- lunr's stop words are dropped (index side only, as in lunr);
- `stemmer.stem` is a port of lunr.js's own stemmer, proven equal word for
  word by tests/output/search/test_stemmer.py.

Author names are not words of a language: stemming made "Tri" (Dao) and "try"
one term. The author field's terms are each word folded (lowercased, the
accents NFD splits off removed: "Müller" is "muller"), never stemmed, no stop
word dropped, and ended with AUTHOR_MARK, which no typed word can contain: an
author term never meets a stemmed one, in the index or in a query. The mark
ends the term rather than starts it, so a name sorts beside the stems of the
same letters ("tri", "tri@") and a query word's two terms mostly share a shard.
search-index.js folds a query word the same way for the author field, with the
marks this module lists (`FOLD_MARKS_JS`, carried by the manifest).

`SEPARATOR_JS` is the same rule as a JavaScript regular expression; the
manifest carries it and search-index.js installs it, so the two sides cannot
drift apart (tests/output/search/test_index.py compares them on every BMP character).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from lunr.stop_word_filter import WORDS as STOP_WORDS

from digest.memo import PureMemo
from digest.output.search.stemmer import stem


def _word_ranges() -> list[tuple[int, int]]:
    """Code point ranges of every BMP letter and digit in this Python's Unicode database."""
    return _ranges_of([code for code in range(0x10000) if unicodedata.category(chr(code))[0] in "LN"])


def _ranges_of(codes: list[int]) -> list[tuple[int, int]]:
    """Sorted code points as runs of consecutive ones."""
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


def _character_class(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


_RANGES = _word_ranges()
_WORD = re.compile(f"[{_character_class(_RANGES)}]+")
_HYPHENATED = f"{_WORD.pattern}(?:-{_WORD.pattern})*"
_RUN = re.compile(f"{_HYPHENATED}(?:\\s+{_HYPHENATED})*")
# The browser's rule, written out from the same table rather than as \p{L}\p{N}, because browsers
# ship newer Unicode versions than Python and would call a few new letters letters. '*' is kept
# out so a trailing wildcard stays part of its term.
SEPARATOR_JS = f"[^{_character_class(_RANGES)}*]"
# Ends every author term: a separator, so no word typed in a query can hold it or be confused with it.
AUTHOR_MARK = "@"


def _fold_marks() -> frozenset[str]:
    """The nonspacing marks (Mn) that lowercasing and NFD split off BMP letters and digits: what folding drops.

    A word holds no mark of its own (marks separate words), so these are the only ones folding meets.
    """
    marks = set()
    for first, last in _RANGES:
        for code in range(first, last + 1):
            lowered = chr(code).lower()
            if len(lowered) > 1 or not unicodedata.is_normalized("NFD", lowered):  # most letters: neither
                marks.update(char for char in unicodedata.normalize("NFD", lowered)
                             if unicodedata.category(char) == "Mn")
    return frozenset(marks)


_FOLD_MARKS = _fold_marks()
# The same marks for the browser, which folds with `word.normalize("NFD").replace(new RegExp(this, "g"), "")`.
FOLD_MARKS_JS = f"[{_character_class(_ranges_of(sorted(map(ord, _FOLD_MARKS))))}]"


def split_words(text: str) -> list[str]:
    """The words of `text` as typed (not lowercased), in order."""
    return _WORD.findall(text)


def word_runs(text: str) -> list[str]:
    """The runs of words in `text` that only white space separates, as typed: "Federated Learning (FL)" has
    "Federated Learning" and "FL". Words joined by hyphens ("pre-training") are one word here."""
    return _RUN.findall(text)


def _index_term(word: str) -> str | None:
    """The index term for one word as typed, or None for a stop word."""
    lowered = word.lower()
    if lowered in STOP_WORDS:
        return None
    return stem(lowered)


index_term: Callable[[str], str | None] = PureMemo(_index_term).__getitem__


def index_terms(text: str, seen: set[str] | None = None) -> list[str]:
    """Every index term of `text`, in order, repeats kept (term frequency counts them).

    The words as typed are added to `seen`, for `stems_of`.
    """
    words = _WORD.findall(text)
    if seen is not None:
        seen.update(words)
    return [term for term in map(index_term, words) if term is not None]


def fold(word: str) -> str:
    """A word as an author's name is indexed: lowercased, accents dropped ("Müller" -> "muller"), not stemmed."""
    lowered = word.lower()
    if lowered.isascii():
        return lowered
    return "".join(char for char in unicodedata.normalize("NFD", lowered) if char not in _FOLD_MARKS)


def author_terms(text: str) -> list[str]:
    """Every author term of `text` (names), in order: each word folded and marked, stop words kept ("He")."""
    return [fold(word) + AUTHOR_MARK for word in _WORD.findall(text)]


def stems_of(words: set[str]) -> dict[str, str]:
    """Each word (lowercased) that is indexed, with its index term."""
    stems = {}
    for word in words:
        term = index_term(word)
        if term is not None:
            stems[word.lower()] = term
    return stems
