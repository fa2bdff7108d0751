"""The phone-line effect: same length, telephone band only, repeatable."""

from __future__ import annotations

import numpy as np

from simulator.voice.audio import read_wav, save_wav
from simulator.voice.effects import apply_phone_line, phone_line

SR = 22050


def broadband(seconds: float = 1.0, seed: int = 3) -> np.ndarray:
    """Low hum + voice-band tones + high hiss, so every part of the spectrum has energy."""
    t = np.arange(int(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    x = 0.3 * np.sin(2 * np.pi * 80 * t) + 0.2 * np.sin(2 * np.pi * 1000 * t) + 0.2 * np.sin(2 * np.pi * 6000 * t)
    return (x + 0.05 * rng.standard_normal(t.size)).astype(np.float32)


def band_share(x: np.ndarray, lo: float, hi: float) -> float:
    f = np.fft.rfftfreq(x.size, 1 / SR)
    p = np.abs(np.fft.rfft(x)) ** 2
    return float(p[(f >= lo) & (f < hi)].sum() / p.sum())


def test_keeps_length_and_returns_float32():
    x = broadband(1.3)
    y = phone_line(x, SR)
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.max(np.abs(y)) <= 1.0


def test_removes_energy_below_200_hz_and_above_4_khz():
    x = broadband()
    assert band_share(x, 0, 200) > 0.3 and band_share(x, 4000, SR / 2) > 0.2  # the input has plenty
    y = phone_line(x, SR)
    assert band_share(y, 0, 200) < 1e-4
    assert band_share(y, 4000, SR / 2) < 1e-4
    assert band_share(y, 300, 3400) > 0.95


def test_deterministic_per_seed():
    x = broadband()
    assert np.array_equal(phone_line(x, SR, seed=5), phone_line(x, SR, seed=5))
    assert not np.array_equal(phone_line(x, SR, seed=5), phone_line(x, SR, seed=6))


def test_compression_lifts_quiet_parts_relative_to_loud():
    t = np.arange(SR) / SR
    x = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    x[: SR // 2] *= 0.05  # a quiet half, then a loud half
    y = phone_line(x, SR)
    ratio_in = np.abs(x[SR // 2 :]).mean() / np.abs(x[: SR // 2]).mean()
    ratio_out = np.abs(y[SR // 2 + 500 :]).mean() / np.abs(y[500 : SR // 2]).mean()
    assert ratio_out < ratio_in * 0.7


def test_accepts_int16_and_empty():
    x = (broadband() * 32767).astype(np.int16)
    assert phone_line(x, SR).shape == x.shape
    assert phone_line(np.zeros(0, dtype=np.float32), SR).size == 0


def test_apply_phone_line_writes_a_wav_at_the_same_rate(tmp_path):
    src = save_wav(broadband(), SR, tmp_path / "in.wav")
    out = apply_phone_line(src, tmp_path / "out.wav")
    y, sr = read_wav(out)
    assert sr == SR and y.size == SR
    assert band_share(y, 0, 200) < 1e-3
