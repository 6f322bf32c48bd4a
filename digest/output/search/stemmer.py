"""The stemmer of lunr.js 2.3.9, ported to Python so the index and the browser stem words identically.

The search index is built in Python but queried in the browser by lunr.js, which stems each query term
with `lunr.stemmer`. lunr.py's own Porter stemmer disagrees with it on many words (survey, replay, key,
decay, ...), so a term stemmed one way at index time is missed by a query stemmed the other way.
`stem` is a step-by-step port of `porterStemmer` in node_modules/lunr/lunr.js, with the same regular
expressions; tests/output/search/test_stemmer.py checks it against lunr.js word for word. Results are cached, since the
index builder stems every distinct word it meets.

What it takes to behave exactly like the JavaScript:

* JS strings are sequences of UTF-16 code units: `length`, `.` and character classes see a character
  outside the Basic Multilingual Plane (𝒜, emoji) as two surrogates: "𝒜s" is long enough to stem, and
  "𝒜𝒜" does not end in a double consonant. Such words are stemmed as their code units and joined back
  afterwards (`_utf16_units`, `_from_utf16_units`); a surrogate pair given as two Python characters comes
  back as the one character it encodes, as it would from JS.
* JS `.` (without the `s` flag) matches anything but the line terminators \\n, \\r, U+2028 and U+2029;
  Python's matches anything but \\n. `_ANY` spells the JS meaning out.
* JS `$` (without the `m` flag) matches only at the very end; Python's also matches before a final \\n.
  The patterns use `\\Z` instead.
* `[^aeiou]` matches any code unit but those five ASCII letters, in both: é, 4 and ß are consonants.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from digest.memo import PureMemo

__all__ = ["stem"]

_ANY = r"[^\n\r\u2028\u2029]"  # what JS `.` matches
_CONSONANT = "[^aeiou]"
_VOWEL = "[aeiouy]"
_CONSONANTS = _CONSONANT + "[^aeiouy]*"
_VOWELS = _VOWEL + "[aeiou]*"

# The measure m of a stem counts its vowel-consonant sequences: [C](VC){m}[V].
_MGR0 = re.compile(rf"^({_CONSONANTS})?{_VOWELS}{_CONSONANTS}")  # [C]VC... is m>0
_MEQ1 = re.compile(rf"^({_CONSONANTS})?{_VOWELS}{_CONSONANTS}({_VOWELS})?\Z")  # [C]VC[V] is m=1
_MGR1 = re.compile(rf"^({_CONSONANTS})?{_VOWELS}{_CONSONANTS}{_VOWELS}{_CONSONANTS}")  # [C]VCVC... is m>1
_VOWEL_IN_STEM = re.compile(rf"^({_CONSONANTS})?{_VOWEL}")
_CVC = re.compile(rf"^{_CONSONANTS}{_VOWEL}[^aeiouwxy]\Z")  # re4_1b_2 and re3_5 of lunr.js

# The steps' patterns, in the order lunr.js applies them; `^(.+?)suffix$` splits off a suffix.
_STEP_1A = re.compile(rf"^({_ANY}+?)(ss|i)es\Z")
_STEP_1A_S = re.compile(rf"^({_ANY}+?)([^s])s\Z")
_STEP_1B_EED = re.compile(rf"^({_ANY}+?)eed\Z")
_STEP_1B = re.compile(rf"^({_ANY}+?)(ed|ing)\Z")
_LAST_CHAR = re.compile(rf"{_ANY}\Z")  # re_1b_2: `w.replace(/.$/, "")`
_AT_BL_IZ = re.compile(r"(at|bl|iz)\Z")
_DOUBLE_CONSONANT = re.compile(r"([^aeiouylsz])\1\Z")
_STEP_1C = re.compile(rf"^({_ANY}+?[^aeiou])y\Z")
_STEP_4_ION = re.compile(rf"^({_ANY}+?)(s|t)(ion)\Z")
_STEP_5 = re.compile(rf"^({_ANY}+?)e\Z")
_DOUBLE_L = re.compile(r"ll\Z")

# Steps 2 and 3 swap a suffix for another (lunr.js's step2list and step3list); step 4 drops one.
_STEP_2_SUFFIXES = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
    "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
    "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous", "aliti": "al",
    "iviti": "ive", "biliti": "ble", "logi": "log",
}
_STEP_3_SUFFIXES = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
_STEP_4_SUFFIXES = (
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou", "ism", "ate", "iti", "ous",
    "ive", "ize",
)
# `^(.+?)(suffix|suffix|...)$`, the suffixes in lunr.js's order.
_STEP_2 = re.compile(rf"^({_ANY}+?)({'|'.join(_STEP_2_SUFFIXES)})\Z")
_STEP_3 = re.compile(rf"^({_ANY}+?)({'|'.join(_STEP_3_SUFFIXES)})\Z")
_STEP_4 = re.compile(rf"^({_ANY}+?)({'|'.join(_STEP_4_SUFFIXES)})\Z")

# What a word must end with for each step's patterns to have a chance: cheap tests that skip a step.
_STEP_1A_ENDINGS = "s"
_STEP_1B_ENDINGS = ("ed", "ing")
_STEP_1C_ENDINGS = "y"
_STEP_2_ENDINGS = tuple(_STEP_2_SUFFIXES)
_STEP_3_ENDINGS = tuple(_STEP_3_SUFFIXES)
_STEP_4_ENDINGS = (*_STEP_4_SUFFIXES, "ion")
_STEP_5_ENDINGS = ("e", "ll")

# Characters that are not one UTF-16 code unit of their own: surrogates and everything past U+FFFF.
_NOT_ONE_UNIT = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _surrogate_pair(match: re.Match[str]) -> str:
    offset = ord(match.group()) - 0x10000
    return chr(0xD800 + (offset >> 10)) + chr(0xDC00 + (offset & 0x3FF))


def _utf16_units(word: str) -> str:
    """The word as JS sees it: one Python character per UTF-16 code unit."""
    return _ASTRAL.sub(_surrogate_pair, word)


def _from_utf16_units(units: str) -> str:
    """Back from code units to characters: each surrogate pair becomes the character it encodes."""
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _drop_last_char(w: str) -> str:
    """`w.replace(/.$/, "")`: drop the last character unless it is a line terminator."""
    return _LAST_CHAR.sub("", w, count=1)


def _step_1a(w: str) -> str:
    """Plurals: caresses → caress, ponies → poni, cats → cat."""
    match = _STEP_1A.match(w) or _STEP_1A_S.match(w)
    return match.group(1) + match.group(2) if match else w


def _step_1b(w: str) -> str:
    """-eed, -ed and -ing: agreed → agree, plastered → plaster, hopping → hop, filing → file."""
    match = _STEP_1B_EED.match(w)
    if match:
        return _drop_last_char(w) if _MGR0.match(match.group(1)) else w
    match = _STEP_1B.match(w)
    if not match or not _VOWEL_IN_STEM.match(match.group(1)):
        return w
    w = match.group(1)
    if _AT_BL_IZ.search(w):
        return w + "e"
    if _DOUBLE_CONSONANT.search(w):
        return _drop_last_char(w)
    if _CVC.match(w):
        return w + "e"
    return w


def _step_1c(w: str) -> str:
    """A final y after a non-vowel that is not the first letter becomes i: cry → cri, by → by, say → say."""
    match = _STEP_1C.match(w)
    return match.group(1) + "i" if match else w


def _replace_suffix(w: str, pattern: re.Pattern[str], replacements: dict[str, str]) -> str:
    """Steps 2 and 3: swap the suffix for its replacement when the stem has m > 0."""
    match = pattern.match(w)
    if match and _MGR0.match(match.group(1)):
        return match.group(1) + replacements[match.group(2)]
    return w


def _step_4(w: str) -> str:
    """Drop a suffix such as -ance, -ment or -ion when the stem has m > 1."""
    match = _STEP_4.match(w)
    if match:
        stem_ = match.group(1)
    else:
        match = _STEP_4_ION.match(w)
        if not match:
            return w
        stem_ = match.group(1) + match.group(2)
    return stem_ if _MGR1.match(stem_) else w


def _step_5(w: str) -> str:
    """Drop a final e (m > 1, or m = 1 and not *o), then -ll → -l when m > 1."""
    match = _STEP_5.match(w)
    if match:
        stem_ = match.group(1)
        if _MGR1.match(stem_) or (_MEQ1.match(stem_) and not _CVC.match(stem_)):
            w = stem_
    if _DOUBLE_L.search(w) and _MGR1.match(w):
        w = _drop_last_char(w)
    return w


def _porter_stemmer(w: str) -> str:
    """`porterStemmer` of lunr.js, on a word given as UTF-16 code units."""
    if len(w) < 3:
        return w
    initial_y = w[0] == "y"
    if initial_y:
        w = "Y" + w[1:]
    # Each step runs only if the word ends the way its patterns need; the patterns alone decide.
    if w.endswith(_STEP_1A_ENDINGS):
        w = _step_1a(w)
    if w.endswith(_STEP_1B_ENDINGS):
        w = _step_1b(w)
    if w.endswith(_STEP_1C_ENDINGS):
        w = _step_1c(w)
    if w.endswith(_STEP_2_ENDINGS):
        w = _replace_suffix(w, _STEP_2, _STEP_2_SUFFIXES)
    if w.endswith(_STEP_3_ENDINGS):
        w = _replace_suffix(w, _STEP_3, _STEP_3_SUFFIXES)
    if w.endswith(_STEP_4_ENDINGS):
        w = _step_4(w)
    if w.endswith(_STEP_5_ENDINGS):
        w = _step_5(w)
    if initial_y:
        w = "y" + w[1:]
    return w


def _stem(word: str) -> str:
    """The stem lunr.js 2.3.9's `lunr.stemmer` gives `word` (expected lowercased, as lunr.js's pipeline has it)."""
    if word.isascii() or not _NOT_ONE_UNIT.search(word):
        return _porter_stemmer(word)
    return _from_utf16_units(_porter_stemmer(_utf16_units(word)))



stem: Callable[[str], str] = PureMemo(_stem).__getitem__
