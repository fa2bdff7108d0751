"""Word error rate for the voice benchmarks, with a normaliser that does not count how a
recogniser writes a number or a code as an error ("ME-220719", "me 220,719" and
"M E 2 2 0 7 1 9" are the same words said)."""

from __future__ import annotations

import re
import unicodedata

_NUMBERS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10",
}
_ORD = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
        "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
        "eighteenth", "nineteenth", "twentieth"]
for _i, _w in enumerate(_ORD, 1):
    _NUMBERS[_w] = f"{_i}{'st' if _i % 10 == 1 and _i != 11 else 'nd' if _i % 10 == 2 and _i != 12 else 'rd' if _i % 10 == 3 and _i != 13 else 'th'}"
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_TEENS = {"eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16",
          "seventeen": "17", "eighteen": "18", "nineteen": "19"}
# British and American spellings of one word (the recogniser writes American English).
_SPELLING = {
    "neighbour": "neighbor", "neighbours": "neighbors", "colour": "color", "favour": "favor", "honour": "honor",
    "behaviour": "behavior", "centre": "center", "metre": "meter", "cheque": "check", "cheques": "checks",
    "organise": "organize", "organised": "organized", "realise": "realize", "realised": "realized",
    "apologise": "apologize", "apologised": "apologized", "recognise": "recognize", "travelling": "traveling",
    "cancelled": "canceled", "cancelling": "canceling", "programme": "program", "licence": "license",
    "tyre": "tire", "analyse": "analyze", "prioritise": "prioritize", "authorise": "authorize",
    "authorised": "authorized", "emphasise": "emphasize", "judgement": "judgment", "enrol": "enroll",
    "fulfil": "fulfill", "catalogue": "catalog", "labour": "labor", "grey": "gray", "mould": "mold",
}
# Hesitations a recogniser may leave out or write its own way: not words either way.
_DROP = {"hmm", "hm", "mm", "mmm", "um", "umm", "uh", "uhh", "er", "erm", "ah", "eh"}
_JOIN = [(r"\bgood bye\b", "goodbye"), (r"\bok\b", "okay"), (r"\bo\.k\.", "okay"), (r"\balright\b", "all right"),
         (r"£\s?([\d,.]+)", r"\1 pounds"), (r"\$\s?([\d,.]+)", r"\1 dollars"), (r"€\s?([\d,.]+)", r"\1 euros")]
_CONTRACTIONS = [
    (r"\bi'm\b", "i am"), (r"\b(it|that|what|there|here|he|she|let)'s\b", r"\1 is"), (r"n't\b", " not"),
    (r"'re\b", " are"), (r"'ve\b", " have"), (r"'ll\b", " will"), (r"'d\b", " would"),
]
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def normalise(text: str) -> list[str]:
    # Diacritics folded: a recogniser writing "astept" for "aștept" heard the word.
    t = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    t = t.replace("’", "'")
    for pat, rep in _CONTRACTIONS:
        t = re.sub(pat, rep, t)
    for pat, rep in _JOIN:
        t = re.sub(pat, rep, t)
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)  # 220,719 -> 220719
    t = re.sub(r"(?<=\d)\.(?=\d)", " point ", t)  # 2.9 -> 2 point 9
    t = t.replace("%", " percent")
    t = re.sub(r"(?<=\w)-(?=\w)", " ", t)  # ME-220719, well-known -> two words
    raw = [w for w in _TOKEN.findall(t) if w not in _DROP]
    toks = []
    i = 0
    while i < len(raw):  # "twenty one" -> "21", "forty" -> "40"
        w = raw[i]
        if w in _TENS:
            n = _TENS[w]
            if i + 1 < len(raw) and raw[i + 1] in _NUMBERS and _NUMBERS[raw[i + 1]].isdigit() and 0 < int(_NUMBERS[raw[i + 1]]) < 10:
                n += int(_NUMBERS[raw[i + 1]])
                i += 1
            toks.append(str(n))
        else:
            toks.append(_SPELLING.get(w, _TEENS.get(w, _NUMBERS.get(w, w))))
        i += 1
    # "18 thousand" -> "18000", as a recogniser writes it.
    merged: list[str] = []
    for w in toks:
        if w == "thousand" and merged and merged[-1].isdigit():
            merged[-1] = str(int(merged[-1]) * 1000)
        elif w == "hundred" and merged and merged[-1].isdigit() and len(merged[-1]) == 1:
            merged[-1] = str(int(merged[-1]) * 100)
        else:
            merged.append(w)
    toks = [w.replace("'", "") for w in merged]
    # A code said in pieces: runs of digits and single letters are one token, and a short
    # letter prefix joins the digits after it ("me" + "220719").
    out: list[str] = []
    for w in toks:
        codey = w.isdigit() or (len(w) == 1 and w.isalpha() and w not in ("a", "i"))
        if out and codey and (out[-1].isdigit() or _is_code(out[-1]) or (w.isdigit() and len(out[-1]) <= 2 and out[-1].isalpha() and out[-1] not in ("a", "i", "is", "at", "on", "in", "to", "of", "it", "no", "so", "my", "by", "or", "be", "we", "do", "go", "up", "us", "an", "as", "if"))):
            out[-1] = out[-1] + w
        else:
            out.append(w)
    return out


def _is_code(w: str) -> bool:
    return any(c.isdigit() for c in w) or (len(w) == 1 and w.isalpha() and w not in ("a", "i"))


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    d = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(hyp) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (ref[i - 1] != hyp[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(hyp)]


def word_errors(ref: str, hyp: str) -> tuple[int, int]:
    """(errors, reference words)."""
    r, h = normalise(ref), normalise(hyp)
    return edit_distance(r, h), len(r)


def wer(ref: str, hyp: str) -> float:
    e, n = word_errors(ref, hyp)
    return e / max(1, n)
