"""The customer's first sentence is spoken while the rest is written (simulator/voice/early.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.voice import load_audio, save_wav
from simulator.voice.early import EarlyVoice, first_sentence


@pytest.mark.parametrize("text, first", [
    ("Fine. It's RC-48213.", None),                      # one word: spoken with the rest
    ("It's been down since Monday. I work from", "It's been down since Monday."),
    ("It's been down since Monday.", None),              # the next sentence has not started yet
    ("Is it fixed? Because I", "Is it fixed?"),
    ("It costs 12.50 a month, right", None),             # a decimal point ends nothing
])
def test_first_sentence(text, first):
    assert first_sentence(text) == first


def _fake_tts(said: list[str]):
    def synthesize(text: str, out: Path) -> Path:
        said.append(text)
        return save_wav(np.full(1600 * len(text.split()), 0.1, dtype=np.float32), 16000, out)  # 0.1 s a word
    return synthesize


def test_the_first_sentence_goes_out_first_then_the_rest(tmp_path):
    said: list[str] = []
    parts: list[str] = []
    early = EarlyVoice(_fake_tts(said), tmp_path, parts.append)
    line = "It's been down since Monday. I work from home, so please hurry."
    for n in range(1, len(line) + 1):
        early.grew(line[:n])
    whole = early.finish(line, tmp_path / "whole.wav")
    assert said == ["It's been down since Monday.", "I work from home, so please hurry."]
    assert len(parts) == 2 and load_audio(whole).duration_s == pytest.approx(1.2, abs=0.01)


def test_a_withdrawn_start_is_followed_by_the_whole_new_line(tmp_path):
    said: list[str] = []
    early = EarlyVoice(_fake_tts(said), tmp_path, lambda _p: None)
    early.grew("You should restart your router. That")  # the guard later turns this line down
    early.grew("")
    whole = early.finish("My internet is still down.", tmp_path / "whole.wav")
    assert said == ["You should restart your router.", "My internet is still down."]
    assert load_audio(whole).duration_s == pytest.approx(1.0, abs=0.01)  # what was really said, both


def test_a_failed_first_part_leaves_the_whole_line(tmp_path):
    said: list[str] = []
    tts = _fake_tts(said)

    def flaky(text: str, out: Path) -> Path:
        if not said and text.startswith("It's"):
            said.append("(failed)")
            raise RuntimeError("engine busy")
        return tts(text, out)

    parts: list[str] = []
    early = EarlyVoice(flaky, tmp_path, parts.append)
    early.grew("It's been down since Monday. I")
    line = "It's been down since Monday. I work from home."
    assert early.finish(line, tmp_path / "whole.wav") and said[-1] == line and len(parts) == 1
