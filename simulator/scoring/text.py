"""The matching form of text lives in simulator.text (the listener and the scorer share it).

`any_phrase` is the scorer's fast form of `find_phrase` for long lists: one compiled
alternation per list instead of one search per phrase (the rule pass reads every agent line
against lists of a hundred phrases several times)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from simulator.text import INVISIBLE, clean, find_phrase, phrase_pattern, strip_marks, words
from simulator.text import fold as _fold

# The same lines and phrases are folded again and again in one scoring run.
fold = lru_cache(maxsize=16384)(_fold)

__all__ = ["INVISIBLE", "any_phrase", "clean", "find_phrase", "fold", "phrase_pattern", "strip_marks", "words"]


@lru_cache(maxsize=1024)
def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for i, p in enumerate(phrases):
        ws = [re.escape(w) for w in fold(p or "").split(" ") if w]
        if ws:
            parts.append(f"(?P<p{i}>" + r"\s+".join(ws) + ")")
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])") if parts else None


def any_phrase(folded_text: str, phrases: Sequence[str]) -> str | None:
    """One of `phrases` found as whole words in already folded text (the leftmost), or None."""
    key = tuple(phrases)
    pattern = _alternation(key)
    m = pattern.search(folded_text) if pattern is not None else None
    return key[int(m.lastgroup[1:])] if m else None
