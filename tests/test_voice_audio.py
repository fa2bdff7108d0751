"""Loading recordings: browser formats decode; every kind of bad audio gives one clear line."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from simulator.errors import AudioError
from simulator.voice.audio import SAMPLE_RATE, load_audio, read_wav, save_wav


def tone(seconds: float, sr: int = SAMPLE_RATE, hz: float = 440.0, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def encode(samples: np.ndarray, sr: int, path: Path, codec: str, rate: int) -> Path:
    """What a browser would upload: the clip in another container/codec, made with PyAV."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = sr
        frame_size = stream.codec_context.frame_size or 1024
        fifo = av.AudioFifo()
        for f in resampler.resample(frame) + resampler.resample(None):
            fifo.write(f)
        while (chunk := fifo.read(frame_size)) is not None:
            for packet in stream.encode(chunk):
                out.mux(packet)
        if fifo.samples:  # the last, partial frame
            for packet in stream.encode(fifo.read()):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def test_wav_at_other_rate_is_resampled_to_16k_mono(tmp_path):
    path = save_wav(tone(1.5, sr=44100), 44100, tmp_path / "turn.wav")
    audio = load_audio(path)
    assert audio.sample_rate == 16000
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.duration_s == pytest.approx(1.5, abs=0.02)


@pytest.mark.parametrize(
    "name, codec, rate",
    [("mic.webm", "libopus", 48000), ("mic.ogg", "libopus", 48000), ("mic.mp3", "libmp3lame", 44100), ("mic.m4a", "aac", 44100)],
)
def test_browser_formats_decode(tmp_path, name, codec, rate):
    path = encode(tone(2.0, sr=rate), rate, tmp_path / name, codec, rate)
    audio = load_audio(path)
    # Encoders pad a few ms at the edges; the length must still be about right.
    assert audio.duration_s == pytest.approx(2.0, abs=0.1)
    assert float(np.sqrt(np.mean(audio.samples**2))) > 0.1


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="not found"):
        load_audio(tmp_path / "nope.wav")


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(p)


def test_wav_with_no_samples(tmp_path):
    p = save_wav(np.zeros(0, dtype=np.float32), 16000, tmp_path / "nothing.wav")
    with pytest.raises(AudioError, match="no sound samples"):
        load_audio(p)


def test_short_silence_is_no_speech(tmp_path):
    p = save_wav(np.zeros(int(0.3 * 16000), dtype=np.float32), 16000, tmp_path / "quiet.wav")
    with pytest.raises(AudioError, match="no speech heard — check your microphone"):
        load_audio(p)


def test_faint_mic_hiss_is_no_speech_but_soft_speech_level_is_not(tmp_path):
    rng = np.random.default_rng(1)
    hiss = (rng.standard_normal(16000) * 10 ** (-60 / 20)).astype(np.float32)
    with pytest.raises(AudioError, match="no speech heard"):
        load_audio(save_wav(hiss, 16000, tmp_path / "hiss.wav"))
    soft = hiss + tone(1.0, amp=0.05)
    assert load_audio(save_wav(soft, 16000, tmp_path / "soft.wav")).duration_s == pytest.approx(1.0, abs=0.01)


def test_random_bytes_named_wav_is_corrupt(tmp_path):
    p = tmp_path / "broken.wav"
    p.write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(AudioError) as e:
        load_audio(p)
    msg = str(e.value)
    assert "broken.wav" in msg and "cannot read" in msg and "\n" not in msg


def test_text_file_is_unsupported(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello, this is not audio")
    with pytest.raises(AudioError, match=r"unsupported audio format '\.txt'.*wav"):
        load_audio(p)


def test_two_and_a_half_minutes_is_too_long(tmp_path):
    rng = np.random.default_rng(2)
    noise = (0.2 * rng.standard_normal(int(150 * 8000))).astype(np.float32)
    p = save_wav(noise, 8000, tmp_path / "long.wav")
    with pytest.raises(AudioError, match="longer than 2 minutes; keep each turn shorter"):
        load_audio(p)


def test_save_wav_writes_16_bit_mono_and_round_trips(tmp_path):
    x = tone(0.5, sr=22050)
    p = save_wav(x, 22050, tmp_path / "sub" / "clip.wav")
    with wave.open(str(p)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 22050, x.size)
    y, sr = read_wav(p)
    assert sr == 22050
    assert np.max(np.abs(y - x)) < 1e-3


def test_save_wav_clips_instead_of_wrapping(tmp_path):
    p = save_wav(np.array([2.0, -2.0, 0.5], dtype=np.float32), 16000, tmp_path / "loud.wav")
    y, _ = read_wav(p)
    assert y[0] > 0.99 and y[1] < -0.99  # a wrapped int16 would flip the sign
