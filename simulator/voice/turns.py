"""End of turn for hands-free calls: a `TurnDetector` fed the microphone as it streams.

Feed it chunks as they come (Gradio's streaming microphone hands `(rate, int16 array)`
every `stream_every` seconds; 0.5 s works on 2 cores): any rate, mono or stereo, int or
float. It resamples to 16 kHz, runs Silero VAD (the ONNX file faster-whisper ships,
`faster_whisper.vad.get_vad_model()`; no torch, no download) over 32 ms frames with its
state carried from chunk to chunk, and returns events:

- `speech_start`  the trainee started talking (after `min_speech_s` of voice): stop the
                  customer's playback (barge-in);
- `end_of_turn`   `end_silence_s` (0.9 s) of silence after speech: the turn is over;
                  `event.audio` holds it (16 kHz float32, from just before the first word
                  to just after the last);
- `max_turn`      the trainee talked for `max_turn_s` (60 s) without a pause long enough:
                  the turn is cut there, audio as for end_of_turn, and listening goes on;
- `pause`         `pause_s` (0.35 s) of silence inside an utterance, once per pause, with
                  `event.audio` as the turn would be if it ended here: a consumer may start
                  transcribing it while it waits. If the turn ends at this pause, its
                  end_of_turn has the same `speech_end_t` and the same audio;
- `discarded`     a sound that started speech but had under `min_utterance_s` of voice
                  in it (a cough, a click): nothing to answer; playback may resume;
- `no_speech`     `no_speech_s` passed with nothing heard since listening began (or since
                  the last event): the microphone may be muted; again every `no_speech_s`.

Event times (`event.t`) are seconds of audio fed, so they do not depend on how late the
chunks arrive. With a `transcriber` (text = transcriber(audio16k)), the finished parts of
an utterance are transcribed in a background thread at each pause of `partial_pause_s`
inside it, so at the end of the turn only the tail is left to transcribe:
`event.transcript()` waits for it and returns the whole text; `detector.partial_text()`
is what has been heard so far. Measured (bench/turn_detection.py --stt --realtime, tiny.en,
2 busy cores): it did not pay: the text came 3.4 s after the end of the turn against 3.3 s
for the whole utterance at once (Whisper encodes a padded 30 s window per call, so a short
tail costs nearly what the whole turn does), and WER rose from 5.3% to 7.1% (each part
loses the words around it). Leave `transcriber` out and transcribe `event.audio` whole,
unless a faster machine or model shows otherwise.

Wiring it to a streaming microphone (a sketch; one detector per call, in the session):

    det = TurnDetector()                        # ctx = call_context(persona, trainee_name)
    def on_chunk(chunk, state):                 # mic.stream(on_chunk, ..., stream_every=0.5)
        for ev in det.feed(chunk):              # chunk = (rate, int16 array) from gr.Audio
            if ev.kind == "speech_start": stop the customer's audio (send None to it)
            elif ev.kind in ("end_of_turn", "max_turn"):
                save_wav(ev.audio, 16000, path); service.send_audio(user, session_id, path)
                (today's path for a recorded turn; with the call's words it would be
                stt.transcribe(path, lang, context=ctx), AudioError when no words)
            elif ev.kind == "discarded": let the customer's audio go on / ignore
            elif ev.kind == "no_speech": show "we can't hear you — check your microphone"
    when the customer's line has finished playing: det.restart_silence_clock()
    on stop_recording: det.flush() (then as above); at the end of the call: det.close()

While the customer's line plays, keep feeding: a speech_start then is a barge-in. Echo of
the customer's own voice from speakers can trigger it; headphones (or the browser's echo
cancellation, on by default for getUserMedia) avoid that.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol

import numpy as np

SR = 16_000
FRAME = 512  # samples per VAD frame (32 ms at 16 kHz)
CONTEXT = 64  # samples of the previous frame the v6 model sees
FRAME_S = FRAME / SR

EventKind = Literal["speech_start", "pause", "end_of_turn", "max_turn", "discarded", "no_speech"]


class Vad(Protocol):
    def __call__(self, frames: np.ndarray) -> np.ndarray:
        """Speech probability per 512-sample frame of 16 kHz audio (frames: (n, 512)),
        carrying its state from call to call."""
        ...

    def reset(self) -> None: ...


class SileroVad:
    """Silero VAD v6 from faster-whisper's ONNX file, streaming (state kept between calls)."""

    def __init__(self) -> None:
        try:
            from faster_whisper.vad import get_vad_model
        except ImportError as e:
            from simulator.errors import ConfigError

            raise ConfigError("end-of-turn detection needs faster-whisper: pip install faster-whisper==1.2.1") from e
        self._session = get_vad_model().session  # shared, loaded once per process
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        frames = np.asarray(frames, dtype=np.float32).reshape(-1, FRAME)
        if frames.shape[0] == 0:
            return np.zeros(0, dtype=np.float32)
        ctx = np.concatenate([self._context[None, :], frames[:-1, -CONTEXT:]], axis=0)
        batch = np.concatenate([ctx, frames], axis=1)
        probs, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = frames[-1, -CONTEXT:].copy()
        return np.asarray(probs, dtype=np.float32).reshape(-1)


class StreamResampler:
    """Any rate to 16 kHz, chunk by chunk, without clicks at the joins (linear
    interpolation; a moving average first when the rate comes down)."""

    def __init__(self, rate: int) -> None:
        self.rate = int(rate)
        self.step = self.rate / SR
        self._pos = 0.0  # position of the next output sample, in input samples, from _tail
        self._tail = np.zeros(0, dtype=np.float32)
        self._width = max(1, int(round(self.step))) if self.step > 1 else 1
        self._fir_tail = np.zeros(self._width - 1, dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.rate == SR:
            return x
        if self._width > 1:
            padded = np.concatenate([self._fir_tail, x])
            self._fir_tail = padded[-(self._width - 1):].copy()
            x = np.convolve(padded, np.ones(self._width, dtype=np.float32) / self._width, mode="valid")
        buf = np.concatenate([self._tail, x])
        if buf.size < 2:
            self._tail = buf
            return np.zeros(0, dtype=np.float32)
        n = int(np.floor((buf.size - 1 - self._pos) / self.step)) + 1
        pos = self._pos + np.arange(max(0, n)) * self.step
        out = np.interp(pos, np.arange(buf.size), buf).astype(np.float32)
        nxt = self._pos + max(0, n) * self.step
        keep = min(int(np.floor(nxt)), buf.size - 1)  # keep the last sample: the next chunk joins it
        self._tail = buf[keep:]
        self._pos = nxt - keep
        return out


def to_mono_float(chunk: np.ndarray) -> np.ndarray:
    x = np.asarray(chunk)
    if x.ndim == 2:  # Gradio: (samples, channels)
        x = x.mean(axis=1) if x.shape[1] <= 8 else x.mean(axis=0)
    if x.dtype == np.int16:
        return x.astype(np.float32) / 32768.0
    if x.dtype == np.int32:
        return x.astype(np.float32) / 2147483648.0
    if x.dtype == np.uint8:
        return (x.astype(np.float32) - 128.0) / 128.0
    return x.astype(np.float32, copy=False)


@dataclass
class TurnEvent:
    kind: EventKind
    t: float  # seconds of audio fed when it was noticed
    audio: np.ndarray | None = None  # 16 kHz float32: the utterance (end_of_turn, max_turn, discarded)
    speech_start_t: float | None = None  # where the utterance's first voice was
    speech_end_t: float | None = None  # where its last voice was
    silent_s: float | None = None  # for no_speech: how long nothing was heard
    _parts: list[Future] = field(default_factory=list, repr=False)
    _tail: Callable[[], str] | None = field(default=None, repr=False)

    def transcript(self, timeout: float | None = 60.0) -> str:
        """The utterance's text, when the detector has a transcriber ('' otherwise):
        the parts transcribed during the pauses, then the tail."""
        texts = [f.result(timeout=timeout) for f in self._parts]
        if self._tail is not None:
            texts.append(self._tail())
        return " ".join(t.strip() for t in texts if t and t.strip())


class TurnDetector:
    """Speech start, end of turn, monologue cap and silent-mic, from streamed audio.
    One detector per call; not thread-safe (feed it from one handler at a time)."""

    def __init__(
        self,
        *,
        end_silence_s: float = 0.9,
        max_turn_s: float = 60.0,
        no_speech_s: float = 8.0,
        threshold: float = 0.5,
        neg_threshold: float = 0.35,
        min_speech_s: float = 0.15,
        min_utterance_s: float = 0.3,
        pre_roll_s: float = 0.3,
        post_roll_s: float = 0.2,
        transcriber: Callable[[np.ndarray], str] | None = None,
        partial_pause_s: float = 0.3,
        min_part_s: float = 1.5,
        pause_s: float | None = 0.35,
        vad: Vad | None = None,
    ) -> None:
        self.end_silence_s = end_silence_s
        self.max_turn_s = max_turn_s
        self.no_speech_s = no_speech_s
        self.threshold = threshold
        self.neg_threshold = neg_threshold
        self.min_speech_frames = max(1, int(round(min_speech_s / FRAME_S)))
        self.min_utterance_s = min_utterance_s
        self.pre_roll = int(pre_roll_s * SR)
        self.post_roll = int(post_roll_s * SR)
        self.transcriber = transcriber
        self.partial_pause_s = partial_pause_s
        self.min_part_s = min_part_s
        # Past the post-roll, so the pause's audio is the audio end_of_turn would have.
        self.pause_frames = None if pause_s is None else max(int(round(pause_s / FRAME_S)), self.post_roll // FRAME + 1)
        self.vad = vad if vad is not None else SileroVad()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="turn-stt") if transcriber else None
        self._resamplers: dict[int, StreamResampler] = {}
        self.reset()

    # -- state --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Listen afresh (a new call, or after the customer's line if the UI wants the
        silent-mic clock to start again). Audio time goes on counting."""
        self.vad.reset()
        self._pending = np.zeros(0, dtype=np.float32)
        self._frames_seen = getattr(self, "_frames_seen", 0)
        self._history: deque[np.ndarray] = deque(maxlen=max(1, self.pre_roll // FRAME + 2))
        self._utt: list[np.ndarray] = []
        self._speaking = False  # an utterance is open
        self._run = 0  # consecutive voiced frames before an utterance opens
        self._start_frame = 0
        self._last_voice_frame = 0
        self._voiced_frames = 0
        self._quiet_since_frame = self._frames_seen  # for no_speech
        self._parts: list[Future] = []
        self._part_from = 0  # sample index in the utterance where the next part starts
        self._part_texts: list[str] = []
        self._lock = threading.Lock()

    def restart_silence_clock(self) -> None:
        """Count `no_speech_s` from now (call it when the customer's line has finished
        playing: the trainee's silence before that is not a muted microphone). An open
        utterance is left as it is."""
        self._quiet_since_frame = self._frames_seen

    @property
    def t(self) -> float:
        """Seconds of audio fed so far (at 16 kHz, whole frames)."""
        return self._frames_seen * FRAME_S

    @property
    def speaking(self) -> bool:
        return self._speaking

    def partial_text(self) -> str:
        """What the transcriber has made of the current utterance so far (finished parts only)."""
        with self._lock:
            return " ".join(t for t in self._part_texts if t)

    # -- feeding ------------------------------------------------------------------------------
    def feed(self, chunk: np.ndarray | tuple, sample_rate: int = SR) -> list[TurnEvent]:
        """Add audio; return the events it completed. `chunk` may be Gradio's (rate, array)."""
        if isinstance(chunk, tuple):
            sample_rate, chunk = chunk
        x = to_mono_float(chunk)
        if sample_rate != SR:
            rs = self._resamplers.setdefault(int(sample_rate), StreamResampler(int(sample_rate)))
            x = rs(x)
        buf = np.concatenate([self._pending, x]) if self._pending.size else x
        n = buf.size // FRAME
        self._pending = buf[n * FRAME:].copy()
        if n == 0:
            return []
        frames = buf[: n * FRAME].reshape(n, FRAME)
        probs = self.vad(frames)
        events: list[TurnEvent] = []
        for frame, p in zip(frames, probs):
            self._frames_seen += 1
            events += self._step(frame, float(p))
        return events

    def flush(self) -> list[TurnEvent]:
        """The stream stopped (the trainee pressed stop): close an open utterance now."""
        if self._speaking:
            return [self._close("end_of_turn")]
        return []

    def _step(self, frame: np.ndarray, p: float) -> list[TurnEvent]:
        i = self._frames_seen  # 1-based index of this frame
        if not self._speaking:
            self._history.append(frame)
            self._run = self._run + 1 if p >= self.threshold else (self._run if p >= self.neg_threshold else 0)
            if self._run >= self.min_speech_frames:
                self._open(i)
                return [TurnEvent("speech_start", self.t, speech_start_t=self._start_frame * FRAME_S)]
            silent = (i - self._quiet_since_frame) * FRAME_S
            if self.no_speech_s and silent >= self.no_speech_s:
                self._quiet_since_frame = i
                return [TurnEvent("no_speech", self.t, silent_s=round(silent, 2))]
            return []
        self._utt.append(frame)
        if p >= self.neg_threshold:
            if p >= self.threshold or i - self._last_voice_frame <= 1:
                self._voiced_frames += 1
            if i - self._last_voice_frame - 1 >= self.partial_pause_s / FRAME_S:
                self._submit_part(upto_frame=self._last_voice_frame)
            self._last_voice_frame = i
        silence = (i - self._last_voice_frame) * FRAME_S
        if silence >= self.end_silence_s:
            return [self._close("end_of_turn")]
        if (i - self._start_frame) * FRAME_S >= self.max_turn_s:
            return [self._close("max_turn")]
        if (self.pause_frames is not None and i - self._last_voice_frame == self.pause_frames
                and self._voiced_frames * FRAME_S >= self.min_utterance_s):
            # The audio as end_of_turn would cut it here (the post-roll is already in).
            return [TurnEvent("pause", self.t, self._utt_audio(self._last_voice_frame),
                              self._start_frame * FRAME_S, self._last_voice_frame * FRAME_S)]
        return []

    def _open(self, i: int) -> None:
        self._speaking = True
        # The voiced run began _run frames ago; keep pre-roll before it.
        self._start_frame = i - self._run + 1
        self._last_voice_frame = i
        self._voiced_frames = self._run
        self._run = 0
        pre = list(self._history)
        self._utt = pre  # history already holds the voiced run and the pre-roll before it
        self._pre_frames = len(pre)
        self._part_from = 0
        self._parts = []
        with self._lock:
            self._part_texts = []

    def _utt_audio(self, upto_frame: int | None = None) -> np.ndarray:
        audio = np.concatenate(self._utt) if self._utt else np.zeros(0, dtype=np.float32)
        if upto_frame is not None:
            # frames in _utt: index 0 is frame (self._start_frame - (pre_frames - run_frames) ...)
            first = self._frames_seen - len(self._utt) + 1
            end = (upto_frame - first + 1) * FRAME + self.post_roll
            audio = audio[: max(0, min(audio.size, end))]
        return audio

    def _submit_part(self, upto_frame: int) -> None:
        if self._pool is None:
            return
        audio = self._utt_audio(upto_frame)
        if (audio.size - self._part_from) / SR < self.min_part_s:
            return
        part = audio[self._part_from:].copy()
        self._part_from = audio.size
        fut = self._pool.submit(self._transcribe_part, part)
        self._parts.append(fut)

    def _transcribe_part(self, audio: np.ndarray) -> str:
        try:
            text = self.transcriber(audio) if self.transcriber else ""
        except Exception:  # noqa: BLE001 - a part heard as nothing
            text = ""
        with self._lock:
            self._part_texts.append(text)
        return text

    def _close(self, kind: EventKind) -> TurnEvent:
        audio = self._utt_audio(self._last_voice_frame)
        start_t = self._start_frame * FRAME_S
        end_t = self._last_voice_frame * FRAME_S
        voiced_s = self._voiced_frames * FRAME_S
        parts, part_from = self._parts, self._part_from
        self._speaking = False
        self._utt = []
        self._history.clear()
        self._run = 0
        self._quiet_since_frame = self._frames_seen
        self._parts = []
        if voiced_s < self.min_utterance_s and kind == "end_of_turn":
            for f in parts:
                f.cancel()
            return TurnEvent("discarded", self.t, audio, start_t, end_t)
        tail = audio[part_from:]
        transcriber = self.transcriber

        def tail_text() -> str:
            if transcriber is None or tail.size < int(0.1 * SR):
                return ""
            try:
                return transcriber(tail)
            except Exception:  # noqa: BLE001
                return ""

        return TurnEvent(kind, self.t, audio, start_t, end_t, _parts=parts, _tail=tail_text if transcriber else None)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
