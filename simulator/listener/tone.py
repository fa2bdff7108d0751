"""Dismissive or rude by meaning: a line's tone, read from its sentence embedding.

Phrase lists catch the brush-offs somebody wrote down ("that's just how it works"); agents
brush customers off in endless other words ("prices go up everywhere, that's not really on
us", "nu e mare lucru, se întâmplă la toată lumea"). This reads the whole line's
multilingual-e5 embedding (the encoder the listener already loads, see sense.py) with a
linear probe: one weight per embedding dimension, trained by `bench/tone_probe.py --write`
on labelled agent lines (tests/data/tone/lines.jsonl, written blind to the code; the agent
lines of the tuned and first two fresh scored call sets; real agent lines of public service
dialogues as ordinary ones). The weights ship in `tone.npz` beside this file; nothing is
downloaded.

Alone, a line it reads as a brush-off may be a plain fact ("the signal is poor in your area"
scored 0.99), so `brush_off` is trusted only as a pattern (`PATTERN` such lines in a call,
counting rude ones), and only in lines that offer, commit, apologise, greet or say goodbye to
nothing and do not read back what the customer said. The scorecard (scoring/conduct.py) and the
customer (engine/director.py) both count it so, and agree.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulator.text import find_phrase, fold, sentences

WEIGHTS = Path(__file__).with_name("tone.npz")
SCALE = 10.0  # e5 vectors are unit length; the probe was trained on them times this
PATTERN = 2   # brush-offs (rude lines included) in a call before one heard only by meaning counts


def stated(text: str) -> str:
    """What a line states, its questions left out: what the probe reads (and is trained on)."""
    return " ".join(x for x in sentences(text) if not x.endswith("?"))


class ToneProbe:
    """P(dismissive or rude) for an agent line, and the sentence that carries it most."""

    def __init__(self, encoder, path: Path = WEIGHTS) -> None:
        data = np.load(path)
        if str(data["encoder"]) != getattr(encoder, "name", None):
            raise ValueError(f"{path.name} was trained on {data['encoder']}, not {getattr(encoder, 'name', encoder)}")
        self.encoder = encoder
        self.w = data["w"].astype(np.float32)
        self.b = float(data["b"])
        self.threshold = float(data["threshold"])

    def p(self, text: str) -> float:
        e = self.encoder.embed([text])[0]
        return float(1.0 / (1.0 + np.exp(-(SCALE * e @ self.w + self.b))))

    def dismissive(self, text: str) -> str | None:
        """The words that make `text` dismissive or rude (its worst sentence), or None when it
        reads as neither. Only what the line states is read: its questions ask the customer
        something, and "Okay. Have you plugged everything in?" read whole looks curt; a
        brush-off with a question after it ("Don't worry, it's standard. So, why did you
        leave?") is still heard. Fewer than four words stated say too little to go on."""
        said = stated(text)
        if len(said.split()) < 4 or self.p(said) < self.threshold:
            return None
        # The quote is the worst stated sentence of three words or more ("Okay." scores high alone).
        worded = [x for x in sentences(said) if len(x.split()) >= 3]
        if len(worded) <= 1:
            return worded[0] if worded else said
        return worded[int(np.argmax([self.p(x) for x in worded]))]


_lock = threading.Lock()


@lru_cache(maxsize=4)
def _probe_for(encoder) -> ToneProbe | None:
    try:
        return ToneProbe(encoder)
    except (OSError, KeyError, ValueError):  # weights missing or unreadable: the phrase lists alone
        return None


def tone_probe() -> ToneProbe | None:
    """The probe over the process's encoder; None when there is no encoder (the listener then
    hears rudeness by its phrase lists alone)."""
    from . import sense

    encoder = sense.default_encoder()
    if encoder is None:
        return None
    with _lock:
        return _probe_for(encoder)


def brush_off(text: str, *, constructive: bool, answers: str = "") -> str | None:
    """The words of a brush-off heard by meaning in an agent line, or None. `constructive`: the
    line offers what the customer wants, commits to a next step, apologises, holds, greets,
    says goodbye or was an attempt at manipulation (in those the probe failed good calls:
    "Okay, bye." read as curt; leaving out only the greeting's or goodbye's own sentence was
    tried, and failed two more: "That sounds like a lovely way to keep that going." read as
    curt). `answers`: the customer's line it answers; a line that mostly says that back is a
    read-back, not a brush-off ("So the subtitles are too small to read even with your
    glasses." scored 0.99). A question after a brush-off does not hide it ("I don't need his
    life story, madam. How would you rate the app?"): what the line states is read, its
    questions left out."""
    if constructive or _reads_back(stated(text), answers):
        return None
    probe = tone_probe()
    return probe.dismissive(text) if probe is not None else None


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.casefold()) if len(w) >= 4}


def _reads_back(said: str, answers: str, share: float = 0.4) -> bool:
    """`said` repeats `answers`: at least `share` of its words of four letters or more."""
    words = _content_words(said)
    return bool(words) and len(words & _content_words(answers)) >= share * len(words)


# Sending the customer elsewhere to chase it themselves ("you'll need to call billing", "that's
# handled by the field team", "trebuie să vorbiți cu colegii de la recuperare", "se contestă la
# departamentul de facturare"), not handing it over yourself ("I'll transfer you"). Helpful once;
# a pattern of them (with other brush-offs) is the buck-passing blind QA writers marked
# dismissive. Across the call sets: 7 of 45 dismissive calls had one, 1 of 51 good calls.
_ELSEWHERE = re.compile(
    r"\byou(?:'ll| will)?\s+(?:need|have)\s+to\s+(?:call|ring|contact|email|speak\s+to|talk\s+to|go\s+to|raise|"
    r"write|submit|send|fill|visit|complain)\b|"
    r"\byou\s+(?:can|could|should|must)\s+(?:call|ring|contact|email|speak\s+to|talk\s+to|raise\s+it|write\s+to|"
    r"complain\s+to)\b|"
    r"\b(?:that's|that\s+is|it's|this\s+is)\s+(?:handled|dealt\s+with|done)\s+by\b|"
    r"\b(?:that's|that\s+is)\s+something\s+(?:\w+\s+){0,2}(?:would|will)\s+(?:have|need)\s+to\b|"
    r"\btrebuie\s+(?:sa\s+)?(?:vorbiti|sunati|contactati|scrieti|mergeti|depuneti|transmiteti|trimiteti|intrati)\b|"
    r"\btrebuie\s+transmis\w*\b|\bse\s+(?:contesta|depun|transmit|solicita)\w*\s+(?:\w+[\s,]+){0,3}?(?:la|prin|pe|de\s+pe|din)\b|"
    r"\b(?:puteti|va\s+rog\s+sa)\s+(?:suna|sunati|scrie|scrieti|contacta|contactati|merge|mergeti)\s+la\b|"
    r"\bcu\s+colegii\s+de\s+la\b|\bnu\s+am\s+acces\b")
_HANDS_OVER = re.compile(
    r"\b(?:i'll|i\s+will|let\s+me|i\s+can)\s+(?:transfer|pass|put\s+you\s+through|connect|forward|escalate|raise)|"
    r"\bva\s+(?:transfer|fac\s+legatura|pun\s+in\s+legatura)|\btransmit\s+eu\b")


def passes_on(text: str) -> str | None:
    """The sentence that sends the customer elsewhere to chase it, or None (see _ELSEWHERE)."""
    if _HANDS_OVER.search(fold(text)):
        return None
    return next((s for s in sentences(text) if _ELSEWHERE.search(fold(s))), None)


def candidate(text: str, *, answers: str, offers: bool, next_step: bool, courteous: bool,
              taken_back: str = "") -> tuple[str | None, bool]:
    """(the words that may make a line a brush-off, whether they count alone), or (None, False).
    What the customer's director and the scorecard both count (engine/director.py,
    scoring/conduct.py), so that they agree. `offers`: the line offers the goal, apologises,
    holds or was a manipulation attempt; `next_step`: it commits to one; `courteous`: it greets
    or says goodbye; `taken_back`: the understanding a "but" took back ("I understand, but the
    change was in the terms we sent"). A candidate is: a brush-off by meaning (`brush_off`);
    understanding taken back in a line that offers nothing (10 such lines were in dismissive
    calls, 1 in a good one); or the customer sent elsewhere to chase it (`passes_on`, which the
    listener hears as a next step, so only `offers` keeps it from counting). A brush-off by
    meaning that also takes understanding back counts alone; the others only in a pattern."""
    constructive = offers or next_step or courteous
    words = brush_off(text, constructive=constructive, answers=answers)
    taken = taken_back if not constructive else ""
    if words is not None:
        return words, bool(taken)
    if taken:
        return next((x for x in sentences(text) if find_phrase(fold(x), [taken])), text.strip()), False
    return (None if offers else passes_on(text)), False
