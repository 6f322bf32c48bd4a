"""Terms: each paper's words, two-word phrases and authors, counted with numpy; how to spell them.

A term is a key (an int): a stem's number; (first stem + 1) << STEM_BITS | second stem for a phrase;
AUTHOR + a number for an author (EXTRA and up: no word). A `Vocabulary` splits each title, abstract and
keyword list into numbered tokens once (a chunk of texts at a time: their words as strings are the bulky part)
and keeps the numbers, so phrase spellings are read back without splitting the texts again, and a preview
session splits only its new texts. Stems are numbered in the order the papers, by slug, first have them,
however the session met them: ties between terms go by that number.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from digest.memo import PureMemo
from digest.numbering import in_first_sight_order
from digest.output.search import words as search_words
from digest.output.search.words import index_term, word_runs
from digest.related import filler


class Paper(Protocol):
    """What related papers read of a paper (digest.catalog.Paper has it; the catalog asks for related papers)."""

    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def abstract(self) -> str: ...
    @property
    def topics(self) -> tuple[str, ...]: ...
    @property
    def authors(self) -> tuple[str, ...]: ...
    @property
    def keywords(self) -> tuple[str, ...]: ...


TITLE_WEIGHT = 3  # a title word counts as this many abstract words
KEYWORD_WEIGHT = 2  # a word of the API's ai_keywords counts as this many abstract words
TEXTS = 3  # texts per paper, in this order: title, abstract, keywords (joined by commas)
AUTHOR_WEIGHT = 1.5  # a paper's authors together, relative to one word of the same rarity
PHRASE_SAMPLES = 3  # papers read to see how a phrase is written
OTHER_TOPIC = "other"
CHUNK_PAPERS = 500  # papers split into words at once (their words as strings are the bulky part)

_PREFIXES = frozenset("pre post non self multi semi sub co re de un anti bi tri uni fine".split())  # noqa: SIM905

STEM_BITS = 24  # term keys: a stem's number (below PHRASE); (first stem + 1) << STEM_BITS | second stem for a
PHRASE = 1 << STEM_BITS  # phrase (below EXTRA); AUTHOR + a number for an author
EXTRA = 1 << (2 * STEM_BITS + 1)
AUTHOR = EXTRA + (1 << 32)
_KEY_BITS = 2 * STEM_BITS + 2  # an entry while counting: paper row in its chunk << _KEY_BITS | term key
_FIELD_WEIGHTS = np.array([TITLE_WEIGHT, 1.0, KEYWORD_WEIGHT, 0.0])  # by field: title, abstract, keywords
_WORD = re.compile(r"[^\W_]+")


def _word_term(word: str) -> str | None:
    """A word's stemmed term ("pre-training" as "pretraining"); None for stop and filler words (`filler.py`),
    numbers and single characters."""
    if len(word) < 2 or word.isdigit() or word.lower() in filler.WORDS:
        return None
    term = index_term(word)
    return None if term in filler.STEMS else term


word_term: Callable[[str], str | None] = PureMemo(_word_term).__getitem__


def is_weak(term: str) -> bool:
    """A stem that alone says little about a subject: a code mixing letters and digits ("m1", "r1", "7b", "v2",
    which many unrelated models are called) or two letters ("rl", "mt"). It counts `WEAK_WEIGHT` in a vector
    and is never one of the two terms a link needs (`vectors.py`)."""
    return len(term) <= 2 or (any(char.isdigit() for char in term) and not term.isdigit())


def texts_of(paper: Paper) -> tuple[str, str, str]:
    """The texts a paper's terms come from: title, abstract, and its keywords joined by commas (so no phrase
    runs from one keyword into the next)."""
    return paper.title, paper.abstract, ", ".join(paper.keywords)


def author_key(name: str) -> str:
    return " ".join(name.casefold().split())


_TEXT_END = "\x00"  # a token after each text (no text's token: NUL is neither a word nor white space)


def tokens_of(texts: Sequence[str]) -> list[str]:
    """The tokens of the texts: the words (hyphen-joined words as one), a "|" wherever punctuation separates words,
    and `_TEXT_END` after each text. One split of one joined string: a split per text was a third slower."""
    return "".join(" | ".join(word_runs(text)) + f" | {_TEXT_END} | " for text in texts).split()


class Tokens(dict[str, int]):
    """Numbers for tokens (words, or words joined by hyphens), and what each stands for.

    A token is a run of stems (-1 for a word that is no term), each but the last joined to the next by a
    hyphen; a prefixed token ("pre-training") also stands for its compound ("pretraining").
    """

    def __init__(self) -> None:
        super().__init__()
        self.stems: dict[str, int] = {}
        self.starts: list[int] = []  # token number -> its first stem in `items`
        self.lengths: list[int] = []
        self.items: list[int] = []
        self.compounds: list[int] = []  # token number -> the compound's stem, or -1
        self.weak: list[bool] = []  # stem number -> `is_weak`

    def numbers(self, tokens: list[str]) -> np.ndarray:
        """The tokens' numbers; a token not met before gets the next one."""
        numbers = list(map(self.get, tokens))
        at = 0
        while True:  # the new tokens, rarer and rarer as the corpus is read
            try:
                at = numbers.index(None, at)
            except ValueError:  # none left
                return np.array(numbers, dtype=np.int64)
            known = self.get(tokens[at])  # met earlier in this same list
            numbers[at] = known if known is not None else self._add(tokens[at])

    def _add(self, token: str) -> int:
        number = self[token] = len(self)
        parts = token.split("-") if search_words._WORD.match(token) else [""]  # "|" or a text's end: no stem
        self.starts.append(len(self.items))
        self.lengths.append(len(parts))
        self.items.extend(self.stem(part) for part in parts)
        prefixed = len(parts) > 1 and parts[0].lower() in _PREFIXES
        self.compounds.append(self.stem(parts[0] + parts[1]) if prefixed else -1)
        return number

    def stem(self, word: str) -> int:
        term = word_term(word)
        if term is None:
            return -1
        number = self.stems.get(term)
        if number is None:
            if len(self.stems) >= PHRASE:  # not in practice: 16 million different stems
                raise ValueError("too many different words for related papers")
            number = self.stems[term] = len(self.stems)
            self.weak.append(is_weak(term))
        return number


class Vocabulary:
    """Titles and abstracts split into tokens and numbered (`Tokens`), each text once for as long as it lasts.

    A preview session keeps one from build to build, so a rebuild splits only new texts: splitting and
    numbering were most of the counting. The session's numbers are in the order it met the tokens; `table_for`
    numbers the stems as a fresh count of the same texts would, so the terms never depend on what came before.
    """

    def __init__(self) -> None:
        self.tokens = Tokens()
        self.texts: dict[str, np.ndarray] = {}  # each text's token numbers (int32), in order
        self._table = TokenTable()

    def learn(self, texts: Sequence[str]) -> None:
        """Split and number the texts not met before; forget the ones not among `texts`."""
        known = self.texts
        new = list(dict.fromkeys(text for text in texts if text not in known))
        fresh: dict[str, np.ndarray] = {}
        for start in range(0, len(new), TEXTS * CHUNK_PAPERS):  # the words as strings are the bulky part
            chunk = new[start:start + TEXTS * CHUNK_PAPERS]
            numbers = self.tokens.numbers(tokens_of(chunk)).astype(np.int32)
            ends = np.flatnonzero(numbers == self.tokens[_TEXT_END])
            fresh.update(zip(chunk, np.split(numbers, ends[:-1] + 1), strict=True))
        fresh = {text: numbers[:-1] for text, numbers in fresh.items()}  # without its end
        self.texts = {text: known[text] if text in known else fresh[text] for text in texts}
        self._table.extend(self.tokens)

    def table_for(self, texts: Sequence[str]) -> tuple[TokenTable, np.ndarray, np.ndarray]:
        """The token table with stems numbered in the order they are first met in `texts` (as a fresh
        `Tokens` would number them), how often each token occurs there, and which stems (so numbered) are weak."""
        numbers = np.concatenate([np.zeros(0, dtype=np.int32), *(self.texts[text] for text in texts)])
        table = self._table
        met = in_first_sight_order(numbers, len(table.lengths))  # the tokens in the order the texts first have them
        # Each token's stems, then its compound's: the order `Tokens._add` numbers stems in.
        sizes = table.lengths[met]
        words = table.items[np.repeat(table.starts[met] - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())]
        token_of = np.concatenate([np.repeat(np.arange(len(met)), sizes), np.arange(len(met))])
        stems = np.concatenate([words, table.compounds[met]])[np.argsort(token_of, kind="stable")]
        stems = stems[stems >= 0]
        in_order = in_first_sight_order(stems, len(self.tokens.stems))
        rank = np.full(len(self.tokens.stems) + 1, -1, dtype=np.int64)  # index -1 (no stem) stays -1
        rank[in_order] = np.arange(len(in_order))
        weak = np.array(self.tokens.weak, dtype=bool)[in_order]
        return table.renumbered(rank), np.bincount(numbers, minlength=len(table.lengths)), weak


@dataclass
class Terms:
    """Every paper's terms as entries (paper row, term key, weighted count), paper by paper.

    A word's count is its uses weighted by where (`TITLE_WEIGHT`, 1, `KEYWORD_WEIGHT`), an author's
    `AUTHOR_WEIGHT` / sqrt(authors): a term weighs count × idf.
    `weak` marks the weak stems (`is_weak`); `keyword_phrases` are the phrases some paper has as a whole keyword.
    """

    rows: np.ndarray  # int32
    keys: np.ndarray  # int64
    counts: np.ndarray  # float32
    tokens: Tokens
    table: TokenTable
    token_counts: np.ndarray
    chunks: list[Chunk]
    weak: np.ndarray  # bool, by stem number
    keyword_phrases: np.ndarray  # int64 phrase keys, sorted

    @classmethod
    def count(cls, papers: Sequence[Paper], authors: Sequence[dict[str, str]],
              vocabulary: Vocabulary | None = None) -> Terms:
        """Count every paper's terms; `vocabulary` may hold texts already split and numbered (a preview's)."""
        vocabulary = vocabulary or Vocabulary()
        texts = [text for paper in papers for text in texts_of(paper)]
        vocabulary.learn(texts)
        table, token_counts, weak = vocabulary.table_for(texts)
        extras: dict[str, int] = {}
        parts: list[tuple[np.ndarray | None, ...]] = []
        chunks: list[Chunk] = []
        keyword_phrases: list[np.ndarray] = []
        for start in range(0, len(papers), CHUNK_PAPERS):
            found = [vocabulary.texts[text] for text in texts[TEXTS * start:TEXTS * (start + CHUNK_PAPERS)]]
            lengths = np.array([len(numbers) for numbers in found], dtype=np.int64)
            chunks.append(Chunk(start, np.concatenate([np.zeros(0, dtype=np.int32), *found]), lengths))
            *entries, phrases = chunks[-1].entries(papers[start:start + CHUNK_PAPERS],
                                                   authors[start:start + CHUNK_PAPERS], table, extras)
            parts.append(tuple(entries))
            keyword_phrases.append(phrases)
        joined = []
        for column, dtype in enumerate((np.int32, np.int64, np.float32)):  # one column at a time: less memory
            joined.append(np.concatenate([np.zeros(0, dtype=dtype), *(part[column] for part in parts)]))
            parts = [(*part[:column], None, *part[column + 1:]) for part in parts]
        phrases = np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *keyword_phrases]))
        return cls(*joined, vocabulary.tokens, table, token_counts, chunks, weak, phrases)

    def spellings(self, keys: set[int], papers: Sequence[Paper]) -> dict[int, str]:
        """How to show word and phrase keys: a word as the corpus most often writes its stem, a phrase as the
        first papers having it write it ("class-incremental", "non-IID")."""
        stems = sorted(key for key in keys if key < PHRASE)
        seen: dict[int, Counter[str]] = {stem: Counter() for stem in stems}
        table, names = self.table, list(self.tokens)
        written = self.token_counts > 0  # a session's vocabulary also has tokens of texts now gone
        single = np.flatnonzero((table.lengths == 1) & written)  # most tokens: one word, spelled as the token
        single = single[np.isin(table.items[table.starts[single]], stems)]
        for number, stem, count in zip(single.tolist(), table.items[table.starts[single]].tolist(),
                                       self.token_counts[single].tolist(), strict=True):
            seen[stem][names[number]] += count
        having = np.repeat(np.arange(len(table.lengths)), table.lengths)[np.isin(table.items, stems)]
        hyphenated = np.union1d(having[table.lengths[having] > 1], np.flatnonzero(np.isin(table.compounds, stems)))
        for number in hyphenated[written[hyphenated]].tolist():
            for stem, spelling in table.surfaces(number, names[number]):
                if stem in seen:
                    seen[stem][spelling] += int(self.token_counts[number])
        phrases = np.array(sorted(set(keys) - set(stems)), dtype=np.int64)
        samples: Counter[int] = Counter()
        for chunk in self.chunks:  # the first uses of each phrase, a few per chunk, until each has enough
            if len(samples) == len(phrases) and min(samples.values(), default=PHRASE_SAMPLES) >= PHRASE_SAMPLES:
                break
            at, stems_in_order, texts, numbers, _ = chunk.stems(table)
            pairs = _pairs(stems_in_order, texts)
            found, places = _phrase_keys(stems_in_order, pairs), np.flatnonzero(pairs)
            wanted = np.isin(found, phrases)
            found, places = found[wanted], places[wanted]
            order = np.lexsort((places, found))
            found, places = found[order], places[order]
            first = np.arange(len(found)) - np.searchsorted(found, found) < PHRASE_SAMPLES
            for key, place in zip(found[first].tolist(), places[first].tolist(), strict=True):
                if samples[key] < PHRASE_SAMPLES:
                    samples[key] += 1
                    tokens = numbers[place:place + 2].tolist()
                    offsets = (at[place:place + 2] - table.starts[tokens]).tolist()
                    one, two = (names[token].split("-")[offset] for token, offset in zip(tokens, offsets, strict=True))
                    hyphen = tokens[0] == tokens[1] and offsets[1] == offsets[0] + 1  # in one token: "non-IID"
                    seen.setdefault(key, Counter())[f"{one}{'-' if hyphen else ' '}{two}"] += 1
        tokens, counts = self.tokens, self.token_counts

        def is_written(word: str) -> bool:
            number = tokens.get(word)
            return number is not None and bool(counts[number])

        return {key: _commonest(spellings, is_written) for key, spellings in seen.items()}


def _commonest(spellings: Counter[str], is_written: Callable[[str], bool]) -> str:
    """The commonest spelling ignoring case, as most often written; a word capitalised the way titles and
    sentences capitalise is lowercased when the corpus also writes it so ("Client drift" -> "client drift",
    while "MoE", "non-IID" and "Lumina-Next" stay)."""
    folded: Counter[str] = Counter()
    for spelling, count in spellings.items():
        folded[spelling.lower()] += count
    form = min(folded, key=lambda text: (-folded[text], text))
    best = min((text for text in spellings if text.lower() == form), key=lambda text: (-spellings[text], text))
    capitalised = [word for word in _WORD.findall(best) if word.istitle()]
    if capitalised and all(is_written(word.lower()) for word in capitalised):  # not a name such as "Lumina-Next"
        return _WORD.sub(lambda word: word[0].lower() if word[0].istitle() else word[0], best)
    return best


def phrase_stems(key: int) -> tuple[int, int]:
    return (key >> STEM_BITS) - 1, key & (PHRASE - 1)


class TokenTable:
    """The token numbers' stems as arrays, grown as tokens are met."""

    def __init__(self) -> None:
        self.starts = self.lengths = self.items = self.compounds = np.zeros(0, dtype=np.int64)

    def surfaces(self, number: int, token: str) -> list[tuple[int, str]]:
        """(stem, spelling) of each word of token `number` and of its compound."""
        parts = token.split("-")
        start = int(self.starts[number])
        found = list(zip(self.items[start:start + len(parts)].tolist(), parts, strict=True))
        if self.compounds[number] >= 0:
            found.append((int(self.compounds[number]), f"{parts[0]}-{parts[1]}"))
        return found

    def renumbered(self, rank: np.ndarray) -> TokenTable:
        """The same tokens with stem s numbered rank[s] (rank[-1] is -1: no stem)."""
        table = TokenTable()
        table.starts, table.lengths = self.starts, self.lengths
        table.items, table.compounds = rank[self.items], rank[self.compounds]
        return table

    def extend(self, tokens: Tokens) -> None:
        known = len(self.starts)
        lengths = np.array(tokens.lengths[known:], dtype=np.int64)
        self.starts = np.concatenate([self.starts, np.array(tokens.starts[known:], dtype=np.int64)])
        self.lengths = np.concatenate([self.lengths, lengths])
        self.compounds = np.concatenate([self.compounds, np.array(tokens.compounds[known:], dtype=np.int64)])
        self.items = np.concatenate([self.items, np.array(tokens.items[len(self.items):], dtype=np.int64)])


@dataclass
class Chunk:
    """A chunk's words in order: token numbers, and how many of them each title and abstract has."""

    start: int  # the row of its first paper
    numbers: np.ndarray  # int32
    text_lengths: np.ndarray  # title 3r, abstract 3r + 1, keywords 3r + 2 of the chunk's paper r (`TEXTS`)

    def stems(self, table: TokenTable) -> tuple[np.ndarray, ...]:
        """Every stem in order: (its place in the token table, stem, text), and the token each comes from."""
        texts = np.repeat(np.arange(len(self.text_lengths)), self.text_lengths)
        sizes = table.lengths[self.numbers]
        at = np.repeat(table.starts[self.numbers] - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
        return at, table.items[at], np.repeat(texts, sizes), np.repeat(self.numbers, sizes), texts

    def entries(self, papers: Sequence[Paper], authors: Sequence[dict[str, str]], table: TokenTable,
                extras: dict[str, int]) -> tuple[np.ndarray, ...]:
        """(row, key, weighted count) of every term of the chunk's papers, and the phrase keys of the keywords that
        are two terms and nothing else: the paper's authors' tool calls them a unit, however seldom the corpus does."""
        _, stems, stem_texts, _, texts = self.stems(table)
        words = stems >= 0
        pairs = _pairs(stems, stem_texts)
        compounds = table.compounds[self.numbers]
        prefixed = compounds >= 0
        places = np.concatenate([stem_texts[words], stem_texts[:-1][pairs], texts[prefixed]])  # text TEXTS r + field
        keys = np.concatenate([stems[words], _phrase_keys(stems, pairs), compounds[prefixed]])
        # Count by sorting (row, key, field) codes: each run of equal codes is one term's uses in one text.
        rows, fields = np.divmod(places, TEXTS)
        codes = np.sort((rows << _KEY_BITS | keys) << 2 | fields)
        runs = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        uses = np.diff(np.r_[runs, len(codes)]) * _FIELD_WEIGHTS[codes[runs] & 3]
        cells = codes[runs] >> 2
        firsts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
        counts = np.add.reduceat(uses, firsts) if len(firsts) else uses
        cells = cells[firsts]
        extra_rows, extra_keys, extra_counts = _extras(papers, authors, extras)
        # Whole keywords of two terms: a pair in a keyword text with no term next to it on either side (a comma, a
        # stop word, the text's end): "temporal grounding", not "large language models".
        whole = pairs & np.r_[True, ~pairs[:-1]] & np.r_[~pairs[1:], True] if len(pairs) else pairs
        whole &= stem_texts[:-1] % TEXTS == 2
        return (np.concatenate([self.start + (cells >> _KEY_BITS), self.start + extra_rows]).astype(np.int32),
                np.concatenate([cells & ((1 << _KEY_BITS) - 1), extra_keys]),
                np.concatenate([counts, extra_counts]).astype(np.float32),
                np.unique(_phrase_keys(stems, whole)))

def _pairs(stems: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """Where two terms follow each other in one text, nothing but white space or a hyphen between them."""
    words = stems >= 0
    return words[:-1] & words[1:] & (texts[:-1] == texts[1:])


def _phrase_keys(stems: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    return (stems[:-1][pairs] + 1) << STEM_BITS | stems[1:][pairs]


def _extras(papers: Sequence[Paper], authors: Sequence[dict[str, str]],
            extras: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row in the chunk, key, count) of every author (by `author_key`) of a chunk's papers. Topics are no terms:
    a shared topic ranks a paper higher and fills a short list (`links.py`), but is no word two papers share."""
    rows: list[int] = []
    keys: list[int] = []
    counts: list[float] = []
    for row, names in enumerate(authors):
        people = [AUTHOR + extras.setdefault(key, len(extras)) for key in names if key]
        rows += [row] * len(people)
        keys += people
        counts += [AUTHOR_WEIGHT / math.sqrt(len(people) or 1)] * len(people)
    return np.array(rows, dtype=np.int64), np.array(keys, dtype=np.int64), np.array(counts)
