"""`digest.output.search.stemmer.stem` against lunr.js 2.3.9's own `lunr.stemmer`, word for word.

The browser stems query terms with lunr.js, the index builder with the Python port; a single word on
which they disagree is a word that can never be found. So every vocabulary the site can meet is run
through both (node once per vocabulary, via tests/stem_words.js) and must give zero differences.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pytest

from digest.output.search.stemmer import stem
from tests.helpers import REPO

STEM_WORDS_JS = REPO / "tests" / "stem_words.js"
LUNR_JS = REPO / "node_modules" / "lunr" / "lunr.js"
ENGLISH_WORDS = REPO / "node_modules" / "an-array-of-english-words" / "index.json"
SHARED = REPO.parent / "shared"
GEN_CORPUS = SHARED / "bench" / "gen_corpus.py"
HF_CORPUS = SHARED / "corpus" / "hf-daily-papers"
# 6,000 papers take under a second to generate and already use every name the generator can make
# (24 prefixes x 24 suffixes); 3,000 miss a few.
GEN_CORPUS_PAPERS = 6000


# --- helpers ---------------------------------------------------------------------------------------------------


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """Maximal runs of characters whose Unicode category is a letter (L*) or a number (N*), in every plane."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code))[0] in "LN":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]+")


def vocabulary(texts: Iterable[str]) -> set[str]:
    """The distinct words of `texts`, lowercased, split on everything that is not a letter or number."""
    pattern = _word_pattern()
    words: set[str] = set()
    for text in texts:
        words.update(pattern.findall(text.lower()))
    return words


def js_stems(words: list[str]) -> list[str]:
    """lunr.stemmer of each word, from one run of node."""
    node = shutil.which("node")
    if node is None or not LUNR_JS.is_file():
        pytest.fail(f"node or {LUNR_JS.relative_to(REPO)} is missing: run `make test`, which installs them")
    # ASCII-only JSON: \r, U+2028/2029 and lone surrogates cross the pipe as escapes.
    result = subprocess.run(
        [node, str(STEM_WORDS_JS)], input=json.dumps(words).encode("ascii"), capture_output=True, timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    stems = json.loads(result.stdout.decode("utf-8"))
    assert len(stems) == len(words)
    return stems


def assert_same_stems(name: str, words: Iterable[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Python and lunr.js give every word the same stem; prints how many words were compared."""
    distinct = sorted(set(words))
    differences = [(word, js, py) for word, js in zip(distinct, js_stems(distinct), strict=True)
                   if (py := stem(word)) != js]
    changed = sum(stem(word) != word for word in distinct)
    with capsys.disabled():
        print(f"\n[stemmer] {name}: {len(distinct):,} distinct words compared with lunr.js "
              f"({changed:,} changed by stemming), {len(differences)} differences")
    assert not differences, (
        f"{len(differences)} words stem differently (word, lunr.js, Python), first 30: {differences[:30]}"
    )


# --- known stems -------------------------------------------------------------------------------------------------

# Taken from lunr.js 2.3.9. lunr.py's Porter stemmer gives survei, replai, kei and decai for the first four.
KNOWN_STEMS = {
    "survey": "survey",
    "replay": "replay",
    "key": "key",
    "decay": "decay",
    "distillation": "distil",
    "federated": "feder",
    "generalization": "gener",
    "happy": "happi",
    "crying": "cri",
    "relational": "relat",
    "caresses": "caress",
    "ponies": "poni",
    "hopping": "hop",
    "filing": "file",
    "yelling": "yell",
    "yield": "yield",
    "ab": "ab",
}


@pytest.mark.parametrize(("word", "expected"), KNOWN_STEMS.items())
def test_known_stems(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("𝒜s", "𝒜"),  # three UTF-16 code units, so not too short to stem as it would be with two code points
        ("a𝒜𝒜ing", "a𝒜𝒜"),  # 𝒜𝒜 is not a double consonant: its last two code units differ
        ("cats\r", "cats\r"),  # JS `$` is the very end, and `.` never matches \r, \n, U+2028 or U+2029
        ("cats\n", "cats\n"),  # Python's `$` would match before the final \n
        ("ab\rs", "ab\r"),  # `[^s]` does match \r
        ("a\r\ring", "a\r\ring"),  # no -ing here: the `.+?` before it cannot span a \r
        ("4os", "4o"),
        ("résumés", "résumé"),
    ],
)
def test_javascript_semantics(word: str, expected: str) -> None:
    assert stem(word) == expected


# --- word for word against lunr.js --------------------------------------------------------------------------------


def test_bundled_content(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted((REPO / "content" / "snapshots").glob("*.txt"))
    assert files, "no bundled snapshots in content/snapshots"
    words = vocabulary(file.read_text(encoding="utf-8") for file in files)
    assert len(words) > 1000
    assert_same_stems(f"bundled content ({len(files)} snapshots)", words, capsys)


def _generator_word_pool() -> set[str]:
    """Every word gen_corpus.py can write: its source's and strings' words, its names, months and numbers.

    (A superset: the source's words include its code's.)
    """
    spec = importlib.util.spec_from_file_location("gen_corpus", GEN_CORPUS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = [prefix + suffix for prefix in module.PREFIX for suffix in module.SUFFIX]
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    # Its numbers are at most 50,000 (`num`); percentages such as 12.5 are split at the decimal point.
    numbers = [str(n) for n in range(50_001)]
    # The values of its strings too: HEADER's "\n\nGet" is one word ("nget") in the source.
    strings = [value for value in vars(module).values() if isinstance(value, str)]
    return vocabulary([GEN_CORPUS.read_text(encoding="utf-8"), *strings, *names, *months, *numbers])


def test_benchmark_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not GEN_CORPUS.is_file():
        pytest.skip(f"{GEN_CORPUS} is absent (the shared benchmark tools are not checked out)")
    out = tmp_path / "corpus"
    subprocess.run([sys.executable, str(GEN_CORPUS), "--n", str(GEN_CORPUS_PAPERS), "--out", str(out)],
                   check=True, capture_output=True, timeout=60)
    generated = vocabulary(file.read_text(encoding="utf-8") for file in sorted(out.glob("*.txt")))
    pool = _generator_word_pool()
    with capsys.disabled():
        print(f"\n[stemmer] gen_corpus --n {GEN_CORPUS_PAPERS}: {len(generated):,} words "
              f"({len(generated - pool)} of them built from numbers, like 70b); the generator's word pool: "
              f"{len(pool):,} words, numbers up to 50,000 included")
    assert_same_stems(f"benchmark corpus (--n {GEN_CORPUS_PAPERS} and the generator's word pool)",
                      generated | pool, capsys)


def test_real_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(HF_CORPUS.glob("*.json"))
    if not files:
        pytest.skip(f"{HF_CORPUS} is absent: the real corpus is only on machines that have ../shared/corpus")

    def texts() -> Iterable[str]:
        for file in files:
            for entry in json.loads(file.read_text(encoding="utf-8")):
                paper = entry["paper"]
                yield paper.get("title") or ""
                yield paper.get("summary") or ""

    words = vocabulary(texts())
    assert len(words) > 10_000
    assert_same_stems(f"real corpus hf-daily-papers ({len(files)} files, titles and abstracts)", words, capsys)


def test_english_word_list(capsys: pytest.CaptureFixture[str]) -> None:
    if not ENGLISH_WORDS.is_file():
        pytest.fail(f"{ENGLISH_WORDS.relative_to(REPO)} is missing (a devDependency): run `make test`")
    words = json.loads(ENGLISH_WORDS.read_text(encoding="utf-8"))
    assert len(words) > 200_000
    assert_same_stems("English word list (npm an-array-of-english-words)", words, capsys)


# The suffixes each step of the stemmer looks for, and the ends its conditions look at.
SUFFIXES = [
    "s", "es", "ss", "sses", "ies", "eed", "ed", "ing", "eeding", "ated", "bling", "izing", "ying", "y", "yy",
    "ational", "tional", "enci", "anci", "izer", "bli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator",
    "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "logi", "icate", "ative", "alize", "iciti",
    "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou",
    "ism", "ate", "iti", "ous", "ive", "ize", "sion", "tion", "ion", "e", "ll", "lle", "ally", "ingly", "ies\r",
]
STEMS = [
    "", "a", "b", "y", "e", "s", "l", "ab", "ya", "ay", "by", "sy", "yy", "hop", "fil", "agr", "rel", "gener",
    "condit", "happ", "tr", "cr", "rhythm", "crwth", "str", "bcdfg", "sky", "eye", "buy", "boy", "toy", "yield",
    "é", "ü", "μ", "τ", "ß", "İ", "i̇", "日本", "模型", "4", "42", "4o", "gpt4", "3d", "h100", "r1", "llama3",
    "𝒜", "a𝒜", "𝒜a", "😀", "re😀", "\r", "a\r", "\u2028", "a\u2029", "\ud835", "a\udc9c",
]
HOSTILE = [
    # non-ASCII
    "é", "café", "cafés", "naïve", "naïvety", "über", "übersetzung", "größe", "straße", "straßes", "μ", "μm", "μs",
    "μing", "τ", "ταυ", "τing", "ßß", "ßing", "ßy", "İ", "İstanbul", "i̇stanbul", "ǆ", "ﬁ", "ﬁles", "ﬃciency", "日本語",
    "日本語s", "中文ing", "大规模语言模型", "résumés", "ñandú", "ωmega", "ıing",
    # digits with letters
    "4o", "gpt4", "gpt4o", "3d", "3ds", "2d", "1st", "2nd", "3rd", "4th", "100s", "1990s", "h100s", "a100", "llama3",
    "qwen2", "r1", "x86", "64bit", "fp16", "int8s", "7b", "70bs", "4ies", "3ing", "4ed", "9eed", "1ational", "0y",
    "12y", "y2k", "2024", "000", "٣", "٣ing",
    # y in every position
    "y", "yy", "yyy", "yyyy", "yyyyy", "ya", "ay", "aya", "yay", "yey", "yes", "yess", "yies", "yied", "yeed", "yyed",
    "yying", "yield", "yielding", "yearly", "young", "youth", "eye", "eyed", "eyeing", "byte", "buy", "buying",
    "boy", "boys", "toying", "sky", "skyy", "yly", "ylly", "yally", "yational", "yization", "syzygy", "yttrium",
    "layer", "layers", "playful", "employment", "y4", "y𝒜", "y😀s",
    # very short
    "", "a", "s", "e", "ss", "es", "ed", "ly", "ies", "ied", "yed", "ing", "eed", "sss", "ate", "ion", "ll", "lll",
    "ee", "eee", "ize", "ful",
    # no vowels
    "rhythm", "rhythms", "crwth", "crwths", "tsktsk", "psst", "brr", "brrr", "nth", "ng", "strngths", "bcdfg",
    "xyz", "zzz", "bbb", "hmm", "shh", "cwm", "cwms", "bbbing", "ssss", "tttion", "lll", "nnnes",
    # beyond the Basic Multilingual Plane
    "𝒜", "𝒜𝒜", "𝒜s", "𝒜𝒜s", "a𝒜𝒜ing", "a𝒜ing", "y𝒜ing", "😀", "😀😀ing", "re😀ing", "𝒜ational", "a😀s", "𝒜y",
    "a𝒜y", "𝒜𝒜y", "hop😀😀ing", "𐐀𐐀", "𐐨ies", "𠀀𠀀ed",
    # line terminators and lone surrogates (JSON carries them; the tokenizer never makes them)
    "cats\r", "cats\n", "\ncats", "ca\rts", "ab\rs", "a\r\ring", "cat\u2028s", "sing\u2029", "\rss", "\r\r\r",
    "\ud835", "\udc9c", "a\udc9c\udc9cing", "\ud835\udc9cs", "𝒜\udc9c", "\udc9c𝒜ing", "hop\ud835\ud835ing",
]


def _fuzz_words(count: int) -> list[str]:
    """Random words over an alphabet meant to hit every branch, and random stems with stemmer suffixes."""
    rng = random.Random(239)
    alphabet = [*"aeiouybcdglmnrstvwxz", "é", "ß", "4", "7", "𝒜", "😀", "\r", "\u2028", "\ud835", "\udc9c"]
    weights = [6] * 6 + [4] * 14 + [1] * 10
    words = ["".join(rng.choices(alphabet, weights, k=rng.randint(1, 9))) for _ in range(count)]
    words += ["".join(rng.choices(alphabet, weights, k=rng.randint(0, 5))) + rng.choice(SUFFIXES) for _ in range(count)]
    return words


def test_hostile_words(capsys: pytest.CaptureFixture[str]) -> None:
    crossed = [base + suffix for base in STEMS for suffix in SUFFIXES]
    assert_same_stems(f"hostile words ({len(HOSTILE)} listed, {len(STEMS)} stems x {len(SUFFIXES)} suffixes, fuzz)",
                      [*HOSTILE, *crossed, *KNOWN_STEMS, *_fuzz_words(40_000)], capsys)
