"""What the app shows, without a browser: scorecard and transcript HTML, labels, and
"try again from this turn" continuing through the service."""

from __future__ import annotations

import gradio as gr

import app
from simulator.catalog import Catalog
from simulator.dashboard import Dashboard
from simulator.service import Rolecall
from simulator.store import Store
from simulator.transcript import CustomerState, Transcript, Turn
from simulator.ui import render
from simulator.ui.labels import EN, LABELS, label

SCORE = {
    "rubric": "inbound-support", "total": 62.5, "passed": False, "fatal": ["identity_verification"],
    "criteria": [
        {"id": "empathy", "title": "Empathy", "score": 3, "max": 4, "applicable": True, "method": "llm",
         "evidence": [{"turn": 1, "quote": "so sorry"}], "feedback": "Good start.", "better": "I understand."},
        {"id": "identity_verification", "title": "Identity verified", "score": 0, "max": 2, "applicable": True,
         "method": "rule", "evidence": []},
    ],
    "metrics": {"agent_turns": 1, "talk_ratio": 0.5, "duration_s": 65.0}, "flags": [],
}


def _transcript(agent_line: str = "I'm so sorry <b>about</b> that") -> Transcript:
    return Transcript(persona="irritable-outage", turns=[
        Turn(role="agent", text=agent_line, t=1.0),
        Turn(role="customer", text="Fine. <script>x</script>", t=3.0,
             state=CustomerState(mood=-0.4, patience=3, revealed=["account_number"], beat="soften")),
    ])


def test_scorecard_shows_verdict_total_fatal_and_coaching():
    html = render.scorecard_html(SCORE, pass_mark=70)
    assert ">62.5<" in html and "Not passed yet" in html and "pass mark 70" in html
    assert "Must-fix: Identity verified" in html
    assert "“so sorry”" in html and "I understand." in html and "1:05 call" in html


def test_evidence_is_highlighted_in_the_trainees_line_and_text_is_escaped():
    html = render.transcript_html(_transcript(), SCORE)
    assert '<mark class="rc-ev" title="Empathy">so sorry</mark>' in html
    assert "<script>" not in html and "&lt;b&gt;about&lt;/b&gt;" in html


def test_a_quote_not_in_the_line_is_not_highlighted():
    html = render.transcript_html(_transcript("Hello there"), SCORE)
    assert "<mark" not in html


def test_mood_chart_and_uncovered_facts_come_from_customer_states():
    from simulator.ui.charts import mood_chart

    t = _transcript()
    assert 'data-x="2" data-y="-0.4"' in mood_chart(t)
    persona = Catalog.default(None).persona("irritable-outage")
    html = render.facts_html(t, persona)
    assert "✔ <b>account number</b> — RC-48213" in html
    assert "✘ <b>address</b>" in html and "14 Alder" not in html  # an uncovered fact's value stays hidden


def test_a_volunteer_fact_the_customer_never_said_is_not_found_out():
    """The walk's brush-off call showed "✔ outage start — Monday morning" though the customer
    never said when the outage began (the fact was offered to the actor, not said)."""
    persona = Catalog.default(None).persona("irritable-outage")
    state = CustomerState(mood=-0.7, patience=2, revealed=["outage_start"], beat="opening")
    silent = Transcript(persona="irritable-outage", turns=[
        Turn(role="agent", text="Brightline Telecom, Sam here.", t=1.0),
        Turn(role="customer", text="Finally, a real person. My internet's down again.", t=3.0, state=state)])
    assert "✘ <b>outage start</b>" in render.facts_html(silent, persona)
    said = Transcript(persona="irritable-outage", turns=[
        Turn(role="agent", text="Brightline Telecom, Sam here.", t=1.0),
        Turn(role="customer", text="It's been down since Monday morning.", t=3.0, state=state)])
    assert "✔ <b>outage start</b> — Monday morning" in render.facts_html(said, persona)


def test_timer_warns_past_the_rubric_budget():
    assert render.timer_text(75, 480) == "1:15 / 8:00"
    assert "over the time budget" in render.timer_text(500, 480)


def test_labels_fall_back_to_english_and_romanian_translates_the_call_screen():
    assert label("start_call", "ro") == "Începe apelul"
    assert label("export_csv", "xx") == EN["export_csv"]
    assert set(LABELS["ro"]) <= set(EN)  # no Romanian key without an English original


def test_compare_shows_both_totals_and_the_change():
    better = {**SCORE, "total": 80.0, "criteria": [{**SCORE["criteria"][0], "score": 4}]}
    html = render.compare_html(SCORE, better)
    assert "3/4" in html and "4/4" in html and "(+17.5)" in html


def test_a_branched_call_continues_through_the_service(tmp_path):
    store = Store(":memory:")
    store.add_user("ana", "trainee", "pw-123456")
    service = Rolecall(store, Catalog.default(None), None, data_dir=tmp_path)
    user = service.user("ana")
    sid, _ = service.start_call(user, "irritable-outage", seed=3)
    service.send_message(user, sid, "Thank you for calling Brightline Telecom, this is Ana.")
    service.send_message(user, sid, "Whatever. What do you want?")
    original = service.end_call(user, sid)

    new = Dashboard(store).branch(sid, 2, "ana")
    reply = service.send_message(user, new, "I'm really sorry about the outage. What is your account number?")
    assert reply.text and not reply.ended
    texts = [t.text for t in service.transcript(user, new).turns]
    assert texts[0] == "Thank you for calling Brightline Telecom, this is Ana." and len(texts) == 4
    assert "Whatever" not in " ".join(texts)
    branch_score = service.end_call(user, new)
    assert "(" in render.compare_html(original, branch_score)


def test_build_app_exposes_the_named_endpoints_without_launching(tmp_path):
    service = Rolecall(Store(":memory:"), Catalog.default(None), None, data_dir=tmp_path)
    demo = app.build_app(service)
    assert isinstance(demo, gr.Blocks)
    names = {fn.api_name for fn in demo.fns.values() if fn.api_visibility == "public"}
    assert names == {"start_call", "send_message", "send_audio", "end_call", "list_sessions"}


def test_the_review_says_under_each_trainee_line_what_the_customer_understood():
    t = _transcript()
    t.turns[1].state.acts = ["apology", "asked_fact", "asked:account_number"]
    html = render.transcript_html(t, SCORE)
    assert "The customer heard: an apology, a request for: account number</span>" in html
    html_ro = render.transcript_html(t, SCORE, "ro")
    assert "Clientul a înțeles: o scuză, o cerere pentru: account number" in html_ro


def test_the_studio_box_shows_what_a_typed_line_would_be_heard_as_and_by_which_words():
    from simulator.listener import Listener

    persona = Catalog.default(None).persona("irritable-outage")
    html = render.heard_html(Listener(persona).hear("Oh no, I'm so sorry. Can I grab the number on your contract?"),
                             persona)
    assert "an apology" in html and "a request for: account number" in html
    assert "<q>Can I grab the number on your contract</q>" in html
    assert "nothing in particular" in render.heard_html(Listener(persona).hear("Right."), persona)


def test_the_hands_free_microphone_draws_no_waveform_that_would_slow_the_customer(tmp_path):
    # Drawing the live waveform took Chromium 0.79 of a core against 0.42 without it
    # (bench/stream_integrity.py, headless Chromium): on a 2-core machine that runs both the
    # app and the browser, the customer's model lost that time and answers came seconds later.
    service = Rolecall(Store(":memory:"), Catalog.default(None), None, data_dir=tmp_path)
    demo = app.build_app(service)
    mics = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "rc-live-mic"]
    assert len(mics) == 1 and mics[0].streaming
    assert mics[0].waveform_options.show_recording_waveform is False
