"""pyttsx3: the operating system's own voices (SAPI5 on Windows, NSSpeechSynthesizer /
AVSpeech on macOS, espeak-ng on Linux).

pyttsx3 2.99 is not thread-safe and keeps state between calls: a second run can repeat the
text of the one before, saves can queue into one file, and two threads using it at once
can hang. So one worker thread owns the engine for the life of the process; requests
reach it through a queue, one at a time; each request gets a fresh file of its own, and
the driver's leftover text is cleared after every clip. The worker reads the file back
and deletes it, so callers get samples and never a shared path.

On Linux pyttsx3 loads libespeak-ng.so.1. No system package is needed: the copy in the
espeakng-loader wheel is loaded first (its soname is the one pyttsx3 asks for). That is
the library EspeakTTS drives too, so only one of the two may use it in a process
(simulator.voice.tts.claim_espeak); on Linux the direct backend is the default anyway.
"""

from __future__ import annotations

import ctypes
import os
import queue
import sys
import tempfile
import threading
import time
import wave
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import AudioError, ConfigError
from simulator.persona import Voice

INSTALL_HINT = "pip install pyttsx3==2.99"
TIMEOUT_S = 60.0


@dataclass(frozen=True)
class SystemVoice:
    id: str
    name: str
    languages: tuple[str, ...]
    gender: str | None


def _norm_lang(lang: Any) -> str:
    if isinstance(lang, bytes):  # espeak reports b"\x05en-us"
        lang = lang.lstrip(bytes(range(32))).decode("utf-8", "replace")
    return str(lang).replace("_", "-").lower()


def _norm_gender(g: Any) -> str | None:
    g = str(g or "").lower()
    if g.startswith("f") or "female" in g:
        return "female"
    if g.startswith("m") or "male" in g:
        return "male"
    return None


def _prepare_linux() -> None:
    """Make libespeak-ng.so.1 loadable for pyttsx3 from the espeakng-loader wheel."""
    if not sys.platform.startswith("linux"):
        return
    import importlib.util

    from simulator.voice.tts import claim_espeak

    if importlib.util.find_spec("pyttsx3") is None:  # before claiming espeak-ng: nothing to start
        raise ConfigError(f"the system voices need pyttsx3: {INSTALL_HINT}")
    claim_espeak("pyttsx3")
    try:
        import espeakng_loader
    except ImportError:
        return  # a system libespeak-ng may still be there
    os.environ.setdefault("ESPEAK_DATA_PATH", espeakng_loader.get_data_path())
    ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_LOCAL)  # found by its soname; local: see tts.py


class Pyttsx3TTS:
    """The OS voices through one engine-owning worker thread. Safe to call from any thread."""

    name = "pyttsx3"

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[str, tuple, Future] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._voices: list[SystemVoice] | None = None
        self._error: BaseException | None = None
        self.driver: str | None = None  # "espeak", "sapi5", "nsss", "avspeech" once started
        self._espeak_lib: Any = None  # pyttsx3's espeak-ng binding, with the espeak driver

    # -- the worker ---------------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._error is not None:
                raise ConfigError(f"the system voices (pyttsx3) cannot start here: {self._error}")
            if self._thread is None:
                ready: Future = Future()
                self._thread = threading.Thread(target=self._run, args=(ready,), name="pyttsx3-worker", daemon=True)
                self._thread.start()
                try:
                    ready.result(timeout=TIMEOUT_S)
                except BaseException as e:  # noqa: BLE001 - kept and reported to every caller
                    self._error = e
                    raise ConfigError(f"the system voices (pyttsx3) cannot start here: {e}") from e

    def _run(self, ready: Future) -> None:
        try:
            _prepare_linux()
            try:
                import pyttsx3
            except ImportError as e:
                raise ConfigError(f"the system voices need pyttsx3: {INSTALL_HINT}") from e
            engine = pyttsx3.init()
            driver = getattr(engine.proxy, "_driver", None)
            self.driver = type(driver).__module__.rsplit(".", 1)[-1] if driver is not None else None
            module = sys.modules.get(type(driver).__module__) if driver is not None else None
            if module is not None and module.__name__.endswith(".espeak"):
                # The espeak driver prints "Audio saved to …" for every clip; silence that
                # module only (a module-level name shadows the builtin), not sys.stdout.
                module.print = lambda *a, **k: None
                # Its ctypes binding: whether espeak's own thread is still closing a clip.
                self._espeak_lib = sys.modules.get(module.__name__.rsplit(".", 1)[0] + "._espeak")
                if self._espeak_lib is not None:
                    keep_each_clips_last_sound(driver, self._espeak_lib)
            self._voices = [
                SystemVoice(str(v.id), str(v.name or v.id), tuple(_norm_lang(x) for x in (v.languages or ())), _norm_gender(v.gender))
                for v in engine.getProperty("voices")
            ]
        except BaseException as e:  # noqa: BLE001
            ready.set_exception(e)
            return
        ready.set_result(True)
        while True:
            item = self._queue.get()
            if item is None:
                return
            kind, args, fut = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(self._speak(engine, driver, *args))
            except BaseException as e:  # noqa: BLE001 - handed to the caller
                fut.set_exception(e)

    def _speak(self, engine: Any, driver: Any, text: str, voice_id: str | None, rate: int, pitch: int) -> tuple[np.ndarray, int]:
        # Once in a full test run on a busy machine, espeak-ng (through pyttsx3) wrote an empty
        # clip: a late end-of-message from the clip before can close the new file before any
        # audio. Not reproduced in 240 clips under load; a second try costs one clip's time.
        try:
            return self._speak_once(engine, driver, text, voice_id, rate, pitch)
        except AudioError:
            return self._speak_once(engine, driver, text, voice_id, rate, pitch)

    def _speak_once(self, engine: Any, driver: Any, text: str, voice_id: str | None, rate: int, pitch: int) -> tuple[np.ndarray, int]:
        fd, name = tempfile.mkstemp(prefix="rolecall-pyttsx3-", suffix=".wav")
        os.close(fd)
        os.unlink(name)  # a fresh, absent path: a stale clip can never be read as this one
        path = Path(name)
        try:
            if voice_id:
                engine.setProperty("voice", voice_id)
            engine.setProperty("rate", int(rate))
            if driver is not None and type(driver).__module__.endswith(".espeak"):
                try:
                    engine.setProperty("pitch", int(pitch))
                except (KeyError, ValueError):
                    pass
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            # On espeak-ng (AUDIO_OUTPUT_RETRIEVAL) synthesis runs in espeak's own thread, and
            # runAndWait can return before it ends (always on the first clip: the proxy starts
            # busy, so its queued endLoop runs as the loop starts). The callback writes the
            # file and then clears _speaking: wait for that, before clearing anything.
            deadline = time.monotonic() + TIMEOUT_S
            while getattr(driver, "_speaking", False) and time.monotonic() < deadline:
                time.sleep(0.005)
            # espeak's thread may still be closing the clip: the next clip's start would cancel it.
            espeak = self._espeak_lib
            while espeak is not None and espeak.IsPlaying() and time.monotonic() < deadline:
                time.sleep(0.005)
            if driver is not None:
                # pyttsx3 keeps the last text and file; a later run would speak them again.
                for attr in ("_text_to_say", "_save_file"):
                    if hasattr(driver, attr):
                        setattr(driver, attr, None)
            if not path.is_file() or path.stat().st_size <= 44:
                raise AudioError("the system voice produced no audio")
            return _read_any_wav(path)
        finally:
            path.unlink(missing_ok=True)

    # -- the interface ------------------------------------------------------------------------
    def voices(self) -> list[SystemVoice]:
        self._ensure_worker()
        return list(self._voices or [])

    def pick(self, voice: Voice, language: str) -> SystemVoice | None:
        """voice.system (an id or part of a name) if present; else a voice of the persona's
        language and gender; else one of the language."""
        have = self.voices()
        if self.driver == "espeak" and not voice.system:
            # espeak-ng's voices are all "male"; a woman's voice is a variant of the language
            # voice (en-us+f3), which SetVoiceByName takes as it is.
            from simulator.voice.tts import female_variant, voice_for

            name = voice_for(voice, language).espeak
            name = female_variant(name) if voice.gender == "female" else name
            return SystemVoice(name, name, (language,), voice.gender)
        if voice.system:
            want = voice.system.lower()
            named = [v for v in have if v.id.lower() == want or want in v.name.lower()]
            if named:
                return named[0]
        langs = [v for v in have if any(lang == language or lang.startswith(language + "-") for lang in v.languages)]
        for v in langs:
            if v.gender == voice.gender:
                return v
        return langs[0] if langs else None

    def render(self, text: str, voice: Voice, language: str = "en", info: SystemVoice | None = None) -> tuple[np.ndarray, int]:
        if not text.strip():
            raise AudioError("nothing to say: the line is empty")
        self._ensure_worker()
        info = info or self.pick(voice, language)
        fut: Future = Future()
        self._queue.put(("speak", (text, info.id if info else None, voice.rate, voice.pitch), fut))
        try:
            return fut.result(timeout=TIMEOUT_S)
        except TimeoutError as e:
            raise AudioError(f"the system voice did not finish within {TIMEOUT_S:g} s") from e

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)


def keep_each_clips_last_sound(driver: Any, espeak: Any) -> None:
    """pyttsx3's espeak driver writes a clip to its file when espeak's end event comes, and adds
    the sound that came in the same callback only after that: when espeak sends the last sound
    and the end together, the clip lost its last 0.1-0.2 s (a CI run: "Bye." in 11,560 samples
    instead of 14,830). This callback takes the sound first, then lets the driver see the events."""
    on_synth = driver._onSynth

    def synth(wav, numsamples, events):
        if numsamples > 0 and driver._speaking:
            driver._data_buffer += ctypes.string_at(wav, numsamples * ctypes.sizeof(ctypes.c_short))
        return on_synth(wav, 0, events)

    espeak.SetSynthCallback(synth)


def _read_any_wav(path: Path) -> tuple[np.ndarray, int]:
    """16-bit PCM wav (espeak, SAPI); other formats (macOS writes AIFF) through PyAV."""
    try:
        with wave.open(str(path), "rb") as w:
            if w.getsampwidth() == 2:
                raw = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
                ch, rate = w.getnchannels(), w.getframerate()
                data = raw.astype(np.float32) / 32768.0
                return (data.reshape(-1, ch).mean(axis=1) if ch > 1 else data), rate
    except (wave.Error, EOFError):
        pass
    from simulator.voice.audio import SAMPLE_RATE, _decode

    return _decode(path, 600.0), SAMPLE_RATE
