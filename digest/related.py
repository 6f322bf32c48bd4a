"""Related papers: for each paper, the few others most like it in content, each with a reason a reader can check.

A post-pass over the finished catalog (as Zola's `fill_backlinks`): it needs every paper at once, so it
runs once per build, after the catalog, and is a pure function of the papers. The same papers give the
same lists whatever their order; no network, no model.

Each paper is a TF-IDF vector over

- the words of its title and abstract, split and stemmed as search does (`output/search/words.py`), a title
  word counting `TITLE_WEIGHT` times; a word with a prefix ("pre-training") also as one word ("pretraining");
- two-word phrases that are a unit in the corpus ("client drift", "non-IID"): at least `COLLOCATION` of the
  papers with the rarer of the two words have the phrase;
- its topics (not "Other"), one term each;
- its authors, when known, one term each, together weighing about `AUTHOR_WEIGHT` words of the same rarity.

A term weighs count × ln(N / papers with it). Terms in more than `MAX_DF_SHARE` of the papers are
dropped: they say little about likeness. Each vector is normalised to length 1, then pruned to its
`TOP_TERMS` heaviest terms that some other paper has, so a similarity slightly underestimates the full
cosine and never overestimates it. Similarities are computed a block of rows × every paper at a time
(`BLOCK_BYTES`, so memory stays bounded), by scattering the products of each term's postings: with terms
in at most 5 % of the papers that is cheaper than a dense matrix product. A paper lists the `MAX_RELATED`
most similar papers scoring at least `MIN_SCORE`; scores are rounded to 6 decimals, ties go to the smaller slug.

The reason says what the two papers share: authors, topics, then the shared terms that add most to the
score, each spelled as the corpus most often spells it ("Same topic: Safety, Security and Privacy · shared
terms: federated learning, FL, heterogeneity").
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from digest.inputs.topics import Topic
from digest.output.search.words import index_term, word_runs


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


MAX_RELATED = 5
MIN_SCORE = 0.08  # cosine below which two papers are not called related: they share a word or two by chance
TITLE_WEIGHT = 3  # a title word counts as this many abstract words
TOPIC_WEIGHT = 1.0  # a topic counts like a word of the same rarity
AUTHOR_WEIGHT = 1.5  # a paper's authors together, relative to one word of the same rarity
COLLOCATION = 0.2  # a phrase is a term when at least this share of its rarer word's papers have it
MAX_DF_SHARE = 0.05  # terms in a larger share of the papers are dropped...
MIN_MAX_DF = 20  # ...unless they are in at most this many (a small corpus keeps its shared words)
TOP_TERMS = 30  # terms kept per paper
REASON_TERMS = 3  # shared terms a reason names
REASON_AUTHORS = 2  # shared authors a reason names before "and N more"
PHRASE_SAMPLES = 3  # papers read to see how a phrase is written
OTHER_TOPIC = "other"

CHUNK_PAPERS = 500  # papers split into words at once (their words as strings are the bulky part)
BLOCK_BYTES = 16 << 20  # similarities computed at once: a block of rows × every paper, float32

# Words that join others in an abstract rather than say what it is about; with search's stop words, never terms.
_FILLER = frozenset("""
    via using use used uses based towards toward through without within upon beyond between over under
    such more less both each well thus therefore further furthermore moreover whereas whether very much many
    several various new novel propose proposed proposes present presents introduce introduces paper work
    show shows shown demonstrate demonstrates achieve achieves significantly existing et al etc one two three
    pre post non self multi semi sub co re de un anti bi tri uni fine
    don doesn isn aren didn wasn weren won wouldn couldn shouldn hasn haven
    against unlike despite although though whose onto per versus vs around along instead even still already
    here thereby hence whereby
""".split())  # noqa: SIM905 (a word list reads best as words)
_PREFIXES = frozenset("pre post non self multi semi sub co re de un anti bi tri uni fine".split())  # noqa: SIM905

_STEM_BITS = 24  # term keys: a stem's number; (first stem + 1) << _STEM_BITS | second stem for a phrase;
_PHRASE = 1 << _STEM_BITS  # _EXTRA + a number for a topic or an author
_EXTRA = 1 << (2 * _STEM_BITS + 1)
_AUTHOR = _EXTRA + (1 << 32)  # topics are _EXTRA + a number, authors _AUTHOR + a number
_KEY_BITS = 2 * _STEM_BITS + 2  # an entry while counting: paper row in its chunk << _KEY_BITS | term key
_WORD = re.compile(r"[^\W_]+")
_CANDIDATES = MAX_RELATED + 1  # best scores looked at per paper before rounding and breaking ties


@dataclass(frozen=True)
class Related:
    """A paper related to another, and why, in one line."""

    slug: str
    reason: str


def related_papers(papers: Iterable[Paper], topics: Iterable[Topic] = ()) -> dict[str, tuple[Related, ...]]:
    """Every paper's related papers, most similar first: at most `MAX_RELATED`, never itself, maybe none.

    `topics` gives the names reasons show for topic slugs (a slug without one is shown as it is).
    """
    ordered = sorted(papers, key=lambda paper: paper.slug)
    authors = [{_author_key(name): name for name in paper.authors} for paper in ordered]
    terms = _Terms.count(ordered, authors)
    vectors = _Vectors.weigh(terms, len(ordered))
    rows, others = _nearest(vectors)
    shared = _shared_terms(vectors, rows, others)
    spelled = terms.spellings({key for keys in shared for key in keys}, ordered)
    names = {topic.slug: topic.name for topic in topics}
    lists: dict[str, list[Related]] = {paper.slug: [] for paper in ordered}
    for row, other, keys in zip(rows.tolist(), others.tolist(), shared, strict=True):
        paper, related = ordered[row], ordered[other]
        reason = _reason(paper, related, authors[row], authors[other], names, [spelled[key] for key in keys])
        lists[paper.slug].append(Related(related.slug, reason))
    return {slug: tuple(found) for slug, found in lists.items()}


# --- counting terms -----------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1_000_000)
def _word_term(word: str) -> str | None:
    """A word's stemmed term ("pre-training" as "pretraining"); None for stop and filler words, numbers and single
    characters."""
    if len(word) < 2 or word.isdigit() or word.lower() in _FILLER:
        return None
    return index_term(word)


def _author_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _tokens_of(text: str) -> list[str]:
    """The words of a text (hyphen-joined words as one), with a "|" wherever punctuation separates words."""
    return " | ".join(word_runs(text)).split()


class _Tokens(dict[str, int]):
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

    def numbers(self, tokens: list[str]) -> np.ndarray:
        """The tokens' numbers; a token not met before gets the next one."""
        numbers = list(map(self.get, tokens))
        at = 0
        with contextlib.suppress(ValueError):  # list.index: no new token left
            while True:  # new tokens, rarer and rarer as the corpus is read
                at = numbers.index(None, at)
                known = self.get(tokens[at])  # met earlier in this same list
                numbers[at] = known if known is not None else self._add(tokens[at])
        return np.array(numbers, dtype=np.int64)

    def _add(self, token: str) -> int:
        number = self[token] = len(self)
        parts = token.split("-")
        self.starts.append(len(self.items))
        self.lengths.append(len(parts))
        self.items.extend(self.stem(part) for part in parts)
        prefixed = len(parts) > 1 and parts[0].lower() in _PREFIXES
        self.compounds.append(self.stem(parts[0] + parts[1]) if prefixed else -1)
        return number

    def stem(self, word: str) -> int:
        term = _word_term(word)
        if term is None:
            return -1
        if len(self.stems) >= _PHRASE:  # not in practice: 16 million different stems
            raise ValueError("too many different words for related papers")
        return self.stems.setdefault(term, len(self.stems))

    def surfaces(self, token: str) -> list[tuple[int, str]]:
        """(stem, spelling) of each word of a token and of its compound."""
        number = self[token]
        parts = token.split("-")
        found = list(zip(self.items[self.starts[number]:self.starts[number] + len(parts)], parts, strict=True))
        if self.compounds[number] >= 0:
            found.append((self.compounds[number], f"{parts[0]}-{parts[1]}"))
        return found


@dataclass
class _Terms:
    """Every paper's terms as entries (paper row, term key, weighted count), paper by paper.

    A topic's count is `TOPIC_WEIGHT`, an author's `AUTHOR_WEIGHT` / sqrt(authors): a term weighs count × idf.
    """

    rows: np.ndarray  # int32
    keys: np.ndarray  # int64
    counts: np.ndarray  # float32
    tokens: _Tokens
    table: _TokenTable
    token_counts: np.ndarray
    chunks: list[_Chunk]

    @classmethod
    def count(cls, papers: Sequence[Paper], authors: Sequence[dict[str, str]]) -> _Terms:
        tokens = _Tokens()
        extras: dict[str, int] = {}
        table = _TokenTable()
        token_counts = np.zeros(0, dtype=np.int64)
        parts: list[tuple[np.ndarray, ...]] = []
        chunks: list[_Chunk] = []
        for start in range(0, len(papers), CHUNK_PAPERS):
            chunk = papers[start:start + CHUNK_PAPERS]
            split: list[str] = []
            lengths: list[int] = []
            for paper in chunk:
                for text in (paper.title, paper.abstract):
                    found = _tokens_of(text)
                    split += found
                    lengths.append(len(found))
            numbers = tokens.numbers(split)
            table.extend(tokens)
            counts = np.bincount(numbers, minlength=len(tokens))
            counts[: len(token_counts)] += token_counts
            token_counts = counts
            chunks.append(_Chunk(start, numbers.astype(np.int32), np.array(lengths, dtype=np.int64)))
            parts.append(chunks[-1].entries(chunk, authors[start:start + CHUNK_PAPERS], table, extras))
        empty = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        rows, keys, counts = (np.concatenate([part[i] for part in (empty, *parts)]) for i in range(3))
        return cls(rows, keys, counts, tokens, table, token_counts, chunks)

    def spellings(self, keys: set[int], papers: Sequence[Paper]) -> dict[int, str]:
        """How to show word and phrase keys: a word as the corpus most often writes its stem, a phrase as the
        first papers having it write it ("class-incremental", "non-IID")."""
        stems = sorted(key for key in keys if key < _PHRASE)
        seen: dict[int, Counter[str]] = {stem: Counter() for stem in stems}
        table, names = self.table, list(self.tokens)
        single = np.flatnonzero(table.lengths == 1)  # most tokens: one word, spelled as the token
        single = single[np.isin(table.items[table.starts[single]], stems)]
        for number, stem, count in zip(single.tolist(), table.items[table.starts[single]].tolist(),
                                       self.token_counts[single].tolist(), strict=True):
            seen[stem][names[number]] += count
        having = np.repeat(np.arange(len(table.lengths)), table.lengths)[np.isin(table.items, stems)]
        hyphenated = np.union1d(having[table.lengths[having] > 1], np.flatnonzero(np.isin(table.compounds, stems)))
        for number in hyphenated.tolist():
            for stem, spelling in self.tokens.surfaces(names[number]):
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
        return {key: _commonest(spellings, self.tokens) for key, spellings in seen.items()}


def _commonest(spellings: Counter[str], tokens: _Tokens) -> str:
    """The commonest spelling ignoring case, as most often written; a word capitalised the way titles and
    sentences capitalise is lowercased when the corpus also writes it so ("Client drift" -> "client drift",
    while "MoE", "non-IID" and "Lumina-Next" stay)."""
    folded: Counter[str] = Counter()
    for spelling, count in spellings.items():
        folded[spelling.lower()] += count
    form = min(folded, key=lambda text: (-folded[text], text))
    best = min((text for text in spellings if text.lower() == form), key=lambda text: (-spellings[text], text))
    capitalised = [word for word in _WORD.findall(best) if word.istitle()]
    if capitalised and all(word.lower() in tokens for word in capitalised):  # not a name such as "Lumina-Next"
        return _WORD.sub(lambda word: word[0].lower() if word[0].istitle() else word[0], best)
    return best


def _phrase_stems(key: int) -> tuple[int, int]:
    return (key >> _STEM_BITS) - 1, key & (_PHRASE - 1)


class _TokenTable:
    """The token numbers' stems as arrays, grown as tokens are met."""

    def __init__(self) -> None:
        self.starts = self.lengths = self.items = self.compounds = np.zeros(0, dtype=np.int64)

    def extend(self, tokens: _Tokens) -> None:
        known = len(self.starts)
        lengths = np.array(tokens.lengths[known:], dtype=np.int64)
        self.starts = np.concatenate([self.starts, np.array(tokens.starts[known:], dtype=np.int64)])
        self.lengths = np.concatenate([self.lengths, lengths])
        self.compounds = np.concatenate([self.compounds, np.array(tokens.compounds[known:], dtype=np.int64)])
        self.items = np.concatenate([self.items, np.array(tokens.items[len(self.items):], dtype=np.int64)])


@dataclass
class _Chunk:
    """A chunk's words in order: token numbers, and how many of them each title and abstract has."""

    start: int  # the row of its first paper
    numbers: np.ndarray  # int32
    text_lengths: np.ndarray  # title 2r, abstract 2r + 1 of the chunk's paper r

    def stems(self, table: _TokenTable) -> tuple[np.ndarray, ...]:
        """Every stem in order: (its place in the token table, stem, text), and the token each comes from."""
        texts = np.repeat(np.arange(len(self.text_lengths)), self.text_lengths)
        sizes = table.lengths[self.numbers]
        at = np.repeat(table.starts[self.numbers] - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
        return at, table.items[at], np.repeat(texts, sizes), np.repeat(self.numbers, sizes), texts

    def entries(self, papers: Sequence[Paper], authors: Sequence[dict[str, str]], table: _TokenTable,
                extras: dict[str, int]) -> tuple[np.ndarray, ...]:
        """(row, key, weighted count) of every term of the chunk's papers."""
        _, stems, stem_texts, _, texts = self.stems(table)
        words = stems >= 0
        pairs = _pairs(stems, stem_texts)
        compounds = table.compounds[self.numbers]
        prefixed = compounds >= 0
        places = np.concatenate([stem_texts[words], stem_texts[:-1][pairs], texts[prefixed]])  # title 2r, abstract 2r+1
        keys = np.concatenate([stems[words], _phrase_keys(stems, pairs), compounds[prefixed]])
        # Count by sorting (row, key, abstract?) codes: each run of equal codes is one term's uses in one text.
        codes = np.sort(((places >> 1) << _KEY_BITS | keys) << 1 | (places & 1))
        runs = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        uses = np.diff(np.r_[runs, len(codes)]) * np.where(codes[runs] & 1, 1.0, float(TITLE_WEIGHT))
        cells = codes[runs] >> 1
        firsts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
        counts = np.add.reduceat(uses, firsts) if len(firsts) else uses
        cells = cells[firsts]
        extra_rows, extra_keys, extra_counts = _extras(papers, authors, extras)
        return (np.concatenate([self.start + (cells >> _KEY_BITS), self.start + extra_rows]).astype(np.int32),
                np.concatenate([cells & ((1 << _KEY_BITS) - 1), extra_keys]),
                np.concatenate([counts, extra_counts]).astype(np.float32))


def _pairs(stems: np.ndarray, texts: np.ndarray) -> np.ndarray:
    """Where two terms follow each other in one text, nothing but white space or a hyphen between them."""
    words = stems >= 0
    return words[:-1] & words[1:] & (texts[:-1] == texts[1:])


def _phrase_keys(stems: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    return (stems[:-1][pairs] + 1) << _STEM_BITS | stems[1:][pairs]


def _extras(papers: Sequence[Paper], authors: Sequence[dict[str, str]],
            extras: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row in the chunk, key, count) of every topic (but Other) and author (by `_author_key`) of a chunk's papers."""
    rows: list[int] = []
    keys: list[int] = []
    counts: list[float] = []
    for row, (paper, names) in enumerate(zip(papers, authors, strict=True)):
        topics = [_EXTRA + extras.setdefault(f"topic {slug}", len(extras)) for slug in paper.topics
                  if slug != OTHER_TOPIC]
        people = [_AUTHOR + extras.setdefault(f"author {key}", len(extras)) for key in names if key]
        rows += [row] * (len(topics) + len(people))
        keys += topics + people
        counts += [TOPIC_WEIGHT] * len(topics) + [AUTHOR_WEIGHT / math.sqrt(len(people) or 1)] * len(people)
    return np.array(rows, dtype=np.int64), np.array(keys, dtype=np.int64), np.array(counts)


# --- vectors ------------------------------------------------------------------------------------------------------


@dataclass
class _Vectors:
    """Pruned, normalised TF-IDF vectors as entries sorted by paper row, heaviest first."""

    count: int
    rows: np.ndarray
    terms: np.ndarray  # term number (an index into keys)
    weights: np.ndarray
    starts: np.ndarray  # paper row -> its first entry; count + 1 of them
    keys: np.ndarray  # term number -> term key

    @classmethod
    def weigh(cls, terms: _Terms, count: int) -> _Vectors:
        keys, numbers = np.unique(terms.keys, return_inverse=True)
        df = np.bincount(numbers, minlength=len(keys))
        idf = np.log(count / np.maximum(df, 1))
        weights = terms.counts * idf[numbers]
        dropped = (df > max(MAX_DF_SHARE * count, MIN_MAX_DF)) | _loose_phrases(keys, df)
        weights[dropped[numbers]] = 0.0
        norms = np.sqrt(np.bincount(terms.rows, weights * weights, minlength=count))
        weights = weights / np.where(norms > 0, norms, 1.0)[terms.rows]
        # Only terms another paper has can add to a similarity; keep each paper's heaviest.
        keep = (df[numbers] >= 2) & (weights > 0)
        rows, numbers, weights = terms.rows[keep], numbers[keep], weights[keep]
        # Heaviest first within each paper (entries come by paper, then key; 0 < weight <= 1), ties by key.
        order = np.argsort(rows + (1 - weights), kind="stable")
        rows, numbers, weights = rows[order], numbers[order], weights[order]
        keep = np.arange(len(rows)) - np.searchsorted(rows, rows) < TOP_TERMS
        rows, numbers, weights = rows[keep], numbers[keep], weights[keep]
        used, numbers = np.unique(numbers, return_inverse=True)
        return cls(count, rows, numbers.reshape(-1), weights, np.searchsorted(rows, np.arange(count + 1)), keys[used])


def _loose_phrases(keys: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Phrases whose rarer word is seldom in them ("results show", "models. Federated"): not terms."""
    phrases = np.flatnonzero((keys >= _PHRASE) & (keys < _EXTRA))
    loose = np.zeros(len(keys), dtype=bool)
    if len(phrases):
        words = np.stack([(keys[phrases] >> _STEM_BITS) - 1, keys[phrases] & (_PHRASE - 1)])
        word_df = df[np.searchsorted(keys, words)]  # every word of a phrase is a term too
        loose[phrases] = df[phrases] < COLLOCATION * word_df.min(axis=0)
    return loose


def _nearest(vectors: _Vectors) -> tuple[np.ndarray, np.ndarray]:
    """(row, other) of every related pair, each row's best first: a block of rows × every paper at a time."""
    count = vectors.count
    if count < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    postings = _Postings(vectors.rows, vectors.terms, vectors.weights, len(vectors.keys))
    height = max(1, BLOCK_BYTES // (4 * count))
    scores = np.empty((min(height, count), count), dtype=np.float32)
    found: list[tuple[np.ndarray, np.ndarray]] = []
    for first in range(0, count, height):
        last = min(count, first + height)
        block = scores[: last - first]
        block.fill(0)
        entries = slice(vectors.starts[first], vectors.starts[last])
        postings.scatter(block, first, vectors.rows[entries], vectors.terms[entries], vectors.weights[entries])
        found.append(_best(block, first))
    return np.concatenate([rows for rows, _ in found]), np.concatenate([others for _, others in found])


class _Postings:
    """Every paper having each term, to add one block's products without a dense matrix."""

    def __init__(self, rows: np.ndarray, terms: np.ndarray, weights: np.ndarray, term_count: int) -> None:
        order = np.lexsort((rows, terms))
        self.rows, self.weights = rows[order], weights[order].astype(np.float32)
        self.starts = np.searchsorted(terms[order], np.arange(term_count + 1))

    def scatter(self, scores: np.ndarray, first: int, rows: np.ndarray, terms: np.ndarray,
                weights: np.ndarray) -> None:
        """scores[row - first, other] += weight × the other paper's weight, for each (row, term, weight)."""
        lengths = self.starts[terms + 1] - self.starts[terms]
        total = int(lengths.sum())
        if not total:
            return
        positions = np.arange(total) + np.repeat(self.starts[terms] - (np.cumsum(lengths) - lengths), lengths)
        cells = np.repeat((rows - first) * scores.shape[1], lengths) + self.rows[positions]
        np.add.at(scores.reshape(-1), cells, np.repeat(weights.astype(np.float32), lengths) * self.weights[positions])


def _best(scores: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, other) of each block row's best scores: rounded to 6 decimals, ties to the smaller row number."""
    height = scores.shape[0]
    lines = np.arange(height)
    scores[lines, lines + first] = -np.inf  # never itself
    columns = np.empty((height, _CANDIDATES), dtype=np.int64)
    values = np.empty((height, _CANDIDATES), dtype=np.float64)
    for rank in range(_CANDIDATES):
        columns[:, rank] = scores.argmax(axis=1)
        values[:, rank] = scores[lines, columns[:, rank]]
        scores[lines, columns[:, rank]] = -np.inf
    values = np.round(values, 6)
    rows = np.repeat(lines + first, _CANDIDATES)
    columns, values = columns.reshape(-1), values.reshape(-1)
    order = np.lexsort((columns, -values, rows))
    rows, columns, values = rows[order], columns[order], values[order]
    keep = (np.arange(len(rows)) - np.searchsorted(rows, rows) < MAX_RELATED) & (values >= MIN_SCORE)
    return rows[keep], columns[keep]


# --- reasons ------------------------------------------------------------------------------------------------------


def _shared_terms(vectors: _Vectors, rows: np.ndarray, others: np.ndarray) -> list[list[int]]:
    """Each pair's shared words and phrases (keys) that add most to its score, a phrase replacing its words."""
    if not len(rows):
        return []
    term_count = len(vectors.keys)
    codes = vectors.rows * term_count + vectors.terms
    order = np.argsort(codes)
    codes, code_weights = codes[order], vectors.weights[order]
    lengths = vectors.starts[rows + 1] - vectors.starts[rows]
    pairs = np.repeat(np.arange(len(rows)), lengths)
    positions = np.arange(int(lengths.sum())) + np.repeat(vectors.starts[rows] - (np.cumsum(lengths) - lengths),
                                                          lengths)
    terms = vectors.terms[positions]
    wanted = np.repeat(others, lengths) * term_count + terms
    at = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
    shared = (codes[at] == wanted) & (vectors.keys[terms] < _EXTRA)
    pairs, terms = pairs[shared], terms[shared]
    products = np.round(vectors.weights[positions][shared] * code_weights[at][shared], 9)
    order = np.lexsort((terms, -products, pairs))
    pairs, terms = pairs[order], terms[order]
    keep = np.arange(len(pairs)) - np.searchsorted(pairs, pairs) < 3 * REASON_TERMS
    bounds = np.searchsorted(pairs[keep], np.arange(len(rows) + 1)).tolist()
    keys = vectors.keys[terms[keep]].tolist()
    return [_pick_terms(keys[bounds[pair]:bounds[pair + 1]]) for pair in range(len(rows))]


def _pick_terms(candidates: list[int]) -> list[int]:
    """The first few candidates, best first; a phrase takes the place of its own words, and a word already
    said by a phrase is left out ("client drift", not "drift, client drift")."""
    chosen: list[int] = []
    in_phrases: set[int] = set()
    for key in candidates:
        if key < _PHRASE:
            if key not in in_phrases:
                chosen.append(key)
            continue
        words = _phrase_stems(key)
        inside = [at for at, known in enumerate(chosen) if known in words]  # its words, chosen on their own
        if inside:
            chosen = [known for known in chosen if known not in words]
            chosen.insert(inside[0], key)
        else:
            chosen.append(key)
        in_phrases.update(words)
    return chosen[:REASON_TERMS]


def _reason(paper: Paper, related: Paper, mine: dict[str, str], theirs: dict[str, str], topic_names: dict[str, str],
            terms: list[str]) -> str:
    parts: list[str] = []
    both = mine.keys() & theirs.keys() if mine and theirs else set()
    authors = [name for key, name in mine.items() if key in both] if both else []
    if authors:
        more = len(authors) - REASON_AUTHORS
        parts.append(f"Shared author{'s' if len(authors) > 1 else ''}: {', '.join(authors[:REASON_AUTHORS])}"
                     + (f" and {more} more" if more > 0 else ""))
    topics = [topic_names.get(slug, slug) for slug in paper.topics if slug != OTHER_TOPIC and slug in related.topics]
    if topics:
        parts.append(f"Same topic{'s' if len(topics) > 1 else ''}: {'; '.join(topics)}")
    if terms:
        label = "shared terms" if len(terms) > 1 else "shared term"
        parts.append(f"{label if parts else label.capitalize()}: {', '.join(terms)}")
    return " · ".join(parts)
