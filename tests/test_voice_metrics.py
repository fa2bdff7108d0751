"""Voice figures on synthetic turns with known words and timings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from simulator.voice.metrics import count_fillers, response_gaps, voice_metrics
from simulator.voice.stt import Segment, Transcription, Word


def test_words_per_minute_fillers_and_talk_ratio_from_durations():
    turns = [
        ("Um hello, thank you for calling, how can I help you", 5.0),  # 11 words
        ("I mean, you know, I can basically fix that right now", 5.0),  # 11 words
    ]
    m = voice_metrics(turns, customer_durations=[10.0, 20.0], language="en")
    assert m["agent_words"] == 22
    assert m["words_per_minute"] == pytest.approx(22 / (10 / 60), rel=1e-3)  # 132 wpm
    assert m["filler_words"] == 4  # um, i mean, you know, basically
    assert m["fillers"] == {"um": 1, "i mean": 1, "you know": 1, "basically": 1}
    assert m["filler_per_min"] == pytest.approx(24.0)
    assert m["talk_ratio_time"] == pytest.approx(10 / 40)
    assert m["long_silences"] == 0


def test_long_pauses_inside_a_turn_come_from_word_gaps():
    words = (Word(0.5, 0.9, "Let"), Word(0.9, 1.2, "me"), Word(1.2, 1.6, "check."), Word(4.0, 4.5, "Okay"), Word(4.5, 5.0, "done."))
    tr = Transcription(
        text="Let me check. Okay done.", duration_s=6.0,
        segments=(Segment(0.5, 1.6, "Let me check.", words[:3]), Segment(4.0, 5.0, "Okay done.", words[3:])),
    )
    m = voice_metrics([(tr.text, tr)], customer_durations=[4.5])
    assert m["long_pauses"] == 1  # 1.6 -> 4.0 is 2.4 s
    # Speaking time is first word to last word, not the whole 6 s recording.
    assert m["agent_speaking_s"] == pytest.approx(4.5)
    assert m["words_per_minute"] == pytest.approx(5 / (4.5 / 60), rel=1e-3)
    assert m["talk_ratio_time"] == pytest.approx(0.5)


def test_short_pauses_are_not_counted():
    tr = Transcription(text="a b", duration_s=3.0, segments=(Segment(0.0, 1.0, "a"), Segment(2.5, 3.0, "b")))
    assert voice_metrics([(tr.text, tr)])["long_pauses"] == 0


def test_slow_responses_from_transcript_timestamps():
    turns = [
        SimpleNamespace(role="customer", t=0.0),
        SimpleNamespace(role="agent", t=4.0),  # 3 s after a 1 s line: fine
        SimpleNamespace(role="customer", t=8.0),
        SimpleNamespace(role="agent", t=16.0),  # 6 s after a 2 s line: slow
    ]
    gaps = response_gaps(turns, {0: 1.0, 2: 2.0})
    assert gaps == pytest.approx([3.0, 6.0])
    m = voice_metrics([("Hello there", 2.0), ("Sorry for the wait", 2.0)], [1.0, 2.0], response_gaps_s=gaps)
    assert m["slow_responses"] == 1 and m["long_silences"] == 1


def test_romanian_fillers():
    found = count_fillers("Păi, ăă, deci adica trebuie să verific, gen, contul", "ro")
    assert found == {"păi": 1, "ăă": 1, "deci": 1, "adică": 1, "gen": 1}


def test_filler_words_inside_other_words_do_not_count():
    assert count_fillers("The umbrella unlikely summary", "en") == {}


def test_nothing_to_measure_gives_none_not_a_crash():
    m = voice_metrics([], [])
    assert m["words_per_minute"] is None and m["filler_per_min"] is None and m["talk_ratio_time"] is None
