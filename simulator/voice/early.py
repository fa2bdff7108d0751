"""The customer speaks as soon as it can: the first sentence of its line is synthesized while
the rest is still being written, and handed out at once; the rest follows as one more part.

`EarlyVoice.grew(text)` gets the line as the guard lets it through (the whole line so far;
"" when a shown start was withdrawn). Once a whole first sentence is there (a sentence end
followed by the start of the next), it is spoken in a thread. `finish(line, out)` speaks what
is left, hands it out after the first part, and writes the whole line to `out` (for replay,
push-to-talk and the voice figures).

A first sentence already spoken cannot be taken back: if the guard later withdraws the start
and the line is rewritten, the rest is the whole new line (the customer starts again), and
the log says so. The guard withdraws rarely, and only before the end of a line.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("rolecall.voice")

# A sentence end, then a space and the next sentence's start: the first sentence is whole.
_FIRST = re.compile(r"^(.+?[.!?…])[\"')\]]?\s+\S")
MIN_WORDS = 2  # "Yes." alone is spoken with the rest: a part that short only adds a gap


def first_sentence(text: str) -> str | None:
    m = _FIRST.match(text.strip())
    if m is None or len(m.group(1).split()) < MIN_WORDS:
        return None
    return m.group(1)


class EarlyVoice:
    def __init__(self, synthesize: Callable[[str, Path], Path], folder: Path,
                 on_audio: Callable[[str], None]) -> None:
        self._synthesize = synthesize
        self._folder = folder
        self._on_audio = on_audio
        self._first: str | None = None
        self._first_path: Path | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self.first_at: float | None = None  # time.monotonic() when the first part was handed out
        self._stamp = f"{time.time_ns()}"

    def grew(self, text: str) -> None:
        if self._first is not None:
            return
        sentence = first_sentence(text)
        if sentence is None:
            return
        self._first = sentence
        self._thread = threading.Thread(target=self._speak_first, name="early-voice", daemon=True)
        self._thread.start()

    def _speak_first(self) -> None:
        try:
            path = self._synthesize(self._first, self._folder / f"part-{self._stamp}-1.wav")
            self._first_path = Path(path)
            self.first_at = time.monotonic()
            self._on_audio(str(path))
        except BaseException as exc:  # noqa: BLE001 - finish() speaks the whole line instead
            self._error = exc
            log.warning("the first sentence could not be spoken early: %s", exc)

    def finish(self, line: str, out: Path) -> Path:
        """Speak the rest of `line`, hand it out, and write the whole line's voice to `out`."""
        if self._thread is not None:
            self._thread.join()
        spoken = self._first_path if self._error is None else None
        if spoken is None:
            path = self._synthesize(line, out)
            self.first_at = time.monotonic()
            self._on_audio(str(path))
            return Path(path)
        rest = line.strip()
        if rest.startswith(self._first):
            rest = rest[len(self._first):].strip()
        else:
            log.warning("the customer's first sentence was spoken, then withdrawn by the guard; it starts again")
        if not rest:
            _join([spoken], out)
            return out
        rest_path = Path(self._synthesize(rest, self._folder / f"part-{self._stamp}-2.wav"))
        self._on_audio(str(rest_path))
        _join([spoken, rest_path], out)
        return out


def _join(parts: list[Path], out: Path) -> None:
    """One wav from parts of the same voice (same rate and format); otherwise through 16 kHz."""
    params = []
    for p in parts:
        with wave.open(str(p), "rb") as w:
            params.append((w.getnchannels(), w.getsampwidth(), w.getframerate()))
    if len(set(params)) == 1:
        with wave.open(str(out), "wb") as dst:
            dst.setnchannels(params[0][0])
            dst.setsampwidth(params[0][1])
            dst.setframerate(params[0][2])
            for p in parts:
                with wave.open(str(p), "rb") as src:
                    dst.writeframes(src.readframes(src.getnframes()))
        return
    import numpy as np

    from . import load_audio, save_wav

    save_wav(np.concatenate([load_audio(p).samples for p in parts]), 16000, out)
