"""Text to speech: the customer's voice.

`EspeakTTS` drives the espeak-ng library shipped in the espeakng-loader wheel directly
through ctypes, in synchronous mode, behind one process-wide lock. pyttsx3 2.99 (the
first choice) wraps the same library but prints "Audio saved to …" on stdout for every
clip, polls its run loop with 10 ms sleeps, and keeps queued text and a save path between
calls; with its state shared process-wide it cannot be made safe for Gradio's worker
threads without the same lock anyway, so the thin layer here replaces it.
"""

from __future__ import annotations

import ctypes
import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from simulator.errors import AudioError, ConfigError
from simulator.persona import Voice
from simulator.voice.audio import save_wav


class TextToSpeech(Protocol):
    def synthesize(self, text: str, voice: Voice, out_path: Path, language: str = "en") -> Path:
        """Write `text` spoken in `voice` to `out_path` as a 16-bit mono wav; return the path."""
        ...


# Constants from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_RATE, _VOLUME, _PITCH = 1, 2, 3
_EE_OK = 0

class _VoiceSpec(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p), ("languages", ctypes.c_char_p), ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte), ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int), ("spare", ctypes.c_void_p),
    ]


_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

# The library has one global state (voice, parameters, callback): every use goes through
# this lock, and the whole clip is produced inside one locked call.
_LOCK = threading.Lock()


class _Espeak:
    """The loaded library, initialised once per process (espeak-ng cannot re-initialise)."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as e:
            raise ConfigError("text to speech needs espeakng-loader: pip install espeakng-loader==0.2.4") from e
        data = espeakng_loader.get_data_path()
        # Without a data path the library calls exit() and takes the whole process down.
        os.environ.setdefault("ESPEAK_DATA_PATH", data)
        # RTLD_LOCAL: Piper's espeakbridge exports the same espeak_* symbols; a global copy here
        # would interpose on its internal calls (a crash in the first Piper line after this).
        lib = ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_LOCAL)
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetVoiceByProperties.argtypes = [ctypes.POINTER(_VoiceSpec)]
        lib.espeak_SetVoiceByProperties.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.restype = ctypes.c_int
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), 0)
        if rate <= 0:
            raise ConfigError(f"espeak-ng could not start with its data at {data}; reinstall espeakng-loader")
        self.lib = lib
        self.sample_rate = rate
        self._chunks: list[bytes] = []
        # Keep a reference: ctypes callbacks are freed when the Python object is.
        self._callback = _SYNTH_CALLBACK(self._on_samples)
        lib.espeak_SetSynthCallback(self._callback)

    def _on_samples(self, wav, numsamples, _events) -> int:  # called by C during Synth
        if numsamples > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        return 0  # 0 = keep going

    def speak(self, text: str, voice: Voice) -> np.ndarray:
        """int16 samples at self.sample_rate. Caller holds _LOCK."""
        lib = self.lib
        # By name first ("en-us" is a voice file); then as a language ("en-gb" is only
        # the language of the voice file "en").
        if (
            lib.espeak_SetVoiceByName(voice.espeak.encode()) != _EE_OK
            and lib.espeak_SetVoiceByProperties(ctypes.byref(_VoiceSpec(languages=voice.espeak.lower().encode()))) != _EE_OK
        ):
            raise ConfigError(f"unknown espeak voice {voice.espeak!r}; use a name such as en-us, en-gb or ro")
        lib.espeak_SetParameter(_RATE, int(voice.rate), 0)
        lib.espeak_SetParameter(_PITCH, int(voice.pitch), 0)
        lib.espeak_SetParameter(_VOLUME, 100, 0)
        lib.espeak_ng_SetRandSeed(0)  # same text and voice -> same samples
        self._chunks = []
        try:
            raw = text.encode("utf-8") + b"\0"
            err = lib.espeak_Synth(raw, len(raw), 0, _POS_CHARACTER, 0, _CHARS_UTF8 | _ENDPAUSE, None, None)
            lib.espeak_Synchronize()
            if err != _EE_OK:
                raise AudioError(f"espeak-ng failed to speak the line (error {err})")
            return np.frombuffer(b"".join(self._chunks), dtype="<i2").copy()
        finally:
            self._chunks = []  # nothing of this clip can leak into the next one


_ENGINE: _Espeak | None = None
# On Linux pyttsx3 drives the very same libespeak-ng (one global state, initialised once
# per process, in another output mode): whichever of the two starts first owns it for the
# life of the process, and the other one is unavailable there (simulator.voice.voices falls
# back to the owner, which speaks with the same voices).
_OWNER: str | None = None
_OWNER_LOCK = threading.Lock()


def claim_espeak(owner: str) -> None:
    """Mark libespeak-ng as driven by `owner` ("direct" or "pyttsx3") in this process;
    ConfigError when the other one already drives it."""
    global _OWNER
    with _OWNER_LOCK:
        if _OWNER not in (None, owner):
            raise ConfigError(f"espeak-ng is already driven by {_OWNER} in this process; {owner} cannot use it too")
        _OWNER = owner


def espeak_owner() -> str | None:
    return _OWNER


def _engine() -> _Espeak:
    global _ENGINE
    if _ENGINE is None:
        claim_espeak("direct")
        _ENGINE = _Espeak()
    return _ENGINE


@dataclass(frozen=True)
class EspeakVoiceInfo:
    name: str  # what SetVoiceByName takes, e.g. "en-us", "ro", "en-us+f3"
    language: str  # e.g. "en-us"
    gender: str | None  # "male", "female" or None (a language voice: male by default)
    title: str = ""


def espeak_data_dir() -> Path | None:
    try:
        import espeakng_loader
    except ImportError:
        return None
    return Path(espeakng_loader.get_data_path())


@functools.lru_cache(maxsize=1)
def espeak_catalogue() -> tuple[dict[str, EspeakVoiceInfo], dict[str, EspeakVoiceInfo]]:
    """(languages, variants) read from the espeak-ng data files, without starting the
    library. Languages are keyed by lower-case file name and by each `language` line;
    variants (+f1 … +m7, named ones) by their file name."""
    data = espeak_data_dir()
    langs: dict[str, EspeakVoiceInfo] = {}
    variants: dict[str, EspeakVoiceInfo] = {}
    if data is None:
        return langs, variants
    for f in sorted((data / "lang").rglob("*")):
        if not f.is_file():
            continue
        title, codes = f.name, []
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "name":
                title = " ".join(parts[1:])
            elif len(parts) >= 2 and parts[0] == "language":
                codes.append(parts[1].lower())
        info = EspeakVoiceInfo(f.name.lower(), (codes or [f.name.lower()])[0], None, title)
        langs.setdefault(f.name.lower(), info)
        for c in codes:
            langs.setdefault(c, EspeakVoiceInfo(c, c, None, title))
    vdir = data / "voices" / "!v"
    for f in sorted(vdir.glob("*")) if vdir.is_dir() else ():
        gender = None
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "gender":
                gender = parts[1].lower() if parts[1].lower() in ("male", "female") else None
        variants[f.name.lower()] = EspeakVoiceInfo(f.name, "", gender, f.name)
    return langs, variants


def espeak_voice_known(name: str) -> bool:
    """Whether espeak-ng has this voice ("en-us", "ro", "en-gb+f3"); True when the data
    cannot be read (the library itself then says)."""
    langs, variants = espeak_catalogue()
    if not langs:
        return True
    base, _, variant = name.lower().partition("+")
    return base in langs and (not variant or variant in variants)


def female_variant(name: str) -> str:
    """The espeak voice with a female variant, unless it names a variant already."""
    return name if "+" in name else f"{name}+f3"


class EspeakTTS:
    """Offline espeak-ng voice. Safe to share between threads; clips are made one at a time."""

    name = "espeak"

    def render(self, text: str, voice: Voice) -> tuple[np.ndarray, int]:
        """The spoken line as int16 samples and their sample rate (22050 Hz)."""
        if not text.strip():
            raise AudioError("nothing to say: the line is empty")
        if not espeak_voice_known(voice.espeak):
            raise ConfigError(f"unknown espeak voice {voice.espeak!r}; use a name such as en-us, en-gb or ro")
        with _LOCK:
            engine = _engine()
            samples = engine.speak(text, voice)
            rate = engine.sample_rate
        if samples.size == 0:
            raise AudioError(f"espeak-ng produced no audio for voice {voice.espeak!r}")
        return samples, rate

    def synthesize(self, text: str, voice: Voice, out_path: Path, language: str = "en") -> Path:
        samples, rate = self.render(text, voice_for(voice, language))
        return save_wav(samples, rate, out_path)


def voice_for(voice: Voice, language: str) -> Voice:
    """A persona's voice, with the espeak voice switched to Romanian when the persona speaks
    Romanian but was left on the English default."""
    if language == "ro" and voice.espeak.lower().startswith("en"):
        return voice.model_copy(update={"espeak": "ro"})
    return voice
