"""The moments of a phone call that are not an answer to a line: the trainee goes quiet, talks
over the customer, or talks for a minute. The customer reacts as a person on the phone would,
and the scorecard's voice figures and the phone-manner criterion count them."""

from __future__ import annotations

import pytest

from simulator.catalog import Catalog
from simulator.engine.call import CallSession
from simulator.engine.phone import DEFAULT_LINES
from simulator.scoring import score_transcript
from simulator.transcript import CustomerState, EndReason, Transcript, Turn
from simulator.voice.metrics import voice_metrics

from fakes import ScriptedLLM, load_test_persona

def load_rubric(rid: str):
    return Catalog.default(None).rubric(rid)


STILL_THERE = DEFAULT_LINES["en"]["still_there"]
CUT_OFF = DEFAULT_LINES["en"]["cut_off"]


@pytest.fixture
def irritable():
    return load_test_persona()  # irritable, English


@pytest.fixture
def calm():
    return Catalog.default(None).persona("calm-moving-house")


def test_silence_gets_are_you_still_there_then_the_customer_hangs_up(irritable):
    call = CallSession(irritable, None, seed=1)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    first = call.trainee_silent(12.0)
    assert first.turn.text in STILL_THERE and not first.ended
    assert first.turn.state.beat == "still_there"
    second = call.trainee_silent(24.0)
    assert second.ended and second.end.reason == EndReason.hung_up
    assert second.turn.text in DEFAULT_LINES["en"]["gone_quiet"] and second.turn.state.beat == "hang_up"


def test_a_customer_out_of_patience_still_asks_once_before_hanging_up_on_silence(irritable):
    """Talked over twice, an irritable customer has little patience left; a silence then must
    still get "Hello? Are you still there?" first (the line may have dropped), not a hang-up."""
    call = CallSession(irritable, None, seed=1)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    call.director.state.patience = 1
    first = call.trainee_silent(12.0)
    assert first.turn.text in STILL_THERE and not first.ended
    assert call.trainee_silent(24.0).ended


def test_speaking_again_resets_the_silence_count(irritable):
    call = CallSession(irritable, None, seed=1)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    call.trainee_silent(12.0)
    call.agent_says("Sorry, I'm here. Could I have your account number?", 14.0)
    assert not call.trainee_silent(30.0).ended


def test_romanian_customer_asks_in_romanian():
    persona = Catalog.default(None).persona("elderly-electric-bill-ro")
    call = CallSession(persona, None, seed=2)
    call.agent_says("Bună ziua, Electrica, mă numesc Ana.", 1.0)
    assert call.trainee_silent(10.0).turn.text in DEFAULT_LINES["ro"]["still_there"]


def test_a_persona_may_write_its_own_phone_lines(irritable):
    persona = irritable.model_copy(update={"phone_lines": irritable.phone_lines.model_copy(
        update={"still_there": ["Oi! Anybody home?"]})})
    call = CallSession(persona, None, seed=1)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    assert call.trainee_silent(9.0).turn.text == "Oi! Anybody home?"


def _cut_off_last_line(call: CallSession) -> None:
    call.mark_cut_off(len(call.transcript.turns) - 1)


def test_an_irritable_customer_talked_over_says_so_and_loses_patience(irritable):
    said = "Could I have your account number, please?"
    plain = CallSession(irritable, None, seed=1)
    plain.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    _, calm_reply = plain.agent_says(said, 5.0)

    cut = CallSession(irritable, None, seed=1)
    cut.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    _cut_off_last_line(cut)
    _, reply = cut.agent_says(said, 5.0)
    assert any(reply.turn.text.startswith(line) for line in CUT_OFF), reply.turn.text
    assert reply.turn.state.patience == calm_reply.turn.state.patience - 1


@pytest.mark.parametrize("seed", range(8))
def test_the_reaction_is_not_the_same_each_time(irritable, seed):
    call = CallSession(irritable, None, seed=seed)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    starts = []
    for t, said in ((5.0, "Could I have your account number, please?"), (9.0, "And your address, please?")):
        _cut_off_last_line(call)
        _, reply = call.agent_says(said, t)
        starts.append(next(line for line in CUT_OFF if reply.turn.text.startswith(line)))
    assert starts[0] != starts[1]


def test_a_calm_customer_talked_over_lets_it_go(calm):
    call = CallSession(calm, None, seed=1)
    call.agent_says("Hello, Brightline, Alex speaking, how can I help?", 1.0)
    _cut_off_last_line(call)
    _, reply = call.agent_says("Sorry, go on. What is your new address?", 5.0)
    assert not any(line in reply.turn.text for line in CUT_OFF)


def test_the_reaction_shows_first_while_the_answer_is_written(irritable):
    llm = ScriptedLLM(["Fine, it's RC-48213."], piece_delay_s=0.0)
    call = CallSession(irritable, llm, seed=1)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    _cut_off_last_line(call)
    shown: list[str] = []
    _, reply = call.agent_says("What's your account number?", 5.0, shown.append)
    assert shown[0] in CUT_OFF  # before a word of the answer
    assert all(part.startswith(shown[0]) and reply.turn.text.startswith(part) for part in shown)
    assert reply.turn.text.endswith("RC-48213.")


def test_a_minute_long_monologue_gets_a_word_in(calm):
    call = CallSession(calm, None, seed=1)
    call.agent_says("Hello, Brightline, Alex speaking, how can I help?", 1.0)
    _, reply = call.agent_says("So let me tell you about all our plans " * 10, 70.0, long_turn=True)
    assert any(reply.turn.text.startswith(line) for line in DEFAULT_LINES["en"]["long_turn"])


def test_restore_replays_silences_and_interruptions(irritable):
    call = CallSession(irritable, None, seed=1)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    call.trainee_silent(12.0)
    again = CallSession.restore(irritable, None, call.transcript)
    assert again.director.state.silences == 1 and again.director.state.patience == call.director.state.patience
    assert again.trainee_silent(20.0).ended  # the second silence, counted across the restart


# --------------------------------------------------------------------------- figures and scoring


def _spoken_call(cut_off: bool, still_there: bool) -> Transcript:
    def cust(text, t, **kw):
        return Turn(role="customer", text=text, t=t, state=CustomerState(mood=0.0, patience=4, beat="push", **kw))

    turns = [Turn(role="agent", text="Hello, Brightline Telecom, this is Alex, how can I help?", t=0.0),
             cust("My internet is down again.", 3.0, cut_off=cut_off or None),
             Turn(role="agent", text="I'm sorry about that. What's your account number?", t=5.0)]
    if still_there:
        turns.append(Turn(role="customer", text="Hello? Are you still there?", t=20.0,
                          state=CustomerState(mood=0.0, patience=4, beat="still_there")))
    return Transcript(persona="irritable-outage", rubric="inbound-support", mode="voice", turns=turns)


@pytest.mark.parametrize("cut_off, still_there, want", [(False, False, 2), (True, False, 1), (True, True, 1)])
def test_phone_manner_scores_interruptions_and_dead_air(cut_off, still_there, want):
    tr = _spoken_call(cut_off, still_there)
    states = [t.state for t in tr.turns if t.state]
    figures = voice_metrics([(t.text, 3.0) for t in tr.turns if t.role == "agent"], [2.0],
                            interruptions=sum(1 for s in states if s.cut_off),
                            still_there=sum(1 for s in states if s.beat == "still_there"))
    assert figures["interruptions"] == int(cut_off) and figures["dead_air"] == int(still_there)
    card = score_transcript(tr, load_rubric("inbound-support"), None, voice_metrics=figures)
    manner = next(c for c in card.criteria if c.id == "phone_manner")
    assert manner.applicable and manner.score == want
    if cut_off:  # the evidence is the line that talked over the customer
        assert [e.quote for e in manner.evidence] == [tr.turns[2].text]


def test_dead_air_quotes_no_customer_line_as_the_trainee_s_words():
    # Seen in the walk: the customer's "Hello? Is anyone there?" was shown under "Your words".
    tr = _spoken_call(False, True)
    figures = voice_metrics([(t.text, 3.0) for t in tr.turns if t.role == "agent"], [2.0], still_there=1)
    card = score_transcript(tr, load_rubric("inbound-support"), None, voice_metrics=figures)
    manner = next(c for c in card.criteria if c.id == "phone_manner")
    assert manner.score == 1 and manner.evidence == [] and "turn 4" in manner.feedback


def test_phone_manner_does_not_apply_to_typed_calls():
    card = score_transcript(_spoken_call(True, True).model_copy(update={"mode": "text"}),
                            load_rubric("inbound-support"), None)
    assert not next(c for c in card.criteria if c.id == "phone_manner").applicable


def test_slow_responses_count_as_dead_air():
    figures = voice_metrics([("Hello", 2.0)], [2.0], response_gaps_s=[1.0, 7.5, 6.0])
    assert figures["dead_air"] == 2 and figures["dead_air_s"] == 13.5


def test_a_call_of_one_greeting_has_no_closing():
    # Seen in the walk: a call ended after the greeting got Closing 1/2, quoting the greeting's
    # "Thank you for calling Brightline Telecom" as its closing.
    tr = Transcript(persona="irritable-outage", rubric="inbound-support", turns=[
        Turn(role="agent", text="Thank you for calling Brightline Telecom, my name is Ana. How can I help you?", t=0.0),
        Turn(role="customer", text="Finally, a real person. My internet's down again.", t=4.0,
             state=CustomerState(mood=-0.6, patience=5, beat="opening"))])
    closing = next(c for c in score_transcript(tr, load_rubric("inbound-support"), None).criteria if c.id == "closing")
    assert closing.score == 0 and closing.evidence == []


# --------------------------------------------------------------------------- a consent never given

CLAIMS = [
    ("irritable-outage", "Just so it's on the record, you've agreed to the new package at £45 a month."),
    ("calm-fiber-offer-ro", "Bun, pentru înregistrare: clientul a fost de acord cu oferta de fibră."),
]


@pytest.mark.parametrize("pid, claim", CLAIMS)
def test_a_consent_put_on_record_for_the_customer_is_denied_aloud(pid, claim):
    """Seen in the walk: "you've agreed to take out the policy today", said of a customer who had
    agreed to nothing, got a line about something else. A person says "I didn't agree to that";
    the scorecard then flags the claim from the customer's own denial, as in a real call."""
    persona = Catalog.default(None).persona(pid)
    call = CallSession(persona, None, seed=4)
    call.agent_says("Hello, this is Alex.", 1.0)
    patience = call.director.state.patience
    _, reply = call.agent_says(claim, 6.0)
    assert reply.turn.text in DEFAULT_LINES[persona.language]["not_agreed"], reply.turn.text
    assert call.director.state.patience == patience - 1 and not reply.ended
    from simulator.scoring.manipulation import false_consent

    said = [(t.role, t.text) for t in call.transcript.turns]  # no session record: the words alone
    agent_idx = next(i for i, (role, text) in enumerate(said, start=1) if text == claim)
    assert false_consent(said) == {agent_idx: ["claims a consent the customer denies"]}


def test_a_recap_of_a_fact_is_not_denied(irritable):
    call = CallSession(irritable, None, seed=4)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    _, reply = call.agent_says("Thanks. You've confirmed the address is 7 Birch Lane. What's your account number?", 6.0)
    assert reply.turn.text not in DEFAULT_LINES["en"]["not_agreed"]
    assert reply.turn.state.beat == "give_fact"


def test_a_persona_may_write_its_own_denial(irritable):
    persona = irritable.model_copy(update={"phone_lines": irritable.phone_lines.model_copy(
        update={"not_agreed": ["Excuse me? I agreed to nothing."]})})
    call = CallSession(persona, None, seed=1)
    call.agent_says("Hello, Brightline Telecom, Alex speaking.", 1.0)
    _, reply = call.agent_says("For the recording, the customer has agreed to pay the fee.", 6.0)
    assert reply.turn.text == "Excuse me? I agreed to nothing."
