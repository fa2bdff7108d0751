"""End-of-turn detection (simulator/voice/turns.py).

Most tests drive the detector with a fake VAD (a frame is speech when it is loud) and
synthetic audio, so they check the timing logic alone and run in milliseconds; two use
the real Silero VAD from faster-whisper on speech synthesized by Piper.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.voice.turns import FRAME, SR, StreamResampler, TurnDetector


class LoudVad:
    """Speech probability 0.9 for a frame with RMS above 0.02, else 0.05."""

    def __init__(self) -> None:
        self.calls = 0

    def reset(self) -> None:
        pass

    def __call__(self, frames):
        self.calls += 1
        rms = np.sqrt(np.mean(np.asarray(frames) ** 2, axis=1))
        return np.where(rms > 0.02, 0.9, 0.05).astype(np.float32)


def tone(seconds: float, amp: float = 0.3, f: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * f * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), dtype=np.float32)


def stream(det: TurnDetector, audio: np.ndarray, chunk_s: float = 0.5, rate: int = SR):
    """Feed in chunks as Gradio would; return [(kind, t, event)]."""
    n = int(chunk_s * rate)
    out = []
    for i in range(0, audio.size, n):
        for e in det.feed((rate, audio[i : i + n])):
            out.append(e)
    return out


def detector(**kw) -> TurnDetector:
    kw.setdefault("vad", LoudVad())
    kw.setdefault("pause_s", None)  # pause offers are tested on their own
    return TurnDetector(**kw)


def test_comma_pauses_do_not_end_the_turn_and_the_final_silence_does():
    audio = np.concatenate([silence(0.5), tone(1.2), silence(0.6), tone(0.8), silence(0.5), tone(1.0), silence(2.0)])
    events = stream(detector(end_silence_s=0.9), audio)
    kinds = [e.kind for e in events]
    assert kinds == ["speech_start", "end_of_turn"], kinds
    start, end = events
    assert abs(start.speech_start_t - 0.5) < 0.07
    last_word_end = 0.5 + 1.2 + 0.6 + 0.8 + 0.5 + 1.0
    assert abs(end.speech_end_t - last_word_end) < 0.07
    # Noticed 0.9 s after the last voice (plus under one frame), whatever the chunk size.
    assert 0.9 <= end.t - last_word_end < 0.9 + 0.07
    # The audio is the utterance: pre-roll before, a little after, nothing of the final silence.
    assert 4.1 + 0.2 <= end.audio.size / SR <= 4.1 + 0.35 + 0.25


def test_each_pause_offers_the_turn_as_it_would_end_there():
    """A consumer may start transcribing at a pause: when the turn does end there, the
    end_of_turn's audio is exactly what the pause offered; a pause the trainee talks on
    after offers a turn that is not the final one."""
    audio = np.concatenate([silence(0.5), tone(1.2), silence(0.6), tone(0.8), silence(2.0)])
    events = stream(detector(end_silence_s=0.9, pause_s=0.35), audio)
    assert [e.kind for e in events] == ["speech_start", "pause", "pause", "end_of_turn"]
    inner, last, end = events[1:]
    assert abs(inner.t - (0.5 + 1.2 + 0.35)) < 0.07  # offered 0.35 s into the comma pause
    assert inner.speech_end_t != end.speech_end_t and inner.audio.size < end.audio.size
    assert last.speech_end_t == end.speech_end_t
    assert np.array_equal(last.audio, end.audio)
    assert end.t - last.t >= 0.5  # offered over half a second before the turn is over


def test_end_of_turn_timing_does_not_depend_on_chunk_size():
    audio = np.concatenate([tone(1.0), silence(1.5)])
    ts = {c: [e.t for e in stream(detector(), audio, chunk_s=c) if e.kind == "end_of_turn"][0] for c in (0.1, 0.5, 0.77)}
    assert max(ts.values()) - min(ts.values()) < 1e-6


def test_speech_start_is_reported_quickly_for_barge_in():
    events = stream(detector(min_speech_s=0.15), np.concatenate([silence(1.0), tone(2.0)]), chunk_s=0.25)
    start = next(e for e in events if e.kind == "speech_start")
    assert 1.0 < start.t <= 1.0 + 0.2


def test_a_cough_is_discarded_not_a_turn():
    events = stream(detector(min_utterance_s=0.3), np.concatenate([silence(0.5), tone(0.2), silence(1.5)]))
    assert [e.kind for e in events] == ["speech_start", "discarded"]


def test_monologue_is_cut_at_the_cap_and_listening_goes_on():
    audio = np.concatenate([tone(7.0), silence(1.5)])
    events = stream(detector(max_turn_s=3.0), audio)
    kinds = [e.kind for e in events]
    assert kinds[:2] == ["speech_start", "max_turn"] and kinds.count("max_turn") == 2 and kinds[-1] == "end_of_turn"
    cap = events[1]
    assert abs(cap.t - 3.0) < 0.1 and abs(cap.audio.size / SR - 3.0) < 0.5


def test_silent_microphone_is_reported_every_n_seconds_until_speech():
    events = stream(detector(no_speech_s=3.0), silence(7.0))
    assert [e.kind for e in events] == ["no_speech", "no_speech"]
    assert abs(events[0].t - 3.0) < 0.05 and events[0].silent_s == pytest.approx(3.0, abs=0.05)
    # Speech re-arms it: the clock starts again after the turn ends.
    det = detector(no_speech_s=3.0)
    events = stream(det, np.concatenate([silence(2.0), tone(1.0), silence(3.5)]))
    assert [e.kind for e in events] == ["speech_start", "end_of_turn"]


def test_silence_clock_restarts_when_the_customer_has_finished_speaking():
    det = detector(no_speech_s=3.0)
    assert stream(det, silence(2.5)) == []
    det.restart_silence_clock()  # the customer's line ended here
    events = stream(det, silence(2.5))
    assert events == []
    events = stream(det, silence(1.0))
    assert [e.kind for e in events] == ["no_speech"] and abs(events[0].t - 5.5) < 0.05


def test_flush_closes_an_open_utterance():
    det = detector()
    stream(det, np.concatenate([silence(0.3), tone(1.0)]))
    assert det.speaking
    (e,) = det.flush()
    assert e.kind == "end_of_turn" and not det.speaking


def test_gradio_chunks_any_rate_stereo_int16():
    rate = 48_000
    mono = np.concatenate([silence(0.5), tone(1.0), silence(1.5)])
    up = np.interp(np.arange(int(mono.size * 3)) / 3, np.arange(mono.size), mono)
    stereo = (np.stack([up, up], axis=1) * 32767).astype(np.int16)
    det = detector()
    events = []
    n = rate // 2
    for i in range(0, stereo.shape[0], n):
        events += det.feed((rate, stereo[i : i + n]))
    assert [e.kind for e in events] == ["speech_start", "end_of_turn"]
    assert abs(det.t - mono.size / SR) < 0.05


def test_stream_resampler_is_seamless_across_chunks():
    x = tone(1.0, f=300.0)
    x48 = np.interp(np.arange(48_000) / 3, np.arange(x.size), x).astype(np.float32)
    whole = StreamResampler(48_000)(x48)
    rs = StreamResampler(48_000)
    pieces = np.concatenate([rs(x48[i : i + 7_001]) for i in range(0, x48.size, 7_001)])
    assert abs(pieces.size - whole.size) <= 1
    m = min(pieces.size, whole.size)
    assert np.max(np.abs(pieces[:m] - whole[:m])) < 1e-4
    assert abs(pieces.size - 16_000) <= 3


def test_incremental_transcription_leaves_only_the_tail():
    heard = []

    def transcriber(audio):
        heard.append(audio.size / SR)
        return f"part{len(heard)}"

    det = detector(transcriber=transcriber, partial_pause_s=0.3, min_part_s=1.0)
    audio = np.concatenate([tone(1.5), silence(0.5), tone(1.5), silence(0.5), tone(0.6), silence(1.5)])
    events = stream(det, audio)
    end = events[-1]
    assert end.kind == "end_of_turn"
    text = end.transcript()
    assert text == "part1 part2 part3"
    # Two parts were done during the pauses; the tail (the last 0.6 s word) at the end.
    assert len(heard) == 3 and heard[-1] < 1.2
    assert sum(heard) == pytest.approx(end.audio.size / SR, abs=0.05)


# -- the real VAD -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def piper_said():
    pytest.importorskip("piper")
    from simulator.persona import Voice
    from simulator.voice.piper_tts import PiperTTS
    from simulator.voice.turns import StreamResampler as RS

    piper = PiperTTS()
    out = []
    for text in ("I have been waiting all week", "and nobody has called me back"):
        x, rate = piper.render(text, Voice(gender="male"))
        y = RS(rate)(x)
        nz = np.flatnonzero(np.abs(y) > 0.01)
        out.append(y[nz[0] : nz[-1] + 1] * 0.5)
    return out


def test_silero_keeps_a_comma_pause_inside_the_turn_and_ends_it_after_the_silence(piper_said):
    a, b = piper_said
    audio = np.concatenate([silence(0.5), a, silence(0.5), b, silence(2.0)])
    events = stream(TurnDetector(), audio)
    assert [e.kind for e in events][-2:] == ["pause", "end_of_turn"]  # offered before the turn is over
    events = [e for e in events if e.kind != "pause"]
    kinds = [e.kind for e in events]
    assert kinds == ["speech_start", "end_of_turn"], kinds
    last_word_end = (0.5 * SR + a.size + 0.5 * SR + b.size) / SR
    assert events[1].t - last_word_end <= 1.2
    assert events[0].t < 0.5 + 0.5


def test_silero_hears_no_speech_in_hiss():
    rng = np.random.default_rng(0)
    events = stream(TurnDetector(no_speech_s=2.0), (0.003 * rng.standard_normal(3 * SR)).astype(np.float32))
    assert [e.kind for e in events] == ["no_speech"]
