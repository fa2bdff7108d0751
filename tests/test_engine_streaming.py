"""The customer's line shown as it is written: only what the guard has passed shows early,
the shown text only grows, and the stored line is the one the guard accepted."""

from __future__ import annotations

import re

import pytest

from simulator.catalog import Catalog
from simulator.engine.call import CallSession
from simulator.service import Reply, Rolecall
from simulator.store import Store
from simulator.ui import render

from fakes import ScriptedLLM, load_test_persona

GREETING = "Thank you for calling Nordlink, my name is Alex."


@pytest.fixture
def persona():
    return load_test_persona()


def say(call: CallSession, text: str, t: float = 1.0):
    shown: list[str] = []
    _, reply = call.agent_says(text, t, on_partial=shown.append)
    return reply, shown


def test_a_good_line_shows_word_by_word_and_ends_as_stored(persona):
    line = "I have had no internet for two whole days and I am really tired of waiting for you people."
    reply, shown = say(CallSession(persona, ScriptedLLM([line]), seed=1), GREETING)
    assert reply.turn.text == line and not reply.turn.state.replaced
    assert len(shown) >= 5  # many steps, not the whole line at once
    assert all(later.startswith(earlier) for earlier, later in zip(shown, shown[1:]))
    assert line.startswith(shown[-1]) and shown[-1] != line  # the newest words wait for the check


def test_a_line_about_ai_is_stopped_before_the_trainee_sees_it(persona):
    bad = "Honestly, as an AI language model I cannot really have internet problems today."
    good = "It has been down for two days and I am losing my patience with all of this."
    llm = ScriptedLLM([bad, good])
    reply, shown = say(CallSession(persona, llm, seed=1), GREETING)
    assert not any("AI" in s or "language" in s for s in shown)
    assert "mentions AI" in reply.turn.state.rejected and reply.turn.text == good
    assert shown[-1] and good.startswith(shown[-1])
    # The first line was abandoned mid-way: the model did not have to finish it.
    assert llm.streamed < len(bad.split()) + len(good.split())


@pytest.mark.parametrize("leak, secret", [
    ("Look, I already told you people twice, my account is RC-48213 so just fix it.", ["48213", "RC-"]),
    ("Just send somebody over to 14 Elm Street, flat 3 today, I am begging you here.", ["14", "Elm"]),
])
def test_a_hidden_fact_never_shows_before_it_was_asked_for(persona, leak, secret):
    # A longer address than the guard's hold-back of the newest words.
    persona.facts[1].value = "14 Elm Street, flat 3"
    llm = ScriptedLLM([leak, leak])
    reply, shown = say(CallSession(persona, llm, seed=1), GREETING)
    assert not any(part in s for part in secret for s in shown)
    assert any(p.startswith("reveals") for p in reply.turn.state.rejected)
    assert reply.turn.state.replaced and reply.turn.text in persona.fallback_lines["opening"]
    assert shown[0] and shown[-1] == ""  # the start of the leaking line showed, then was withdrawn


def test_an_asked_fact_line_shows_only_once_it_gives_the_fact(persona):
    stalling = "Hold on, hold on, let me just find that bill somewhere in the drawer here."
    giving = "Fine, it is RC-48213, now please hurry up and get this fixed for me."
    call = CallSession(persona, ScriptedLLM(["I have had no internet for two days now, it is ridiculous.",
                                             stalling, giving]), seed=1)
    say(call, GREETING)
    reply, shown = say(call, "I'm sorry. Could you give me your account number, please?", 2.0)
    assert "does not give account_number" in reply.turn.state.rejected
    assert reply.turn.text == giving
    assert shown and all(giving.startswith(s) for s in shown)  # nothing of the stalling line showed


@pytest.mark.parametrize("first, again, not_shown", [
    # the whole line again
    ("I have had no internet for two whole days and nobody seems to care at all.",
     "I have had no internet for two whole days and nobody seems to care at all.", "I have had"),
    # a sentence of it again, inside a longer line: the voice never said it either
    ("I have had no internet since Monday morning and I work from home every single day.",
     "Right, listen to me. I have had no internet since Monday morning and I work from home every single day. "
     "Nobody has called me back, nobody has come round, and I am losing money.", "since Monday"),
])
def test_a_line_or_sentence_coming_round_again_is_held_back_not_shown(persona, first, again, not_shown):
    fresh = "So what exactly are you going to do about it this time, then?"
    call = CallSession(persona, ScriptedLLM([first, again, fresh]), seed=1)
    say(call, GREETING)
    reply, shown = say(call, "I see. Let me look into it.", 2.0)
    assert "repeats an earlier line" in reply.turn.state.rejected
    assert reply.turn.text == fresh
    assert not any(not_shown in s for s in shown)


def test_the_service_streams_then_stores_the_accepted_line(tmp_path):
    line = "It has been down since Monday and I work from home, so please hurry up."
    store = Store(tmp_path / "rolecall.db")
    store.add_user("ana", "trainee", "a-long-password-1")
    service = Rolecall(store, Catalog.default(None), ScriptedLLM([line]), judge_llm=None, data_dir=tmp_path)
    ana = service.user("ana")
    sid, _ = service.start_call(ana, "irritable-outage", "text")
    service.send_message(ana, sid, "Hello, Nordlink support, my name is Ana. How can I help?")
    items = list(service.send_message_stream(ana, sid, "I am sorry about that. Let me check the line for you."))
    partials, reply = items[:-1], items[-1]
    assert isinstance(reply, Reply) and reply.text == line
    assert partials and all(isinstance(p, str) and line.startswith(p) for p in partials)
    assert service.transcript(ana, sid).turns[-1].text == line


def test_the_service_stream_raises_what_send_message_raises(tmp_path):
    store = Store(tmp_path / "rolecall.db")
    store.add_user("ana", "trainee", "a-long-password-1")
    service = Rolecall(store, Catalog.default(None), ScriptedLLM(["x"]), judge_llm=None, data_dir=tmp_path)
    with pytest.raises(Exception, match="not found"):
        list(service.send_message_stream(service.user("ana"), "no-such-session", "Hello"))


def test_a_sentence_said_twice_in_one_line_is_held_then_turned_down(persona):
    twice = ("I do not want another long contract at all. I do not want another long contract at all. "
             "Please just fix it.")
    fresh = "So what exactly are you going to do about it this time, then?"
    reply, shown = say(CallSession(persona, ScriptedLLM([twice, fresh]), seed=1), GREETING)
    # Stopped as a sentence said again, or, half-way into the second saying, as a looping phrase; the
    # first saying is kept as the line (guard.salvage).
    assert {"repeats itself", "loops a phrase"} & set(reply.turn.state.rejected)
    assert reply.turn.text == "I do not want another long contract at all."
    # The first sentence could show; its second saying never did.
    assert not any(s.count("I do not want") > 1 for s in shown)


def test_ending_the_call_while_the_customer_speaks_stops_the_line_and_scores_at_once(tmp_path):
    """A walk: "End call" pressed while the customer's line was being written showed the
    scorecard only once the whole line was written (about 15 s with the embedded model)."""
    line = ("I have had no internet since Monday morning and my children cannot do their homework, my wife "
            "works from home and lost a client call, and every time I ring you people somebody promises a "
            "technician who never turns up, so tell me right now what you are actually going to do about it.")
    llm = ScriptedLLM([line], piece_delay_s=0.03)
    store = Store(tmp_path / "rolecall.db")
    store.add_user("ana", "trainee", "a-long-password-1")
    service = Rolecall(store, Catalog.default(None), llm, judge_llm=None, data_dir=tmp_path)
    ana = service.user("ana")
    sid, _ = service.start_call(ana, "irritable-outage", "text")
    service.send_message(ana, sid, "Hello, Nordlink support, my name is Ana. How can I help?")  # the opening
    turn = service.send_message_stream(ana, sid, "I am sorry to hear that. Let me check the line for you.")
    seen = next(turn)  # the customer's first words are on the trainee's screen
    assert isinstance(seen, str) and seen
    card = next(service.end_call_stream(ana, sid, judge="none"))
    pieces = len(re.findall(r"\s*\S{1,4}", line))
    assert llm.streamed < pieces / 2, "the customer finished the line before the call ended"
    assert card["score"]["criteria"]
    reply = list(turn)[-1]
    assert reply.ended and reply.end_reason == "agent_ended"
    transcript = service.transcript(ana, sid)
    last = transcript.turns[-1]
    # What the trainee saw is kept, shown as cut off; nothing the trainee did not see is added.
    assert last.role == "customer" and last.state.hung_up_on and not last.state.cut_off
    assert seen.startswith(last.text[:len(seen)]) and line.startswith(last.text) and len(last.text) < len(line)
    assert transcript.end.reason.value == "agent_ended"
    assert reply.text == last.text and reply.audio is None
    assert "(you ended the call here)" in render.transcript_html(transcript)
