"""Loading a recorded turn into 16 kHz mono samples, and writing wav files.

What a browser microphone hands Gradio (wav, webm/opus, ogg, mp3, m4a) is decoded with
PyAV, which faster-whisper already depends on. Every way a recording can be unusable
ends in one AudioError line a trainee can act on.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.errors import AudioError

SAMPLE_RATE = 16_000
MAX_SECONDS = 120.0
# Loudest 50 ms window below -40 dBFS counts as silence: a mic's noise floor sits near
# -60..-50 dBFS, while speech peaks well above -30 dBFS even when spoken softly.
SILENCE_WINDOW_S = 0.05
SILENCE_RMS = 0.01

SUPPORTED = {".wav", ".wave", ".webm", ".weba", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".mp4", ".aac", ".flac"}


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray  # float32, mono, in [-1, 1]
    sample_rate: int
    duration_s: float


def load_audio(path: str | Path, *, max_seconds: float = MAX_SECONDS) -> Audio:
    """Decode `path` to mono float32 at 16 kHz, or raise AudioError saying what is wrong."""
    p = Path(path)
    name = p.name
    if not p.is_file():
        raise AudioError(f"audio file not found: {p}")
    if p.stat().st_size == 0:
        raise AudioError(f"{name}: the recording is empty (0 bytes); record again")
    if p.suffix.lower() not in SUPPORTED:
        raise AudioError(f"{name}: unsupported audio format {p.suffix or '(no extension)'!r}; use wav, webm, ogg, mp3 or m4a")
    samples = _decode(p, max_seconds)
    if samples.size == 0:
        raise AudioError(f"{name}: the recording has no sound samples; record again")
    duration = samples.size / SAMPLE_RATE
    if duration > max_seconds:
        raise AudioError(f"{name}: recording is longer than {_minutes(max_seconds)}; keep each turn shorter")
    if _is_silent(samples):
        raise AudioError(f"{name}: no speech heard — check your microphone")
    return Audio(samples=samples, sample_rate=SAMPLE_RATE, duration_s=duration)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} seconds"


def _decode(p: Path, max_seconds: float) -> np.ndarray:
    import av  # heavy; only needed when audio actually arrives

    # Stop decoding a little past the limit so a one-hour file does not fill memory.
    limit = int((max_seconds + 1) * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(str(p), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"{p.name}: the file has no audio track")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += chunk.size
                if total > limit:
                    break
            else:
                for out in resampler.resample(None):  # flush what the resampler holds
                    chunks.append(out.to_ndarray().reshape(-1))
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError, OSError) as e:
        # PyAV raises InvalidDataError and friends for bytes that are not audio.
        raise AudioError(f"{p.name}: cannot read this audio (corrupt or not really {p.suffix[1:]}); record again") from e
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.clip(np.concatenate(chunks).astype(np.float32, copy=False), -1.0, 1.0)


def _is_silent(samples: np.ndarray) -> bool:
    win = int(SILENCE_WINDOW_S * SAMPLE_RATE)
    n = samples.size // win
    if n == 0:
        return float(np.sqrt(np.mean(samples**2))) < SILENCE_RMS
    frames = samples[: n * win].reshape(n, win)
    return float(np.sqrt(np.mean(frames**2, axis=1)).max()) < SILENCE_RMS


def save_wav(samples: np.ndarray, sample_rate: int, path: str | Path) -> Path:
    """Write mono 16-bit PCM. Float input is taken as [-1, 1]; int16 input is written as is."""
    p = Path(path)
    data = np.asarray(samples)
    if data.ndim != 1:
        raise ValueError("save_wav expects mono samples (a 1-D array)")
    if data.dtype != np.int16:
        data = (np.clip(data.astype(np.float64), -1.0, 1.0) * 32767.0).round().astype(np.int16)
    p.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(p), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(data.astype("<i2").tobytes())
    return p


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM wav (as written by save_wav or the TTS) to float32 mono and its rate."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise AudioError(f"{Path(path).name}: only 16-bit PCM wav is supported here")
        raw = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        ch = w.getnchannels()
        rate = w.getframerate()
    data = raw.astype(np.float32) / 32768.0
    if ch > 1:
        data = data.reshape(-1, ch).mean(axis=1)
    return data, rate
