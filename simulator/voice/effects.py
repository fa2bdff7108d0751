"""A telephone-line sound for the customer's voice: narrow band, a little hiss, squashed
dynamics. numpy only (scipy is not a dependency); deterministic for a given seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.voice.audio import read_wav, save_wav

LOW_HZ, HIGH_HZ = 300.0, 3400.0  # the classic telephone voice band
RAMP_HZ = 100.0  # raised-cosine edges, so the filter does not ring
NOISE_DBFS = -46.0
COMPRESS = 2.5  # tanh drive: >1 lifts quiet syllables and rounds off peaks
PEAK = 0.89


def _band_mask(n: int, sr: int) -> np.ndarray:
    f = np.fft.rfftfreq(n, 1.0 / sr)
    mask = np.zeros_like(f)
    mask[(f >= LOW_HZ) & (f <= HIGH_HZ)] = 1.0
    low = (f > LOW_HZ - RAMP_HZ) & (f < LOW_HZ)
    mask[low] = 0.5 - 0.5 * np.cos(np.pi * (f[low] - (LOW_HZ - RAMP_HZ)) / RAMP_HZ)
    high = (f > HIGH_HZ) & (f < HIGH_HZ + RAMP_HZ)
    mask[high] = 0.5 + 0.5 * np.cos(np.pi * (f[high] - HIGH_HZ) / RAMP_HZ)
    return mask


def phone_line(samples: np.ndarray, sr: int, seed: int = 0) -> np.ndarray:
    """The same clip as heard over a phone line: float32, same length as the input."""
    x = np.asarray(samples)
    if x.dtype == np.int16:
        x = x.astype(np.float32) / 32768.0
    x = x.astype(np.float64)
    n = x.size
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    peak = float(np.max(np.abs(x)))
    if peak > 0:
        x = np.tanh(COMPRESS * x / peak) / np.tanh(COMPRESS)
    rng = np.random.default_rng(seed)
    x = x + rng.standard_normal(n) * 10 ** (NOISE_DBFS / 20)
    # Band-limit after adding the noise so the hiss sits inside the band like real line noise.
    y = np.fft.irfft(np.fft.rfft(x) * _band_mask(n, sr), n)
    top = float(np.max(np.abs(y)))
    if top > 0:
        y = y * (PEAK / top)
    return y.astype(np.float32)


def apply_phone_line(in_wav: str | Path, out_wav: str | Path, seed: int = 0) -> Path:
    """Read a 16-bit wav, write its phone-line version at the same sample rate."""
    samples, sr = read_wav(in_wav)
    return save_wav(phone_line(samples, sr, seed=seed), sr, out_wav)
