"""Text normalisation shared by the listener, the rule checks and the manipulation scanner.

Matching works on a "folded" form: NFKC, invisible characters removed, casefolded,
diacritics stripped (so "mă numesc", "ma numesc" and "MĂ NUMESC" match alike), curly
quotes made straight and whitespace collapsed. Romanian s/t with comma or cedilla both
fold to plain s/t.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Zero-width, joiners, word joiner, BOM, soft hyphen and the bidi controls: invisible in a
# chat box, but they split keywords so naive matching misses them.
INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u180e]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "`": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
                         "\u201f": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"'})
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """NFKC, invisible characters removed, quote marks straightened, whitespace collapsed.
    Case and diacritics are kept: this is the form quotes are compared in."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def fold(text: str) -> str:
    """The matching form: clean, casefolded, without diacritics."""
    return strip_marks(clean(text).casefold())


@lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A folded phrase as a regex matching whole words; spaces match any whitespace.
    A phrase may hold regex alternatives only through `any_phrase`, never raw regex."""
    words = [re.escape(w) for w in fold(phrase).split(" ") if w]
    return re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])")


def find_phrase(folded_text: str, phrases: Iterable[str]) -> str | None:
    """The first of `phrases` found in already folded text, or None."""
    for p in phrases:
        if p and phrase_pattern(p).search(folded_text):
            return p
    return None


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


# A point between digits ("£11.50", "2.0") ends no sentence.
SENTENCE = re.compile(r"(?:[^.!?\n]|(?<=\d)\.(?=\d))+[.!?]*")


def sentences(text: str) -> list[str]:
    """A text's sentences, each with its end mark, stripped; empty ones left out."""
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]
