"""The call's words for speech recognition (simulator.voice.stt.call_context), and the
WER normaliser the voice benchmarks use (simulator.voice.wer)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.catalog import Catalog
from simulator.voice.stt import CallContext, WhisperSTT, call_context
from simulator.voice.wer import normalise, wer


@pytest.fixture(scope="module")
def catalog():
    return Catalog.default(None)


def test_context_names_the_company_trainee_customer_and_codes(catalog):
    ctx = call_context(catalog.personas["irritable-outage"], "Ana")
    assert ctx.terms[:3] == ("Brightline Telecom", "Ana", "Dave Morrison")
    assert "RC-48213" in ctx.terms and "TK-5521" in ctx.terms and "Alder Street" in ctx.terms
    assert ctx.hotwords is None  # the prompt alone by default (bench/stt_context.py)
    both = call_context(catalog.personas["irritable-outage"], "Ana", hotwords=True)
    assert both.hotwords.startswith("Brightline Telecom, Ana, Dave Morrison")
    assert "Monday" not in both.hotwords  # everyday words are left to the model
    assert ctx.initial_prompt.startswith("Thank you for calling Brightline Telecom, my name is Ana.")
    assert "RC-48213" in ctx.initial_prompt


def test_context_without_a_trainee_name_and_in_romanian(catalog):
    ctx = call_context(catalog.personas["elderly-electric-bill-ro"], None)
    assert "Ana" not in ctx.terms and "EL-300512" in ctx.terms
    assert ctx.initial_prompt.startswith("Bună ziua, Electrica Luminis")


def test_context_is_bounded_and_empty_persona_gives_no_bias():
    class Bare:
        company, name, facts, language = "", "", [], "en"

    assert call_context(Bare(), None) == CallContext()
    assert len(call_context(Bare(), "Ana", extra=[f"Term{i}" for i in range(40)]).terms) <= 14


@pytest.mark.parametrize("ref,hyp", [
    ("Sure, it's ME-220719.", "Sure, it's me 220,719."),
    ("ME-220719", "M E 2 2 0 7 1 9"),
    ("7 Birch Lane", "seven Birch Lane"),
    ("It's the 3rd of May.", "It's the third of May"),
    ("Hmm. Goodbye.", "Good bye."),
    ("Sigur, aștept.", "Sigur, astept!"),
    ("about eighteen thousand a month, alright", "about 18,000 a month. All right."),
    ("two point nine percent, my neighbour", "2.9% my neighbor"),
])
def test_wer_normaliser_does_not_count_spelling_of_numbers_codes_or_diacritics(ref, hyp):
    assert wer(ref, hyp) == 0, (normalise(ref), normalise(hyp))


def test_wer_still_counts_real_errors():
    assert wer("There's a fee on my statement", "There's a feel in my statement") == pytest.approx(2 / 7)  # there is a …
    assert wer("RC-48213", "RC-48214") == 1


def test_transcribe_samples_takes_the_context(catalog):
    pytest.importorskip("piper")
    from simulator.persona import Voice
    from simulator.voice.piper_tts import PiperTTS
    from simulator.voice.turns import StreamResampler

    x, rate = PiperTTS().render("Thank you for calling Brightline Telecom, my name is Ana.", Voice(gender="male"))
    samples = StreamResampler(rate)(x)
    stt = WhisperSTT()
    ctx = call_context(catalog.personas["irritable-outage"], "Ana")
    r = stt.transcribe_samples(samples, "en", ctx)
    assert "brightline" in r.text.lower() and r.duration_s == pytest.approx(samples.size / 16000)
    assert isinstance(samples, np.ndarray)
