"""Words of a line as the listener reads them: folded, contractions opened, stemmed, in clauses.

A clause is the stretch of words one negation can reach: "I can't come today, but I'll
send an engineer tomorrow" is two clauses, so the "can't" does not undo the offer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from simulator.text import clean, fold, strip_marks

# English contractions, opened before words are split ("can't" must read as "can not").
_CONTRACTIONS = [
    (re.compile(r"\b(can)'?t\b"), r"\1 not"), (re.compile(r"\bcannot\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"), (re.compile(r"\bshan'?t\b"), "shall not"),
    (re.compile(r"\bain'?t\b"), "is not"),
    (re.compile(r"\b(do|does|did|is|are|was|were|has|have|had|would|could|should|must|need)n'?t\b"), r"\1 not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'ll\b"), " will"), (re.compile(r"'ve\b"), " have"), (re.compile(r"'re\b"), " are"),
    (re.compile(r"\bi'm\b"), "i am"), (re.compile(r"'d\b"), " would"),
    # "that's" is "that is", as "thats" is (`_BARE`); a possessive "'s" ("Dave's router") goes.
    (re.compile(r"\b(that|it|there|here|what|where|how|who|he|she|this|everything|nothing|something)'s\b"),
     r"\1 is"),
    (re.compile(r"'s\b"), ""),
    (re.compile(r"\bgonna\b"), "going to"), (re.compile(r"\bwanna\b"), "want to"),
    (re.compile(r"\bgotta\b"), "have to"),
]
# The same typed without the apostrophe ("whats", "cant", "dont"); only forms that are not
# words of their own ("wont", "its", "well" are left alone).
_BARE = {"whats": "what is", "wheres": "where is", "hows": "how is", "thats": "that is", "theres": "there is",
         "cant": "can not", "dont": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
         "arent": "are not", "wasnt": "was not", "werent": "were not", "havent": "have not", "hasnt": "has not",
         "couldnt": "could not", "wouldnt": "would not", "shouldnt": "should not", "ive": "i have", "im": "i am",
         "youre": "you are", "youll": "you will", "youve": "you have", "theyre": "they are", "weve": "we have",
         "wat": "what", "itll": "it will", "ill": "i will", "hes": "he is", "shes": "she is",
         "pls": "please", "plz": "please", "u": "you", "ur": "your", "thx": "thanks", "ty": "thank you"}
# Romanian clitics: "n-am" is "nu am", "nu-i" is "nu e"; the hyphen joins two words.
_RO_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")

# Where one clause ends and the next begins. A colon or a point between digits is part of a
# time or an amount ("at 7:50", "10.30", "$4.50"), not the end of a sentence.
# A colon ends a sentence that leads into a question ("Quick one: what's your postcode?"), and
# only breaks a clause before a list ("please provide the details: time, place and name").
_SENTENCE_END = re.compile(r"(?:[!?;…]|(?<!\d)\.|\.(?!\d))+|\s[-–—]\s|(?<!\d):|:(?!\d)")
_CLAUSE_BREAK = re.compile(
    r",|(?<!\d):|:(?!\d)|\b(?:but|however|although|though|and|so|because|then|otherwise|whereas|instead|"
    r"dar|insa|totusi|iar|si|deci|pentru ca|fiindca|altfel)\b|(?<=\w )(?=(?:without|fara)\b)")

# "apare" (it appears) and "aparat" (an appliance) share a stem; the verb is kept apart.
_RO_APPEAR = {"apare", "apar", "aparea", "aparut", "aparuta", "apara"}
_STEMMERS = {"en": snowballstemmer.stemmer("english"), "ro": snowballstemmer.stemmer("romanian")}


@lru_cache(maxsize=65536)
def stem(word: str, language: str) -> str:
    """The stem of the folded word. Romanian is folded first too, though its stemmer knows the
    diacritics: trainees type without them, and "factură" and "factura" must be one word."""
    folded = strip_marks(word)
    if language == "ro" and folded in _RO_APPEAR:
        return "apare"
    if language == "ro" and folded == "buna":
        return "buna"  # the greeting, apart from "bun" (fine, good)
    if language == "ro" and folded == "pot":
        return "pot_eu"  # "I can" offers or refuses; "poți" (can you) asks, and stems to "pot"
    return _STEMMERS[language].stemWord(folded)


@dataclass(frozen=True)
class Token:
    word: str      # folded surface form
    stem: str      # folded stem
    start: int     # offsets into the cleaned line, for quotes
    end: int


@dataclass(frozen=True)
class Clause:
    tokens: tuple[Token, ...]
    sentence: int          # index of the sentence it belongs to
    question: bool         # the sentence ends with "?"


def _expand(text: str) -> str:
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return text


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def tokens(text: str, language: str) -> list[Token]:
    """Tokens of one stretch of already cleaned text; offsets point into `text` itself."""
    out = []
    lowered = text.casefold() if len(text.casefold()) == len(text) else text.lower()
    for m in _WORD.finditer(lowered):
        w = m.group(0)
        if language == "en" and w in _BARE:
            opened = _BARE[w]
        else:
            opened = _expand(w) if "'" in w or w in ("cannot", "gonna", "wanna", "gotta") else w
        parts = opened.split() or [w]
        for part in parts:
            part = part.strip("'")
            if not part:
                continue
            if part == "n" and language == "ro":
                part = "nu"
            folded = strip_marks(part)
            out.append(Token(folded, stem(part, language) if language in _STEMMERS else folded,
                             m.start(), m.end()))
    return out


def clauses(text: str, language: str, *, breaks: bool = True) -> tuple[str, list[Clause]]:
    """(the cleaned line, its clauses). Romanian hyphenated clitics are split into words.
    breaks=False: one clause a sentence, its commas and "and"s kept (a set phrase may run over
    them: "vai, ce dramă", "so what?")."""
    line = clean(text)
    work = _RO_HYPHEN.sub(" ", line) if language == "ro" else line
    # Same length as `line` (a hyphen became a space), so offsets stay valid.
    folded = fold(work)
    out: list[Clause] = []
    pos = 0
    sentence = 0
    ends = list(_SENTENCE_END.finditer(work))
    ends = [m for i, m in enumerate(ends) if m.group(0) != ":" or (i + 1 < len(ends) and "?" in ends[i + 1].group(0))]
    for m in ends + [None]:
        end = m.start() if m else len(work)
        chunk_q = bool(m) and "?" in m.group(0)
        seg_start = pos
        for c in (list(_CLAUSE_BREAK.finditer(folded, pos, end)) if breaks else []) + [None]:
            c_end = c.start() if c else end
            toks = tokens(work[seg_start:c_end], language)
            if toks:
                shifted = tuple(Token(t.word, t.stem, t.start + seg_start, t.end + seg_start) for t in toks)
                out.append(Clause(shifted, sentence, chunk_q))
            if c:
                seg_start = c.end()
        pos = m.end() if m else len(work)
        sentence += 1
    return line, out
