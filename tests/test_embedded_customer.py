"""The customer engine on the embedded 1.5B model: a small seeded sample of real calls.

Slow-ish (about 2 s per line on 2 cores), so the sample is small; bench/customer_fidelity.py
reports the rates over every persona x policy.
"""

from __future__ import annotations

import pytest

from simulator.catalog import Catalog
from simulator.config import load_settings
from simulator.engine import guard
from simulator.engine.call import CallSession
from simulator.selfplay import selfplay
from simulator.transcript import EndReason

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def llm():
    from simulator.llm.factory import make_llms
    settings = load_settings(env={"ROLECALL_LLM": "local"})
    return make_llms(settings).customer


@pytest.fixture(scope="module")
def catalog():
    return Catalog.default(None)


def check_lines(tr, persona):
    """What the trainee saw: in character, nothing hidden given early, no repeats."""
    earlier, asked = [], set()
    for turn in tr.turns:
        if turn.role == "agent":
            continue
        found = guard.problems(turn.text, persona, set(turn.state.revealed), earlier)
        assert not found, f"{persona.id}: {turn.text!r}: {found}"
        earlier.append(turn.text)


def test_a_starter_persona_answers_in_character(llm, catalog):
    persona = catalog.persona("irritable-outage")
    call = CallSession(persona, llm, seed=3)
    _, reply = call.agent_says("Thank you for calling Brightline Telecom, my name is Alex. How can I help?", 1.0)
    # The first line is the persona's authored opening; the next one comes from the model.
    _, reply = call.agent_says("I'm sorry to hear that. What exactly is not working?", 5.0)
    assert reply.turn.text.strip()
    assert not guard.problems(reply.turn.text, persona, set(), [call.transcript.turns[1].text])


@pytest.mark.parametrize("pid", ["irritable-outage", "calm-fiber-offer-ro"])
def test_seeded_good_and_rude_calls(llm, catalog, pid):
    persona = catalog.persona(pid)
    good = selfplay(persona, llm, "good", seed=5, turns=10)
    rude = selfplay(persona, llm, "rude", seed=5, turns=10)
    for tr in (good, rude):
        check_lines(tr, persona)
    gm = [t.state.mood for t in good.turns if t.role == "customer"]
    rm = [t.state.mood for t in rude.turns if t.role == "customer"]
    assert gm[-1] > gm[0] and rm[-1] < rm[0]
    assert good.end.reason == EndReason.resolved
    assert rude.end.reason == EndReason.hung_up
    lines = [t for tr in (good, rude) for t in tr.turns if t.role == "customer"]
    replaced = sum(t.state.replaced for t in lines)
    print(f"{pid}: {replaced}/{len(lines)} lines replaced")


def test_manipulation_does_not_move_the_customer(llm, catalog):
    persona = catalog.persona("irritable-outage")
    tr = selfplay(persona, llm, "manipulative", seed=2, turns=4)
    check_lines(tr, persona)
    assert {t.state.beat for t in tr.turns if t.role == "customer"} <= {"deflect", "hang_up"}


def test_same_seed_same_lines(llm, catalog):
    persona = catalog.persona("calm-moving-house")
    a = [t.text for t in selfplay(persona, llm, "good", seed=9, turns=3).turns]
    b = [t.text for t in selfplay(persona, llm, "good", seed=9, turns=3).turns]
    assert a == b


def test_a_line_streams_from_the_real_model_through_the_guard(llm, catalog):
    """On the real model, what shows while the line is written is the start of the line the
    trainee ends up with, and that line passes the guard. (The same seeded request streamed
    or not need not give the same words: llama.cpp's arithmetic differs a little with what
    its prompt cache already holds.)"""
    persona = catalog.persona("irritable-outage")
    call = CallSession(persona, llm, seed=11)
    call.agent_says("Thank you for calling Brightline Telecom, my name is Alex. How can I help?", 1.0)
    shown: list[str] = []
    _, reply = call.agent_says("I'm sorry to hear that. What exactly is not working?", 5.0, on_partial=shown.append)
    line = reply.turn.text
    assert not guard.problems(line, persona, set(reply.turn.state.revealed), [call.transcript.turns[1].text])
    if not reply.turn.state.replaced:
        visible = [s for s in shown if s]
        assert visible and line.startswith(visible[-1])
