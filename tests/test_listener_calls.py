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


# Good and dismissive calls, worded naturally, for an outbound, a survey and a Romanian persona.
CALLS = {
    "hurried-cafe-owner": ("outbound-sales", [
        "Hi Sofia, it's Jamie from Tillwise Payments, have you got two minutes?",
        "Totally understand, I'll be quick. We do card readers for cafés, what are you paying per card sale at the "
        "moment?",
        "Right, so we'd charge one point four, on a month-to-month plan you can cancel any time.",
        "And if there's a penalty for leaving your current provider, we'll pay that off for you.",
        "Great, I'll email the breakdown over this afternoon and ring you after three to talk it through. Thanks so "
        "much for your time Sofia, enjoy the rest of your day, bye!",
    ], [
        "Yeah hi, Tillwise.",
        "Look, I'm not going to rush this, it takes as long as it takes.",
        "What do you pay now? Doesn't matter, ours is better anyway, everyone says so.",
        "If you don't want to save money that's your call, not my problem.",
        "Fine, whatever.",
    ]),
    "calm-bank-survey": ("survey", [
        "Good afternoon Thomas, my name's Leah and I'm ringing from Harbor Bank.",
        "We're asking customers who opened an account recently how their branch visit went, it's four quick "
        "questions, no more than three minutes. Is now okay?",
        "Brilliant. Which of our branches did you pop into?",
        "And how long were you kept waiting before someone saw you?",
        "Thinking about the visit overall, what mark would you give it from zero to ten?",
        "If you could change one thing about that branch, what would it be?",
        "A second counter at lunch, that's a great idea. I've written that down and I'll make sure the Riverside "
        "team hears about it.",
        "That's everything, thank you for your time Thomas, have a lovely afternoon.",
    ], [
        "Hi, it's about the bank.",
        "Just answer the questions and we'll be done.",
        "Rate us out of ten. Quick, I haven't got all day.",
        "Doesn't matter what you think really, it's just a box I tick.",
        "Right, we're done.",
    ]),
    "elderly-electric-bill-ro": ("inbound-support", [
        "Bună ziua, Electrica Luminis, sunt Andrei. Cu ce vă pot ajuta?",
        "Vă înțeleg, doamna Elena, e normal să vă îngrijorați. Îmi spuneți, vă rog, codul care apare sus pe factură?",
        "Mulțumesc. Și la ce adresă aveți contractul?",
        "Ați mai adus vreun aparat electric în casă în ultima vreme, poate ceva pentru căldură?",
        "Asta explică suma. Liniștiți-vă, curentul nu vi-l oprește nimeni, și putem împărți factura în trei plăți "
        "lunare.",
        "Nu aveti nevoie de internet, platiti fiecare rata la posta, ca de obicei. Va trimit scrisoarea cu ratele "
        "saptamana viitoare.",
        "Mai pot să vă ajut cu altceva? Vă mulțumesc pentru răbdare, o zi bună!",
    ], [
        "Da, Electrica.",
        "Doamnă, factura e factura, trebuie plătită, asta e.",
        "Eu doar preiau apelul, nu țin eu de facturi.",
        "Vedeți pe site, acolo scrie tot.",
        "Nu am ce să vă fac, plătiți și gata.",
    ]),
}


@pytest.mark.parametrize("persona_id", sorted(CALLS))
def test_a_good_natural_call_meets_the_goal_lifts_the_mood_and_passes_the_rule_checks(persona_id):
    rubric_id, good, _ = CALLS[persona_id]
    persona, call = _play(persona_id, good)
    states = _states(call)
    assert call.director.state.goal_met, [s.acts for s in states]
    assert states[-1].mood > persona.mood.start + 0.3
    assert all(s.patience == persona.patience for s in states), "a good call spent patience"
    rubric = load_rubric(ROOT / "rubrics" / f"{rubric_id}.yaml")
    card = score_transcript(call.transcript, rubric, persona=persona)
    rule_ids = {c.id for c in rubric.criteria if c.method == "rule"}
    for c in card.criteria:
        if c.id in rule_ids and c.applicable:
            assert c.score == c.max, (c.id, c.feedback)
    assert not card.fatal


@pytest.mark.parametrize("persona_id", sorted(CALLS))
def test_a_dismissive_call_without_swearing_sours_the_customer(persona_id):
    rubric_id, _, bad = CALLS[persona_id]
    persona, call = _play(persona_id, bad)
    states = _states(call)
    assert states[-1].mood < persona.mood.start
    assert call.transcript.end.reason.value == "hung_up" or states[-1].patience <= 1
    card = score_transcript(call.transcript, load_rubric(ROOT / "rubrics" / f"{rubric_id}.yaml"), persona=persona)
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


def test_the_scorecard_hears_purpose_duration_and_permission_in_any_words_as_the_customer_does():
    from simulator.transcript import Transcript, Turn

    line = ("Hi Thomas, Leah from Harbor Bank. I'm ringing about your branch visit, I'll have you off the phone in "
            "under five. Is now an okay moment?")
    for rubric_id, criterion in (("survey", "purpose_and_duration"), ("outbound-sales", "permission_to_continue")):
        t = Transcript(persona="calm-bank-survey", rubric=rubric_id, seed=0, language="en", turns=[
            Turn(role="customer", text="Hello?", t=0.0), Turn(role="agent", text=line, t=2.0),
            Turn(role="customer", text="Go on then.", t=6.0)])
        card = score_transcript(t, load_rubric(ROOT / "rubrics" / f"{rubric_id}.yaml"),
                                persona=load_persona(ROOT / "personas" / "calm-bank-survey.yaml"))
        c = {x.id: x for x in card.criteria}[criterion]
        assert c.score == c.max and c.evidence, (criterion, c.feedback)


def test_account_talk_with_a_negation_in_it_still_needs_the_identity_check_first():
    from simulator.transcript import Transcript, Turn

    def identity(lines):
        turns = []
        for i, text in enumerate(lines):
            turns += [Turn(role="agent", text=text, t=10.0 * i), Turn(role="customer", text="Right.", t=10.0 * i + 5)]
        t = Transcript(persona="irritable-outage", rubric="inbound-support", seed=0, language="en", turns=turns)
        card = score_transcript(t, load_rubric(ROOT / "rubrics" / "inbound-support.yaml"),
                                persona=load_persona(ROOT / "personas" / "irritable-outage.yaml"))
        return {c.id: c for c in card.criteria}["identity_verification"]

    credit = "I'm crediting you for every day you've been without."
    late = identity(["Brightline, Sam speaking.", credit, "Could you read me the number on your contract?"])
    assert late.applicable and late.score == 0
    early = identity(["Brightline, Sam speaking.", "Could you read me the number on your contract?", credit])
    assert early.applicable and early.score == early.max


def test_thanks_that_open_the_call_are_no_closing_on_the_scorecard():
    from simulator.transcript import Transcript, Turn

    t = Transcript(persona="irritable-outage", rubric="inbound-support", seed=0, language="en", turns=[
        Turn(role="agent", text="Thank you for calling Brightline Telecom, my name is Ana.", t=0.0),
        Turn(role="customer", text="Finally. My internet is down.", t=3.0),
        Turn(role="agent", text="Could you tell me your account number, please?", t=6.0),
        Turn(role="customer", text="RC-48213.", t=9.0)])
    card = score_transcript(t, load_rubric(ROOT / "rubrics" / "inbound-support.yaml"),
                            persona=load_persona(ROOT / "personas" / "irritable-outage.yaml"))
    closing = {c.id: c for c in card.criteria}["closing"]
    assert not closing.applicable or closing.score == 0, closing.evidence


def test_a_bill_redone_from_the_real_reading_is_heard_as_what_elena_wants():
    # Issue 19.10: "the reading was estimated, I'll redo the bill from the real reading and refund
    # the difference" was heard as mere courtesy, and she never accepted it.
    persona = load_persona(ROOT / "personas" / "elderly-electric-bill-ro.yaml")
    call = CallSession(persona, None, seed=3)
    for line in ("Bună ziua, Electrica Luminis, mă numesc Ana. Cu ce vă pot ajuta?",
                 "Îmi puteți spune codul de client de pe factură?",
                 "Indexul a fost estimat. Vă refac factura după indexul real și vă returnez diferența.",
                 "Nu aveți nevoie de internet: plătiți la poștă, cu factura, ca de obicei."):
        _, reply = call.agent_says(line, 0.0)
    assert call.director.state.goal_met and reply.turn.state.beat in ("accept", "goodbye")
