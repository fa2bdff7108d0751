"""Hands-free voice turns: the microphone streams, a `TurnDetector` per call finds where the
trainee's turn ends, and the turn is answered in a background thread so the stream handler
keeps taking chunks (a blocked handler loses audio).

The detectors live here, in a plain dict keyed by session id (gr.State holds plain data only).
`HandsFree.chunk` is what the streaming microphone calls every 0.5 s; it returns what to show:
`Step(chat, audio, status)`, where `KEEP` means "leave that output as it is" and an `audio` of
None stops the customer's voice (barge-in).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from . import render
from .labels import label
from .shared import L, served

log = logging.getLogger("rolecall.handsfree")

KEEP: Any = object()  # an output left as it is (gr.skip() in the page)
PLAY_SLACK_S = 0.3
DEAD_MIC_S = 3.0
TURN_KINDS = ("end_of_turn", "max_turn")


def _digital_silence(samples) -> bool:
    x = np.asarray(samples)
    return x.size > 0 and float(np.abs(x).max()) <= (2 if x.dtype == np.int16 else 1e-4)


@dataclass
class Step:
    """What one chunk changes: the chat (messages), the customer's audio (a path, or None to
    stop it), a status line. KEEP: unchanged."""

    chat: Any = KEEP
    audio: Any = KEEP
    status: Any = KEEP
    events: list[str] = field(default_factory=list)  # the detector's events, for tests and logs
    ended: str | None = None  # the customer ended the call (its end reason)


@dataclass
class Line:
    """One call's hands-free state. Used by one stream at a time (the detector is not thread-safe)."""

    detector: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: Future | None = None     # the turn being answered
    playing_until: float = 0.0        # when the customer's last line should have finished playing
    quiet_since: float = 0.0          # when it did (by the clock): "are you still there?" waits from here
    silence_owed: bool = False        # the stream was quiet long enough; the clock not yet
    cut_pending: bool = False         # the trainee talked over a reply that was not out yet
    folder: Path | None = None
    heard_any: bool = False           # the microphone has carried speech in this call
    received_s: float = 0.0           # seconds of microphone audio that reached the server
    dead_s: float = 0.0               # seconds of digital silence in a row (a muted or broken microphone)
    told_dead: bool = False
    ended: bool = False               # the customer ended the call: the microphone is not listened to
    parts: deque = field(default_factory=deque)  # the reply's voice, sentence by sentence, still to play
    waiting: list = field(default_factory=list)  # turns said while the customer was answering: (audio, long, start)
    early: "Early | None" = None      # the turn as it stood at the last pause, being heard already
    saved: int = 0                    # recordings saved in this call (their file names)
    first_chunk_at: float = 0.0       # when the first chunk reached the server (by the clock)
    timing: dict | None = None        # the turn being answered: when it was sent, its voice ready, played


@dataclass
class Early:
    """The trainee's words heard at a pause, before the turn is known to be over: if the turn
    ends at that pause (the same last word), the reply starts from them and the recogniser's
    time is off the wait."""

    speech_end_t: float
    path: Path
    heard: Future


def _duration(path: str | None) -> float:
    if not path:
        return 0.0
    try:
        import wave

        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    except Exception:  # noqa: BLE001 - a guess is enough: the silence clock just restarts later
        return 5.0


def _default_detector() -> Any:
    from ..voice.turns import TurnDetector

    return TurnDetector()


class HandsFree:
    """Per-call turn detectors and pending turns, keyed by session id."""

    def __init__(self, detector_factory: Callable[[], Any] = _default_detector, *,
                 folder: Path | None = None, clock: Callable[[], float] = time.time, workers: int = 4) -> None:
        self._factory = detector_factory
        self._lines: dict[str, Line] = {}
        self._guard = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="handsfree")
        self._folder = folder
        self._clock = clock
        self.tap: Callable[[str, int, Any], None] | None = None  # sees every chunk as received (benches)

    def line(self, sid: str) -> Line:
        with self._guard:
            line = self._lines.get(sid)
            if line is None:
                line = self._lines[sid] = Line(self._factory())
            return line

    def has(self, sid: str) -> bool:
        return sid in self._lines

    def close(self, sid: str) -> None:
        with self._guard:
            line = self._lines.pop(sid, None)
        if line is not None:
            log.info("hands-free call %s: %.1f s of microphone audio received", sid, line.received_s)
            try:
                line.detector.close()
            except Exception:  # noqa: BLE001
                log.exception("closing the turn detector of %s", sid)

    # -- the stream

    def chunk(self, service: Any, user: Any, sid: str, chunk: Any, *, phone_line: bool = False,
              render_chat: Callable[[Any], Any] | None = None, say: Callable[[str], str] = str) -> Step:
        """Feed one microphone chunk `(rate, ndarray)` of call `sid`; see `Step`."""
        line = self.line(sid)
        with line.lock:
            if line.ended:
                self._play_next(line, step := Step())  # the customer's goodbye still plays out
                return step
            dead = False
            if chunk is not None:
                rate, samples = chunk
                seconds = len(samples) / float(rate)
                line.first_chunk_at = line.first_chunk_at or self._clock()
                line.received_s += seconds
                if self.tap is not None:
                    self.tap(sid, rate, samples)
                # A working microphone always hears some noise; exact zeros mean a muted or
                # broken one, said within seconds rather than after the usual silence.
                line.dead_s = line.dead_s + seconds if _digital_silence(samples) else 0.0
                dead = line.dead_s >= DEAD_MIC_S and not line.told_dead and not line.heard_any
                line.told_dead = line.told_dead or dead
            events = [] if chunk is None else line.detector.feed(chunk)
            step = self._after(service, user, sid, line, events, phone_line, render_chat, say)
            if dead and step.status is KEEP:
                step.status = say("no_speech_heard")
            return step

    def flush(self, service: Any, user: Any, sid: str, *, phone_line: bool = False,
              render_chat: Callable[[Any], Any] | None = None, say: Callable[[str], str] = str) -> Step:
        """The microphone stopped: a turn under way ends here."""
        if not self.has(sid):
            return Step()
        line = self.line(sid)
        with line.lock:
            return self._after(service, user, sid, line, line.detector.flush(), phone_line, render_chat, say)

    def _after(self, service, user, sid, line: Line, events, phone_line, render_chat, say) -> Step:
        step = Step(events=[ev.kind for ev in events])
        now = self._clock()
        if line.playing_until and now >= line.playing_until and not line.parts:  # the customer's line has played out
            line.quiet_since, line.playing_until = line.playing_until, 0.0
            line.detector.restart_silence_clock()
        for ev in events:
            if ev.kind == "pause":
                self._hear_early(service, user, sid, line, ev)
            elif ev.kind == "speech_start":
                line.heard_any = True
                line.silence_owed = False
                line.early = None  # the trainee goes on: what was heard at the pause is not the turn
                if line.pending is not None and not line.pending.done():
                    line.cut_pending = True  # its voice will not be played, and it counts as cut off
                    line.parts.clear()
                    step.audio = None
                elif (line.playing_until and now < line.playing_until) or line.parts:
                    line.playing_until = 0.0
                    line.parts.clear()
                    step.audio = None
                    try:
                        service.mark_interrupted(user, sid)
                    except Exception:  # noqa: BLE001 - the call goes on; only the mark is lost
                        log.exception("marking the customer's line cut off in %s", sid)
            elif ev.kind in TURN_KINDS:
                # Speech started this long ago in the stream (dead air is measured up to it).
                ago = max(0.0, ev.t - ev.speech_start_t) if ev.speech_start_t is not None else None
                if line.pending is not None and not line.pending.done():
                    # The customer is still answering: nothing said is lost. The turn waits and
                    # goes next, with anything else said meanwhile (one turn: the customer had
                    # not spoken in between).
                    line.waiting.append((ev.audio, ev.kind == "max_turn", self._clock() - (ago or 0.0)))
                    continue
                early, line.early = line.early, None
                if early is not None and early.speech_end_t == ev.speech_end_t and ev.kind == "end_of_turn":
                    self._send(service, user, sid, line, ev.audio, False, ago, phone_line, early=early)
                else:
                    self._send(service, user, sid, line, ev.audio, ev.kind == "max_turn", ago, phone_line)
                if step.status is KEEP:
                    step.status = ""
            elif ev.kind == "no_speech":
                if not line.heard_any:
                    step.status = say("no_speech_heard")  # a muted or broken microphone
                elif line.pending is None and not line.playing_until and not line.parts:
                    line.silence_owed = True
        self._ask_if_still_there(service, user, sid, line, now, phone_line)
        self._collect(service, user, sid, line, step, render_chat, say)
        self._send_waiting(service, user, sid, line, phone_line)
        self._play_next(line, step)
        return step

    def _ask_if_still_there(self, service, user, sid, line: Line, now: float, phone_line) -> None:
        """The trainee went quiet after the customer spoke: "Hello? Are you still there?". The
        stream's quiet is not enough: on a busy machine its chunks come seconds late and then in a
        burst, so the customer also waits the same time by the clock since its line played out."""
        if not line.silence_owed or line.pending is not None or line.playing_until or line.parts or line.ended:
            return
        if now - line.quiet_since < getattr(line.detector, "no_speech_s", 0.0):
            return
        line.silence_owed = False
        line.pending = self._pool.submit(service.trainee_silent, user, sid, phone_line=phone_line)

    def _send(self, service, user, sid, line: Line, audio, long_turn: bool, ago: float | None, phone_line,
              early: Early | None = None) -> None:
        now = self._clock()
        # Where the wait goes, for the server log: the stream's own lag (chunks that reach the
        # server late), the reply's first sentence being written and spoken, and its hand-out.
        timing = line.timing = {"sent": now, "behind": max(0.0, now - line.first_chunk_at - line.received_s),
                                "early": early is not None}

        def voiced(path: str) -> None:
            timing.setdefault("ready", self._clock())
            line.parts.append(path)

        if early is not None:  # the same audio, already being heard since the pause
            line.pending = self._pool.submit(service.send_audio, user, sid, str(early.path), phone_line=phone_line,
                                             long_turn=long_turn, started_ago_s=ago, on_audio=voiced,
                                             heard=early.heard)
            return
        path = self._save(line, sid, audio)
        line.pending = self._pool.submit(service.send_audio, user, sid, str(path), phone_line=phone_line,
                                         long_turn=long_turn, started_ago_s=ago, on_audio=voiced)

    def _hear_early(self, service, user, sid, line: Line, ev) -> None:
        """Start hearing the turn at a pause, while the detector waits to be sure it is over.
        Only when nothing else is under way (a reply being written, turns waiting for it):
        on two cores a guess must not slow down the real work."""
        hear = getattr(service, "hear_audio", None)
        if hear is None or line.ended or line.waiting or (line.pending is not None and not line.pending.done()):
            return
        path = self._save(line, sid, ev.audio)
        line.early = Early(ev.speech_end_t, path, self._pool.submit(hear, user, sid, str(path)))

    def _send_waiting(self, service, user, sid, line: Line, phone_line) -> None:
        """What the trainee said while the customer was answering, as the next turn."""
        if not line.waiting or line.ended or (line.pending is not None and not line.pending.done()):
            return
        parts, line.waiting = line.waiting, []
        gap = np.zeros(int(0.3 * 16000), dtype=np.float32)
        audio = np.concatenate([x for a, _long, _t in parts for x in (a, gap)][:-1])
        started = parts[0][2]
        self._send(service, user, sid, line, audio, any(long for _a, long, _t in parts),
                   max(0.0, self._clock() - started), phone_line)

    def _play_next(self, line: Line, step: Step) -> None:
        """The reply's next sentence, once the one before has played (sentence by sentence: the
        first is spoken while the rest is still being written)."""
        if line.cut_pending or not line.parts or step.audio is None:
            return
        now = self._clock()
        if line.playing_until and now < line.playing_until:
            return
        path = line.parts.popleft()
        step.audio = served(path)
        timing, line.timing = line.timing, None
        if timing is not None and "ready" in timing:
            log.info("hands-free turn answered: the stream %.2f s behind, heard at a pause: %s, first sentence "
                     "voiced %.2f s after the turn ended, handed out %.2f s after", timing["behind"],
                     timing["early"], timing["ready"] - timing["sent"], now - timing["sent"])
        # A little slack: the browser starts playing a moment after the chunk's answer arrives.
        line.playing_until = now + _duration(path) + PLAY_SLACK_S

    def _collect(self, service, user, sid, line: Line, step: Step, render_chat, say) -> None:
        """A reply that is ready: the chat, and its voice unless the trainee already talked over it."""
        fut = line.pending
        if fut is None or not fut.done():
            return
        line.pending = None
        try:
            reply = fut.result()
        except Exception as exc:  # noqa: BLE001 - shown as one line; the call goes on
            from ..errors import RolecallError

            if not isinstance(exc, RolecallError):
                log.error("hands-free turn in %s failed", sid, exc_info=exc)
            step.status = str(exc) if isinstance(exc, RolecallError) else say("error_generic")
            return
        if render_chat is not None:
            step.chat = render_chat(service.transcript(user, sid))
        if getattr(reply, "notice", None):
            step.status = reply.notice
        if getattr(reply, "ended", False):
            step.ended = reply.end_reason or "hung_up"
            line.ended = True
        if line.cut_pending:
            line.cut_pending = False
            line.parts.clear()
            if reply.text:
                try:
                    service.mark_interrupted(user, sid)
                except Exception:  # noqa: BLE001
                    log.exception("marking the customer's line cut off in %s", sid)
            step.audio = None
            return
        if reply.audio and not getattr(reply, "voiced_in_parts", False):
            line.parts.append(reply.audio)  # a reply whose voice did not come sentence by sentence
            if line.timing is not None:
                line.timing.setdefault("ready", self._clock())

    def _save(self, line: Line, sid: str, samples) -> Path:
        from ..voice import save_wav

        if line.folder is None:
            base = self._folder or Path(tempfile.gettempdir())
            base.mkdir(parents=True, exist_ok=True)
            line.folder = Path(tempfile.mkdtemp(prefix=f"handsfree-{sid[:12]}-", dir=base))
        line.saved += 1
        path = line.folder / f"turn-{int(self._clock() * 1000)}-{line.saved}.wav"
        save_wav(samples, 16000, path)
        return path


HANDS_FREE = HandsFree()


# --------------------------------------------------------------------------- the practice page's handlers
# fn(ctx, user, *inputs), wired by pages/practice.py with ctx.on.

def hands_free_controls(T: Any) -> tuple:  # noqa: N803 - the page's label maker
    """Voice mode's choice of turns (hands-free by default), the streaming microphone and its
    note (which says text mode works without a microphone). Hidden until voice mode is chosen.
    The message for a refused microphone waits, hidden, for START_MIC_JS to show it."""
    turns = gr.Radio([(T("hands_free"), "hands_free"), (T("push_to_talk"), "push_to_talk")], value="hands_free",
                     label=T("voice_turns"), visible=False, elem_id="rc-turns")
    live_mic = gr.Audio(sources=["microphone"], streaming=True, type="numpy", label=T("mic_live"), visible=False,
                        elem_id="rc-live-mic", waveform_options=gr.WaveformOptions(show_recording_waveform=False))
    gr.HTML(T.made(lambda speaks: f'<div id="rc-mic-refused" class="rc-warning" style="display:none">'
                                  f'{label("mic_refused", speaks)}</div>'), elem_id="rc-mic-refused-box")
    return turns, live_mic, gr.Markdown(T("hands_free_note"), visible=False)


# Run in the browser when the call ends: the microphone stops.
STOP_MIC_JS = """
() => {
  const box = document.querySelector('#rc-live-mic');
  const btn = box && [...box.querySelectorAll('button')].find((b) => /stop/.test(b.className || ''));
  if (btn) btn.click();
}
"""

# Run in the browser once a call has started: in hands-free voice mode the microphone starts by
# itself (the trainee pressed Start call; nothing else to click). A refused or missing
# microphone shows why, and the call is switched to text mode, where it can go on.
START_MIC_JS = r"""
async () => {
  // The microphone shows once voice mode is on (a resumed voice call switches it on just now).
  let box = null;
  for (let i = 0; i < 12 && !box; i++) {
    const found = document.querySelector('#rc-live-mic');
    if (found && found.offsetParent !== null) box = found;
    else await new Promise((r) => setTimeout(r, 250));
  }
  if (!box) return;
  const refused = document.querySelector('#rc-mic-refused');
  try {
    const stream = await navigator.mediaDevices.getUserMedia({audio: true});
    stream.getTracks().forEach((t) => t.stop());
  } catch (e) {
    if (refused) {
      refused.innerHTML = refused.innerHTML.replace('{why}', (e && (e.name || e.message)) || 'no microphone');
      refused.style.display = 'block';
    }
    const text = document.querySelector('#rc-mode input[value="text"]');
    if (text) text.click();
    return;
  }
  if (refused) refused.style.display = 'none';
  for (let i = 0; i < 40; i++) {
    const btn = box.querySelector('button.record-button') ||
      [...box.querySelectorAll('button')].find((b) => /^\s*record/i.test(b.textContent || ''));
    if (btn) { btn.click(); return; }
    await new Promise((r) => setTimeout(r, 250));
  }
}
"""


def voice_controls(mode_value, turns_value="hands_free"):
    """What voice mode shows: phone-line sound, the customer's voice, the choice of turns, and
    the push-to-talk or the hands-free microphone with its note."""
    voice = mode_value == "voice"
    ptt = voice and turns_value == "push_to_talk"
    live = voice and not ptt
    return (gr.Checkbox(visible=voice), gr.Audio(visible=voice), gr.Audio(visible=ptt), gr.Markdown(visible=ptt),
            gr.Radio(visible=voice), gr.Audio(visible=live), gr.Markdown(visible=live))


def _skip(value):
    return gr.skip() if value is KEEP else value


def hands_free_chunk(ctx: Any, user: Any, chunk, state, phone):
    """One chunk of the hands-free microphone (every 0.5 s): the turn detector hears it; a
    finished turn is answered in the background, and a later chunk shows the answer and plays
    it; talking over the customer stops its voice. Order: chat, reply audio, status."""
    if not state or not state.get("sid"):
        return gr.skip(), gr.skip(), gr.skip()
    step = HANDS_FREE.chunk(ctx.service, user, state["sid"], chunk, phone_line=bool(phone),
                            render_chat=render.chat_messages, say=L)
    return _skip(step.chat), _skip(step.audio), _skip(_ended_status(step))


def hands_free_stop(ctx: Any, user: Any, state, phone):
    """The hands-free microphone stopped: a turn under way is answered (shown on the next chunk)."""
    if not state or not state.get("sid"):
        return gr.skip(), gr.skip(), gr.skip()
    step = HANDS_FREE.flush(ctx.service, user, state["sid"], phone_line=bool(phone),
                            render_chat=render.chat_messages, say=L)
    return _skip(step.chat), _skip(step.audio), _skip(_ended_status(step))


def _ended_status(step: Step):
    if step.ended:
        from .shared import lang_now

        return L("call_ended", reason=render.end_reason_text(step.ended, lang_now()))
    return step.status
