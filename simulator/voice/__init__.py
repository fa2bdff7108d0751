"""Voice: speech to text for the trainee, text to speech for the customer, a phone-line
effect, and voice figures for scoring.

Heavy parts (PyAV, faster-whisper, espeak-ng) load on first use, so importing this
package is cheap. `main_transcribe` and `main_speak` back `rolecall transcribe` and
`rolecall speak`.
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

__all__ = [
    "Audio", "EspeakTTS", "Segment", "SpeechToText", "TextToSpeech", "Transcription", "WhisperSTT", "Word",
    "apply_phone_line", "default_stt", "load_audio", "main_speak", "main_transcribe", "phone_line",
    "save_wav", "voice_for", "voice_metrics",
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
    """Write `text` in the persona's voice to the wav file `out` (phone-line sound if asked)."""
    try:
        engine = tts or EspeakTTS()
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
