"""Whole calls worded the way real trainees talk: the customer and the scorecard must hear them.

The good call is the one from issue 11: none of its lines uses the persona's own phrases.
No LLM: the customer speaks its authored lines, so what is tested is the director and the
scorecard hearing the trainee through the listener.
"""

from pathlib import Path

import pytest

from simulator.engine.call import CallSession
from simulator.listener import Listener
from simulator.loader import load_persona, load_rubric
from simulator.scoring import score_transcript

ROOT = Path(__file__).resolve().parent.parent

GOOD_INBOUND = [
    "Thanks for calling Brightline Telecom, you're speaking with Sam. How can I help?",
    "Oh no, I'm so sorry, that's the last thing you need when you work from home. "
    "Can I grab the number on your contract?",
    "Thanks. Where's the property where the broadband's installed?",
    "I've booked an engineer to come out tomorrow between eight and ten, and I'm crediting you for the days "
    "you've lost.",
    "You'll get a text the night before with the exact slot, and I'll follow it up myself.",
    "Is there anything else I can help with today? Thanks for your patience, Dave, take care.",
]
# Dismissive, with no swear word and none of the lexicon's insults.
BAD_INBOUND = [
    "Brightline, yeah.",
    "Look, it is what it is, these things happen.",
    "There's nothing I can do about that, you'll just have to wait like everyone else.",
    "That's not my department.",
    "I already told you, it's out of my hands.",
]


def _play(persona_id: str, lines: list[str]):
    persona = load_persona(ROOT / "personas" / f"{persona_id}.yaml")
    call = CallSession(persona, None, seed=3)
    t = 0.0
    for line in lines:
        if call.ended:
            break
        t += 6.0
        call.agent_says(line, t)
    if not call.ended:
        call.end_by_agent(t + 2.0)
    return persona, call


def _states(call):
    return [x.state for x in call.transcript.turns if x.role == "customer" and x.state]


def test_good_natural_inbound_call_is_understood_and_passes_the_rules():
    persona, call = _play("irritable-outage", GOOD_INBOUND)
    states = _states(call)
    assert call.transcript.end is not None and call.transcript.end.reason.value == "resolved"
    assert "account_number" in states[-1].revealed and "address" in states[-1].revealed
    assert states[-1].mood > persona.mood.start + 0.5
    assert all(s.patience == persona.patience for s in states), "a good call spent patience"
    card = score_transcript(call.transcript, load_rubric(ROOT / "rubrics" / "inbound-support.yaml"),
                            persona=persona)
    by_id = {c.id: c for c in card.criteria}
    for cid in ("greeting", "identity_verification", "resolution", "professional_language", "closing"):
        assert by_id[cid].score == by_id[cid].max, (cid, by_id[cid].feedback)
    assert not card.fatal


def test_dismissive_call_without_swearing_is_heard_as_dismissive():
    persona, call = _play("irritable-outage", BAD_INBOUND)
    states = _states(call)
    assert states[-1].mood < persona.mood.start
    assert states[-1].patience <= 1 or call.transcript.end.reason.value == "hung_up"
    card = score_transcript(call.transcript, load_rubric(ROOT / "rubrics" / "inbound-support.yaml"),
                            persona=persona)
    lang = {c.id: c for c in card.criteria}["professional_language"]
    assert lang.score < lang.max and lang.evidence


@pytest.mark.parametrize("line, label", [
    ("I can't send a technician this week", "goal"),
    ("we don't do refunds", "goal"),
    ("Did the last engineer ever turn up?", "goal"),
    ("I've got your account number here already", "asked:account_number"),
    ("I don't understand what you mean", "empathy"),
    ("Right, okay, let's see what's going on here.", "rude"),
])
def test_negations_and_look_alikes_are_not_heard_as_what_they_resemble(line, label):
    persona = load_persona(ROOT / "personas" / "irritable-outage.yaml")
    assert label not in Listener(persona).hear(line).labels()


def test_an_ordinary_polite_line_costs_no_patience():
    persona = load_persona(ROOT / "personas" / "irritable-outage.yaml")
    call = CallSession(persona, None, seed=1)
    call.agent_says("Thanks for calling Brightline, Sam speaking.", 1.0)
    _, r = call.agent_says("Right, okay, let's see what's going on with your connection here.", 5.0)
    assert r.turn.state.patience == persona.patience
