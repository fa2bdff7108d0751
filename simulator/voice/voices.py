"""The customer's voice behind one interface, over three engines.

- `piper`: neural voices from local files (piper_tts.py). The best words-heard figures
  (0% lost through the app's own STT); English and male only as shipped on PyPI, so a
  woman's voice is the male voice raised (pitch and formants) unless a female Piper voice
  is installed.
- `pyttsx3`: the operating system's voices (pyttsx3_tts.py). Windows and macOS have good
  female and (macOS) Romanian voices; on Linux it is espeak-ng again.
- `espeak`: espeak-ng driven directly (tts.py). Every language, female variants, 10-70 ms
  a line, robotic: the fallback that is always there.

A persona's `voice.backend` (auto|piper|pyttsx3|espeak) and `voice.gender`, with its
language, give an ordered plan; the first engine that has a fitting voice on this machine
speaks. `auto`:
- English, male: piper, [pyttsx3 on Windows/macOS], espeak;
- English, female: piper (a female Piper voice), pyttsx3 (a female OS voice, Windows/macOS),
  piper (the male voice raised), espeak (female variant);
- Romanian (or any other language): pyttsx3 (an OS voice of the language and gender,
  Windows/macOS), piper (if a voice of the language is installed), espeak.
A named backend goes first and the `auto` plan follows it, so a voice missing on this
machine falls back (logged once) instead of failing the call.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import AudioError, ConfigError
from simulator.persona import Voice
from simulator.voice.audio import save_wav

log = logging.getLogger(__name__)

BACKENDS = ("piper", "pyttsx3", "espeak")


def _desktop(platform: str) -> bool:
    return platform.startswith("win") or platform == "darwin"


@dataclass(frozen=True)
class Choice:
    """What will speak: the engine, its voice id, and why."""

    backend: str
    voice_id: str
    gender: str | None
    reason: str
    info: Any = None  # the engine's own voice record


@dataclass(frozen=True)
class VoiceEntry:
    """One row of `rolecall voices`."""

    backend: str
    id: str
    language: str
    gender: str | None
    available: bool
    note: str = ""


_CODE = re.compile(r"\b([A-Z]{1,4})-?(\d{3,})\b|\b(\d{5,})\b")


def speakable(text: str) -> str:
    """Codes read out the way a caller reads them from a bill: letters spelled, digits one by
    one ("RC-48213" -> "R C, 4 8 2 1 3"), not as one big number. Everything else as written."""

    def say(m: re.Match) -> str:
        letters, digits = (m.group(1) or ""), (m.group(2) or m.group(3))
        spoken = " ".join(digits)
        return f"{' '.join(letters)}, {spoken}" if letters else spoken

    return _CODE.sub(say, text)


class PersonaTTS:
    """TextToSpeech that routes each line to the engine the persona's voice asks for.
    Drop-in for EspeakTTS: synthesize(text, voice, out_path, language). Thread-safe."""

    name = "voices"

    def __init__(self, piper: Any = None, pyttsx3: Any = None, espeak: Any = None, platform: str | None = None) -> None:
        from simulator.voice.piper_tts import PiperTTS
        from simulator.voice.pyttsx3_tts import Pyttsx3TTS
        from simulator.voice.tts import EspeakTTS

        self.piper = piper or PiperTTS()
        self.pyttsx3 = pyttsx3 or Pyttsx3TTS()
        self.espeak = espeak or EspeakTTS()
        self.platform = platform or sys.platform
        self._warned: set[tuple] = set()
        self._lock = threading.Lock()

    # -- planning ---------------------------------------------------------------------------
    def plan(self, voice: Voice, language: str) -> list[tuple[str, str]]:
        """Ordered (backend, mode) steps. Modes: "any" (a voice of the language), "same"
        (language and gender), "shift" (piper: a male voice raised for a woman)."""
        female = voice.gender == "female"
        desk = _desktop(self.platform)
        if language == "en":
            if female:
                steps = [("piper", "same")] + ([("pyttsx3", "same")] if desk else []) + [("piper", "shift"), ("espeak", "any")]
            else:
                steps = [("piper", "any")] + ([("pyttsx3", "same")] if desk else []) + [("espeak", "any")]
        else:
            steps = ([("pyttsx3", "same")] if desk else []) + [("piper", "same" if female else "any"), ("espeak", "any")]
        if voice.backend != "auto":
            first = (voice.backend, "any") if voice.backend != "piper" or not female else ("piper", "shift")
            steps = [first] + [s for s in steps if s[0] != voice.backend]
        if not desk and all(b != "pyttsx3" for b, _ in steps):
            steps.append(("pyttsx3", "any"))  # on Linux: espeak-ng through pyttsx3, when it owns the library
        return steps

    def _try(self, backend: str, mode: str, voice: Voice, language: str) -> Choice | None:
        """A Choice if `backend` has a fitting voice here; None if not; ConfigError if the
        engine cannot start."""
        if backend == "piper":
            why = self.piper.available()
            if why:
                raise ConfigError(why)
            info = self.piper.pick(voice, language)
            if info is None:
                return None
            if mode == "same" and voice.gender and info.gender != voice.gender:
                return None
            raised = voice.gender == "female" and info.gender != "female"
            note = " raised to a female voice" if raised else ""
            return Choice("piper", info.id, voice.gender if raised else info.gender, f"Piper {info.id}{note}", info)
        if backend == "pyttsx3":
            info = self.pyttsx3.pick(voice, language)
            if info is None:
                return None
            if mode == "same" and voice.gender and info.gender != voice.gender:
                return None
            return Choice("pyttsx3", info.id, info.gender, f"system voice {info.name}", info)
        if backend == "espeak":
            from simulator.voice.tts import espeak_data_dir, female_variant, voice_for

            if espeak_data_dir() is None:
                raise ConfigError("espeak-ng needs espeakng-loader: pip install espeakng-loader==0.2.4")
            name = voice_for(voice, language).espeak
            if voice.gender == "female":
                name = female_variant(name)
            return Choice("espeak", name, voice.gender, f"espeak-ng {name}", voice.model_copy(update={"espeak": name}))
        raise ConfigError(f"unknown voice backend {backend!r}; use one of auto, {', '.join(BACKENDS)}")

    def choose(self, voice: Voice, language: str = "en") -> Choice:
        """The first step of the plan that works on this machine."""
        return self._choose(voice, language)[0]

    def _choose(self, voice: Voice, language: str, skip: set[str] = frozenset()) -> tuple[Choice, list[str]]:
        problems: list[str] = []  # every step passed over, for the error
        failures: list[str] = []  # engines that could not start: worth a warning
        for backend, mode in self.plan(voice, language):
            if backend in skip:
                continue
            try:
                choice = self._try(backend, mode, voice, language)
            except ConfigError as e:
                problems.append(f"{backend}: {e}")
                failures.append(f"{backend}: {e}")
                continue
            if choice is not None:
                if voice.backend not in ("auto", choice.backend) or (failures and voice.backend != "auto"):
                    # Asked for an engine or voice this machine lacks: say so once.
                    self._warn_once((voice.backend, language, voice.gender, choice.backend),
                                    f"voice: {voice.backend} asked for, using {choice.reason} ({'; '.join(problems)})")
                elif failures:
                    self._warn_once(("auto", tuple(failures)), f"voice: using {choice.reason} ({'; '.join(failures)})")
                return choice, problems
            problems.append(f"{backend}: no {language} {voice.gender or ''} voice".replace("  ", " "))
        raise ConfigError("no text-to-speech voice available: " + "; ".join(problems))

    def _warn_once(self, key: tuple, message: str) -> None:
        with self._lock:
            if key in self._warned:
                return
            self._warned.add(key)
        log.warning(message)

    # -- speaking ---------------------------------------------------------------------------
    def render(self, text: str, voice: Voice, language: str = "en") -> tuple[np.ndarray, int, Choice]:
        """float32 samples, their rate, and the choice that spoke them."""
        from simulator.voice.tts import espeak_voice_known, voice_for

        if not text.strip():
            raise AudioError("nothing to say: the line is empty")
        espeak_name = voice_for(voice, language).espeak
        if not espeak_voice_known(espeak_name):
            # A typo in the persona file is an error whichever engine would speak.
            raise ConfigError(f"unknown espeak voice {espeak_name!r}; use a name such as en-us, en-gb or ro")
        tried: set[str] = set()
        spoken = speakable(text)
        while True:
            choice, _ = self._choose(voice, language, tried)
            try:
                samples, rate = self._speak(choice, spoken, voice, language)
                break
            except ConfigError as e:  # the engine failed to start: next one
                tried.add(choice.backend)
                self._warn_once(("fail", choice.backend), f"voice: {choice.backend} failed ({e}); falling back")
        x = np.asarray(samples)
        if x.dtype == np.int16:
            x = x.astype(np.float32) / 32768.0
        return x.astype(np.float32, copy=False), int(rate), choice

    def _speak(self, choice: Choice, text: str, voice: Voice, language: str) -> tuple[np.ndarray, int]:
        if choice.backend == "piper":
            return self.piper.render(text, voice, language, info=choice.info)
        if choice.backend == "pyttsx3":
            return self.pyttsx3.render(text, voice, language, info=choice.info)
        return self.espeak.render(text, choice.info)

    def synthesize(self, text: str, voice: Voice, out_path: Path, language: str = "en") -> Path:
        samples, rate, _ = self.render(text, voice, language)
        if samples.size == 0:
            raise AudioError("the voice produced no audio")
        return save_wav(samples, rate, out_path)

    # -- listing ----------------------------------------------------------------------------
    def list_voices(self, all_languages: bool = False) -> list[VoiceEntry]:
        return list_voices(self, all_languages)


def list_voices(tts: PersonaTTS | None = None, all_languages: bool = False) -> list[VoiceEntry]:
    """What this machine has, per engine, without starting an engine that would take
    espeak-ng away from another (on Linux pyttsx3 is listed as one row)."""
    from simulator.voice import piper_tts
    from simulator.voice.tts import espeak_catalogue, espeak_data_dir, espeak_owner

    tts = tts or PersonaTTS()
    rows: list[VoiceEntry] = []
    # Piper
    why = piper_tts.piper_available()
    have = piper_tts.installed_voices()
    for v in have:
        rows.append(VoiceEntry("piper", v.id, v.locale, v.gender, why is None, why or f"from {v.source}"))
        if v.gender == "male":
            rows.append(VoiceEntry("piper", f"{v.id} (raised)", v.locale, "female", why is None,
                                   "the same voice, pitch and formants raised: used for women when no female voice is installed"))
    if not have:
        for module, req in piper_tts.PACKAGED:
            rows.append(VoiceEntry("piper", module, "?", None, False, f"not installed: pip install piper-tts==1.8.0 {req}"))
    # pyttsx3
    try:
        import pyttsx3  # noqa: F401
        pyttsx3_ok: str | None = None
    except ImportError:
        pyttsx3_ok = f"not installed: {__import__('simulator.voice.pyttsx3_tts', fromlist=['x']).INSTALL_HINT}"
    linux = not _desktop(tts.platform)
    if pyttsx3_ok:
        rows.append(VoiceEntry("pyttsx3", "-", "-", None, False, pyttsx3_ok))
    elif linux and espeak_owner() != "pyttsx3":
        ok = espeak_owner() != "direct"
        rows.append(VoiceEntry("pyttsx3", "(espeak-ng voices)", "*", None, ok,
                               "on Linux pyttsx3 drives espeak-ng: the same voices as the espeak rows"
                               + ("" if ok else "; espeak-ng is already driven directly in this process")))
    else:
        try:
            for v in tts.pyttsx3.voices():
                langs = ",".join(v.languages) or "?"
                if all_languages or any(x.startswith(("en", "ro")) for x in v.languages) or not v.languages:
                    rows.append(VoiceEntry("pyttsx3", v.id, langs, v.gender, True, v.name))
        except ConfigError as e:
            rows.append(VoiceEntry("pyttsx3", "-", "-", None, False, str(e)))
    # espeak-ng
    if espeak_data_dir() is None:
        rows.append(VoiceEntry("espeak", "-", "-", None, False, "not installed: pip install espeakng-loader==0.2.4"))
    else:
        langs, variants = espeak_catalogue()
        names = sorted({i.name for i in langs.values()}) if all_languages else ["en-us", "en-gb", "ro"]
        for n in names:
            if n in langs:
                rows.append(VoiceEntry("espeak", n, langs[n].language, "male", True, langs[n].title))
                if "f3" in variants:
                    rows.append(VoiceEntry("espeak", f"{n}+f3", langs[n].language, "female", True, "female variant"))
    return rows


_DEFAULT: PersonaTTS | None = None
_DEFAULT_LOCK = threading.Lock()


def default_tts() -> PersonaTTS:
    """One router for the process, so each engine and Piper voice loads once."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = PersonaTTS()
        return _DEFAULT
