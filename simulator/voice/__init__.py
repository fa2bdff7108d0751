"""Voice: speech to text for the trainee, text to speech for the customer, a phone-line
effect, end-of-turn detection for hands-free calls, and voice figures for scoring.

Heavy parts (PyAV, faster-whisper, Piper, pyttsx3, espeak-ng) load on first use, so
importing this package is cheap. `main_transcribe`, `main_speak` and `main_voices` back
`rolecall transcribe`, `rolecall speak` and `rolecall voices`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.errors import RolecallError
from simulator.persona import Voice
from simulator.voice.audio import Audio, load_audio, save_wav
from simulator.voice.effects import apply_phone_line, phone_line
from simulator.voice.metrics import voice_metrics
from simulator.voice.stt import Segment, SpeechToText, Transcription, WhisperSTT, Word, default_stt
from simulator.voice.tts import EspeakTTS, TextToSpeech, voice_for
from simulator.voice.voices import Choice, PersonaTTS, VoiceEntry, default_tts, list_voices

__all__ = [
    "Audio", "Choice", "EspeakTTS", "PersonaTTS", "Segment", "SpeechToText", "TextToSpeech", "Transcription",
    "VoiceEntry", "WhisperSTT", "Word", "apply_phone_line", "default_stt", "default_tts", "list_voices",
    "load_audio", "main_speak", "main_transcribe", "main_voices", "phone_line", "save_wav", "voice_for",
    "voice_metrics",
]


def main_transcribe(path: str, language: str = "en", stt: SpeechToText | None = None) -> int:
    """Print the text of an audio file; one-line error on stderr and 1 for bad audio."""
    try:
        result = (stt or default_stt()).transcribe(path, language=language)
    except RolecallError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(result.text)
    return 0


def main_speak(
    voice: Voice, language: str, text: str, out: str, phone: bool = False, tts: TextToSpeech | None = None
) -> int:
    """Write `text` in the persona's voice to the wav file `out` (phone-line sound if asked),
    with the engine the voice picks (PersonaTTS)."""
    try:
        engine = tts or default_tts()
        path = engine.synthesize(text, voice, Path(out), language=language)
        if phone:
            apply_phone_line(path, path)
    except RolecallError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(path)
    return 0


def main_voices(all_languages: bool = False, personas: list | None = None, tts: PersonaTTS | None = None) -> int:
    """Print the voices this machine has, one per line, then (if given) which voice each
    persona gets here."""
    tts = tts or default_tts()
    rows = list_voices(tts, all_languages)
    width = max(len(r.id) for r in rows) if rows else 10
    print(f"{'backend':8} {'voice':{width}} {'language':14} {'gender':7} {'available':9} note")
    for r in rows:
        print(f"{r.backend:8} {r.id:{width}} {r.language:14} {r.gender or '?':7} {'yes' if r.available else 'no':9} {r.note}")
    if personas:
        print()
        print("persona voices on this machine:")
        for p in personas:
            try:
                c = tts.choose(p.voice, p.language)
                said = f"{c.backend} {c.voice_id} ({c.reason})"
            except RolecallError as e:
                said = f"none: {e}"
            print(f"  {p.id:28} {p.language} {p.voice.gender or '?':6} backend={p.voice.backend:7} -> {said}")
    return 0
