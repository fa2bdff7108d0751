"""Trainer-written phrases (a rubric's, a persona's) matched as examples of meaning."""

from __future__ import annotations

from functools import lru_cache

from .meaning import Example, vocabulary
from .words import clauses


@lru_cache(maxsize=512)
def _compiled(phrases: tuple[str, ...], language: str, mode: str) -> tuple[Example, ...]:
    v = vocabulary(language)
    return tuple(v.compile(p, mode=mode) for p in phrases if p and p.strip())


def means_any(text: str, phrases: list[str], language: str, mode: str = "meaning", any_polarity: bool = False) -> bool:
    """Whether one clause of `text` says what one of `phrases` says (any language of the call,
    and English, since trainees mix). mode "words": the same words in any form ("crediting"
    for "credit"), not widened to their concepts. any_polarity: a negation in the clause does
    not matter (talk of the account is talk of the account, "I can't credit you" too)."""
    for lang in dict.fromkeys([language if language in ("en", "ro") else "en", "en"]):
        v = vocabulary(lang)
        examples = _compiled(tuple(phrases), lang, mode)
        for c in clauses(text, lang)[1]:
            r = v.read(c)
            if any(v.matches(e, r, any_polarity) for e in examples):
                return True
    return False
