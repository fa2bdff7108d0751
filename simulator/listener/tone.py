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

from simulator.text import sentences

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
