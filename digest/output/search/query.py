"""A search-box query answered at build time exactly as the search page answers it in the browser.

Saved searches (content/interests.yaml's `searches:`) list the papers the search page says match every word of
their query. The browser's answer comes from templates/static/search-index.js over lunr.js; this module is the
same algorithm over the same terms, step for step:

- the query is normalised (an arXiv id typed as `2405.14734` or `arXiv:2405.14734v2` is one word) and parsed by
  lunr's query parser (lunr.py's port of lunr.js's, with words split by words.py's separator as the browser
  installs it from the manifest): `+required`, `-excluded`, `field:word`, `word*` and other wildcards, `word~1`,
  `word^2`;
- each clause becomes its expansion, the index terms it stands for (search-index.js's `plan` and `expansions`):
  a word's stem for the text fields and its folded, marked name for the author field; `distill*` the stems of
  the indexed words starting with it and the terms that do; `word~d` the stems of the indexed words (as typed)
  within d edits, by lunr's own fuzzy match, and the names within d edits;
- lunr's `Index.query` decides which papers are results: every required clause matched in some field, no
  excluded clause matched, some clause matched (every paper when all clauses are excluded);
- the results matching every word (a clause neither excluded nor a stop word) are the ones the page counts
  first ("3 papers match every word of ..."): those are a saved search's papers;
- a word that matches nothing is tried again at one edit (two for nine letters or more, the fewest that find
  something), and that answer is taken when more papers then match every word (or any, where none did).

Scores only order the browser's results (the BM25 dot product, times the upvote prior); a saved search's page
lists its papers newest first, so the set is what must be equal, and lunr keeps every matching paper whatever
its score. tests/output/search/test_query.py checks each step; tests/site/test_saved_searches_browser.py
compares whole answers with the search page in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from lunr.exceptions import QueryParseError
from lunr.query import Query, QueryPresence
from lunr.query_lexer import QueryLexer
from lunr.query_parser import QueryParser
from lunr.stop_word_filter import WORDS as STOP_WORDS
from lunr.token_set import TokenSet

from digest.output.search.index import AUTHOR_FIELD, FIELDS, SearchDocument, document_terms
from digest.output.search.shards import NUMBER, term_length
from digest.output.search.stemmer import stem
from digest.output.search.words import AUTHOR_MARK, SEPARATOR_JS, fold, stems_of

# search-index.js's ARXIV_ID and the retry's word lengths (CLOSE_WORD, CLOSE_TWO).
_ARXIV_ID = re.compile(r"(^|[^\w.]|_)(?:arxiv:)?([0-9]{4})\.([0-9]{4,5})(?:v[0-9]+)?(?![^\W_])", re.IGNORECASE)
CLOSE_WORD, CLOSE_TWO = 5, 9
_SEPARATOR = re.compile(SEPARATOR_JS)
_FIELD_NAMES = tuple(name for name, _ in FIELDS)


class QuerySyntaxError(ValueError):
    """A query lunr's parser rejects; the message is the parser's reason, as the search page shows it."""


def normalize(query: str) -> str:
    """An arXiv id in the query as the one word it is indexed as (search-index.js's `normalize`)."""
    return _ARXIV_ID.sub(lambda match: match[1] + match[2] + match[3], query)


class _Lexer(QueryLexer):
    """lunr's query lexer splitting words where the browser does: words.py's separator, not lunr's default."""

    def lex_text(self) -> Any:
        while True:
            char = self.next()
            if char == self.EOS:
                return self.lex_EOS
            if ord(char) == 92:
                self.escape_character()
                continue
            if char == ":":
                return self.lex_field
            if char in "~^":
                self.backup()
                if self.width > 0:
                    self.emit(self.TERM)
                return self.lex_edit_distance if char == "~" else self.lex_boost
            if char in "+-" and self.width == 1:
                self.emit(self.PRESENCE)
                return self.lex_text
            if _SEPARATOR.match(char):
                return self.lex_term


class _Parser(QueryParser):
    def __init__(self, string: str, query: Query) -> None:
        super().__init__(string, query)
        self.lexer = _Lexer(string)


@dataclass(frozen=True)
class Clause:
    """One parsed clause: its term (lowercased as typed), fields, presence and edit distance (0: none)."""

    term: str
    fields: tuple[str, ...]
    presence: QueryPresence
    edit_distance: int = 0
    nearest: bool = False  # the retry's: the fewest edits up to `edit_distance` that reach some word


def parse(query: str) -> tuple[Clause, ...]:
    """The query's clauses as lunr parses it; QuerySyntaxError with lunr's reason when it cannot."""
    parsed = Query(list(_FIELD_NAMES))
    try:
        _Parser(normalize(query), parsed).parse()
    except QueryParseError as error:
        raise QuerySyntaxError(str(error)) from None
    except ValueError as error:  # lunr.py's int() of a bad edit distance or boost
        raise QuerySyntaxError(str(error)) from None
    return tuple(Clause(clause.term, tuple(clause.fields), clause.presence, clause.edit_distance)
                 for clause in parsed.clauses)


class SearchCorpus:
    """The papers as the search index holds them: each term's papers per field, and the words as typed."""

    def __init__(self, documents: Sequence[SearchDocument]) -> None:
        seen: set[str] = set()
        self.count = len(documents)
        by_field: dict[str, dict[str, list[int]]] = {name: {} for name in _FIELD_NAMES}
        for number, fields in enumerate(document_terms(documents, seen)):
            for field, terms in fields.items():
                papers = by_field[field]
                for term in set(terms):
                    found = papers.get(term)
                    if found is None:
                        papers[term] = [number]
                    else:
                        found.append(number)
        self.postings: dict[str, dict[str, list[int]]] = {}  # each term's papers per field
        for field, papers in by_field.items():
            for term, numbers in papers.items():
                self.postings.setdefault(term, {})[field] = numbers
        self.stems: Mapping[str, str] = stems_of(seen)  # each indexed word (lowercased) with its stem

    @cached_property
    def words_by_length(self) -> dict[int, list[str]]:
        """The vocabulary files' words (indexed words as typed, numbers left out), by length."""
        return _by_length(word for word in self.stems if not NUMBER.fullmatch(word))

    @cached_property
    def names_by_length(self) -> dict[int, list[str]]:
        return _by_length(term for term in self.postings
                          if term.endswith(AUTHOR_MARK) and not NUMBER.fullmatch(term[:-1]))

    @cached_property
    def all_terms(self) -> TokenSet:
        return TokenSet.from_list(sorted(self.postings))

    def papers_with(self, fields: Sequence[str], terms: Sequence[str]) -> set[int]:
        found: set[int] = set()
        for term in terms:
            posting = self.postings.get(term, {})
            for field in fields:
                found.update(posting.get(field, ()))
        return found


def _by_length(terms: Any) -> dict[int, list[str]]:
    by_length: dict[int, list[str]] = {}
    for term in terms:
        by_length.setdefault(term_length(term), []).append(term)
    return by_length


@dataclass(frozen=True)
class Answer:
    """A query's answer: its results (lunr's matches), those matching every word, and whether these are the
    close spellings of a word that matched nothing."""

    results: frozenset[int]
    every_word: frozenset[int]
    close: bool = False


def search(corpus: SearchCorpus, query: str) -> Answer:
    """What the search page finds for `query` (paper numbers), with its retry at close spellings."""
    clauses = parse(query)
    exact, missing = _answer(corpus, clauses)
    retry = _close_spellings(clauses, missing)
    if retry is None:
        return exact
    close, _ = _answer(corpus, retry)
    if len(close.every_word) > len(exact.every_word) or (not exact.results and close.results):
        return Answer(close.results, close.every_word, True)
    return exact


def _answer(corpus: SearchCorpus, clauses: Sequence[Clause]) -> tuple[Answer, list[int]]:
    expanded = [_expansion(corpus, clause) for clause in clauses]
    results = _lunr_matches(corpus, clauses, expanded)
    every = set(results)
    missing = []
    for number, (clause, terms) in enumerate(zip(clauses, expanded, strict=True)):
        if clause.presence == QueryPresence.PROHIBITED or clause.term in STOP_WORDS:
            continue
        papers = corpus.papers_with(clause.fields, terms)
        every &= papers
        if not papers:
            missing.append(number)
    return Answer(frozenset(results), frozenset(every)), missing


def _lunr_matches(corpus: SearchCorpus, clauses: Sequence[Clause], expanded: Sequence[list[str]]) -> set[int]:
    """The papers lunr.js's Index.query returns (whatever their scores): its required, prohibited and matching
    sets, field by field, as it builds them."""
    required: dict[str, set[int]] = {}
    prohibited: set[int] = set()
    matching: set[int] = set()
    for clause, terms in zip(clauses, expanded, strict=True):
        present = [term for term in terms if term in corpus.postings]
        papers = corpus.papers_with(clause.fields, present)
        if clause.presence == QueryPresence.REQUIRED:
            for field in clause.fields:
                required[field] = papers if field not in required else required[field] & papers
        elif clause.presence == QueryPresence.PROHIBITED:
            prohibited |= papers
        if clause.presence != QueryPresence.PROHIBITED:
            matching |= papers
    if clauses and all(clause.presence == QueryPresence.PROHIBITED for clause in clauses):
        matching = set(range(corpus.count))
    for papers in required.values():
        matching &= papers
    return matching - prohibited


def _expansion(corpus: SearchCorpus, clause: Clause) -> list[str]:
    """The index terms a clause stands for (search-index.js's `plan` and `expansions`)."""
    term = clause.term
    stems = any(field != AUTHOR_FIELD for field in clause.fields)
    names = AUTHOR_FIELD in clause.fields
    star = term.find("*")
    terms: list[str] = []
    if clause.edit_distance and star == -1:
        distance = _nearest(corpus, clause, stems, names) if clause.nearest else clause.edit_distance
        if stems:
            terms += [stem(word) for word in _close(corpus.words_by_length, term, distance, False)]
        if names:
            terms += _close(corpus.names_by_length, fold(term) + AUTHOR_MARK, distance, True)
    elif clause.edit_distance:  # `dist*~1`: lunr's own fuzzy match over every term of the index
        fuzzy = TokenSet.from_fuzzy_string(term, clause.edit_distance)
        found = corpus.all_terms.intersect(fuzzy).to_list() if stems else []
        terms += [found_term for found_term in found if _plain(found_term)]
        if names:
            fuzzy = TokenSet.from_fuzzy_string(fold(term) + AUTHOR_MARK, clause.edit_distance)
            terms += [name for name in corpus.all_terms.intersect(fuzzy).to_list()
                      if _is_name(name) and not NUMBER.fullmatch(name[:-1])]
    elif star == -1:
        terms = ([stem(term)] if stems else []) + ([fold(term) + AUTHOR_MARK] if names else [])
    elif re.fullmatch(r"[^*]+\*+", term):
        prefix = term[:star]
        if stems:
            terms += [corpus.stems[word] for word in corpus.stems if word.startswith(prefix)]
            terms += [found for found in corpus.postings if found.startswith(prefix) and not _is_name(found)]
        if names:
            terms += [found for found in corpus.postings if found.startswith(fold(prefix)) and _is_name(found)]
    else:
        if stems:
            terms += [found for found in corpus.postings if _wild(term, found) and not _is_name(found)]
        if names:
            pattern = fold(term) + AUTHOR_MARK
            terms += [found for found in corpus.postings if _wild(pattern, found) and _is_name(found)]
    return sorted(set(terms))


def _is_name(term: str) -> bool:
    return term.endswith(AUTHOR_MARK)


def _plain(term: str) -> bool:
    """A term close spellings may reach: no name, no number."""
    return not _is_name(term) and not NUMBER.fullmatch(term)


def _wild(pattern: str, term: str) -> bool:
    """lunr's wildcard match: `*` stands for any letters, none included."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), term, re.DOTALL) is not None


def _close(by_length: Mapping[int, list[str]], word: str, distance: int, names: bool) -> list[str]:
    """lunr's fuzzy match of `word` among the terms of the lengths `distance` edits reach (a name counted
    without its mark), names or words only, numbers left out."""
    length = term_length(word)
    candidates = sorted(term for size in range(length - distance, length + distance + 1)
                        for term in by_length.get(size, ()))
    if not candidates:
        return []
    found = TokenSet.from_list(candidates).intersect(TokenSet.from_fuzzy_string(word, distance)).to_list()
    return [term for term in found if _is_name(term) == names and not NUMBER.fullmatch(term.removesuffix(AUTHOR_MARK))]


def _nearest(corpus: SearchCorpus, clause: Clause, stems: bool, names: bool) -> int:
    """The fewest edits, below the clause's, that reach some word or name; else the clause's."""
    for distance in range(1, clause.edit_distance):
        if (stems and _close(corpus.words_by_length, clause.term, distance, False)) or (
                names and _close(corpus.names_by_length, fold(clause.term) + AUTHOR_MARK, distance, True)):
            return distance
    return clause.edit_distance


def _close_spellings(clauses: Sequence[Clause], missing: Sequence[int]) -> tuple[Clause, ...] | None:
    """The query again with each word matching nothing (exact, five letters or more) at one or two edits."""
    changed = False
    retry = []
    for number, clause in enumerate(clauses):
        length = term_length(clause.term)
        if number in missing and not clause.edit_distance and "*" not in clause.term and length >= CLOSE_WORD:
            clause = Clause(clause.term, clause.fields, clause.presence, 2 if length >= CLOSE_TWO else 1, True)
            changed = True
        retry.append(clause)
    return tuple(retry) if changed else None
