"""The matching form of text lives in simulator.text (the listener and the scorer share it)."""

from simulator.text import INVISIBLE, clean, find_phrase, fold, phrase_pattern, strip_marks, words

__all__ = ["INVISIBLE", "clean", "find_phrase", "fold", "phrase_pattern", "strip_marks", "words"]
