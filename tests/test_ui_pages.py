"""The app's pages without a browser: each page's handlers are plain functions
(ctx, user, inputs → outputs), and the built app wires them as Gradio handlers that look the
user up from the request, check the role and speak the user's language."""

from __future__ import annotations

import contextvars
import warnings
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

import app
from simulator.catalog import Catalog
from simulator.errors import AccessDenied, RolecallError
from simulator.service import Rolecall
from simulator.store import Store
from simulator.ui.labels import label
from simulator.ui.pages import assignments, chooser, history, practice, readiness, rubrics, sessions, studio
from simulator.ui.shared import PageContext, as_handler, boundary, lang_now

USERS = {"ana": ("trainee", None), "ioana": ("trainee", "ro"), "tim": ("trainer", None), "sue": ("supervisor", None)}


@pytest.fixture(scope="module")
def one_hash() -> str:
    from simulator.auth import hash_password

    return hash_password("pw-123456")


@pytest.fixture(autouse=True)
def english_first():
    """Each test starts in English: a handler that served a Romanian user leaves its language set."""
    from simulator.ui.shared import speaking

    speaking("en")


@pytest.fixture
def ctx(tmp_path, monkeypatch, one_hash) -> PageContext:
    monkeypatch.setattr("simulator.auth.hash_password", lambda _pw: one_hash)  # nobody signs in here: spare the slow hash
    store = Store(":memory:")
    for name, (role, language) in USERS.items():
        store.add_user(name, role, "pw-123456", language=language)
    return PageContext(Rolecall(store, Catalog.default(tmp_path), None, data_dir=tmp_path), "en")


def user(ctx: PageContext, name: str):
    return ctx.service.user(name)


def request(name: str) -> SimpleNamespace:
    return SimpleNamespace(username=name)


def persona_yaml(ctx: PageContext, persona_id: str = "calm-moving-house") -> str:
    return ctx.source_text("persona", persona_id)


def with_typo(text: str) -> str:
    """The persona with an unknown field on line 2."""
    first, rest = text.split("\n", 1)
    return f"{first}\nnmae: Typo\n{rest}"


def wired(demo: gr.Blocks, name: str):
    """The handler the built app runs for event function `name` (with its block function)."""
    return next((f.fn, f) for f in demo.fns.values() if getattr(f.fn, "__name__", "") == name)


# --------------------------------------------------------------------------- assignments


def test_an_assignment_shows_its_due_date_as_typed_to_the_trainer_and_the_trainee(ctx):
    table, done = assignments.assign(ctx, user(ctx, "tim"), "calm-moving-house", "ana", "", "2026-12-15", "call back")
    row = table.to_dict("records")[0]
    assert row["due"] == "2026-12-15" and row["persona_id"] == "calm-moving-house" and row["trainee"] == "ana"
    assert done == label("assigned_ok", persona="calm-moving-house")
    persona_dd, _card, assigned, _unfinished, _name = chooser.load_practice(ctx, user(ctx, "ana"))
    assert "`calm-moving-house` · due 2026-12-15 — call back" in assigned
    assert persona_dd.value == "calm-moving-house"  # the assigned customer is picked for her


def test_the_trainee_sets_the_name_they_give_on_calls_and_finds_it_next_time(ctx):
    *_, shown = chooser.load_practice(ctx, user(ctx, "ana"))
    assert shown == "Ana"  # the account's name, until she gives another
    assert chooser.save_call_name(ctx, user(ctx, "ana"), " Ana-Maria ") == "Ana-Maria"
    *_, shown = chooser.load_practice(ctx, user(ctx, "ana"))
    assert shown == "Ana-Maria"
    with pytest.raises(RolecallError, match="name on calls"):
        chooser.save_call_name(ctx, user(ctx, "ana"), "agent 007")


def test_an_assignment_without_a_due_date_shows_none_and_can_be_removed(ctx):
    table, _ = assignments.assign(ctx, user(ctx, "tim"), "calm-moving-house", "", "night-shift", "", "")
    row = table.to_dict("records")[0]
    assert row["due"] == "" and row["group_name"] == "night-shift" and row["trainee"] is None
    assert assignments.unassign(ctx, user(ctx, "tim"), row["id"]).empty


def test_a_bad_due_date_is_a_clear_error(ctx):
    with pytest.raises(RolecallError, match="15/12/2026"):
        assignments.assign(ctx, user(ctx, "tim"), "calm-moving-house", "ana", "", "15/12/2026", "")


# --------------------------------------------------------------------------- role checks

TRAINER_ONLY = [
    (assignments.assign, ("calm-moving-house", "ana", "", "", "")),
    (assignments.unassign, (1,)),
    (studio.pick_persona, ("calm-moving-house",)),
    (studio.new_persona, ()),
    (studio.apply_form, ("id: x\n", *[None] * 9)),
    (studio.test_drive, ("id: x\n",)),
    (studio.hear_line, ("id: x\n", "hello")),
    (studio.play_voice, ("id: x\n", "hello")),
    (studio.save_persona, ("id: x\n",)),
    (rubrics.pick_rubric, ("inbound-support",)),
    (rubrics.save_rubric, ("id: x\n",)),
]
SUPERVISOR_ONLY = [
    (sessions.query, ("", "", "any", "any", "", "", "any")),
    (sessions.export, ("", "", "any", "any", "", "", "any")),
    (sessions.replay, (SimpleNamespace(row_value=["x"]),)),
    (sessions.rescore, ("x", "empathy", 2, "too generous")),
    (readiness.override, ("ana", "grant", "good")),
]


@pytest.mark.parametrize(("fn", "inputs"), TRAINER_ONLY + SUPERVISOR_ONLY,
                         ids=[f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}" for fn, _ in TRAINER_ONLY + SUPERVISOR_ONLY])
def test_a_trainee_is_refused_by_every_trainer_and_supervisor_handler(ctx, fn, inputs):
    with pytest.raises(AccessDenied):
        fn(ctx, user(ctx, "ana"), *inputs)
    assert ctx.service.store.list_assignments() == []


@pytest.mark.parametrize(("fn", "inputs"), SUPERVISOR_ONLY, ids=[fn.__name__ for fn, _ in SUPERVISOR_ONLY])
def test_a_trainer_is_refused_by_supervisor_handlers(ctx, fn, inputs):
    with pytest.raises(AccessDenied, match="supervisors"):
        fn(ctx, user(ctx, "tim"), *inputs)


def test_the_refusal_reaches_the_page_as_a_toast_in_the_users_language(ctx):
    handler = as_handler(ctx, readiness.override)
    with pytest.raises(gr.Error, match=label("supervisors_only", "ro")):
        handler("ana", "grant", "ready", request("ioana"))
    with pytest.raises(gr.Error, match="sign in first"):
        handler("ana", "grant", "ready", None)


def test_role_pages_load_nothing_for_other_roles_and_their_tabs_stay_hidden(ctx, tmp_path):
    ana, sue = user(ctx, "ana"), user(ctx, "sue")
    assert all(c.constructor_args == {} for c in sessions.load_sessions(ctx, ana))  # no updates at all
    assert readiness.load_readiness(ctx, ana)[0] == ""
    assert studio.load_studio(ctx, ana)[1] == ""
    assert "ana" in readiness.load_readiness(ctx, sue)[0]  # the supervisor's board names the trainee

    demo = app.build_app(ctx.service)
    show_user, _ = wired(demo, "show_user")
    whoami, *tabs = show_user(request("ana"))
    assert whoami == label("signed_in_as", name="ana", role="trainee")
    assert len(tabs) == 6 and not any(t.visible for t in tabs)
    _, *tabs = show_user(request("tim"))
    assert [t.visible for t in tabs] == [True, True, True, False, False, False]
    _, *tabs = show_user(request("sue"))
    assert all(t.visible for t in tabs)


# --------------------------------------------------------------------------- persona studio


def test_the_check_names_the_line_and_field_of_each_error_without_the_draft_name(ctx):
    good = persona_yaml(ctx)
    assert "Valid persona: calm-moving-house" in studio.check_html(good)
    html = studio.check_html(with_typo(good))
    assert "2: nmae: unknown field" in html and "draft" not in html
    assert studio.check_html("  ") == ""


def test_the_form_follows_typed_yaml_edits_so_applying_it_keeps_them(ctx):
    tim = user(ctx, "tim")
    edited = persona_yaml(ctx).replace("name: Helen Park", "name: Helena Parks")
    check, *form = studio.follow_yaml(ctx, tim, edited)
    values = dict(zip(studio.FORM_KEYS, (u.get("value") for u in form)))
    assert values["name"] == "Helena Parks" and values["id"] == "calm-moving-house"
    # "→ YAML" with the form as it now reads keeps the edit (it used to write the old name back).
    form_now = [values[k] for k in studio.FORM_KEYS]
    assert "name: Helena Parks" in studio.apply_form(ctx, tim, edited, *form_now)
    # A field typed in the form goes into the YAML.
    form_now[studio.FORM_KEYS.index("company")] = "Northwind Power"
    assert "company: Northwind Power" in studio.apply_form(ctx, tim, edited, *form_now)


def test_text_that_does_not_parse_yet_leaves_the_form_as_it_is(ctx):
    check, *form = studio.follow_yaml(ctx, user(ctx, "tim"), "id: [unclosed\n")
    assert all("value" not in u for u in form)
    assert "1: (file)" in check or "2: (file)" in check
    with pytest.raises(RolecallError, match="syntax error"):
        studio.apply_form(ctx, user(ctx, "tim"), "id: [unclosed\n", *[None] * 9)


def test_a_value_the_form_cannot_show_leaves_its_field_as_it_is(ctx):
    """Half-typed or invalid values never reach a dropdown (it would refuse "→ YAML" after)."""
    text = persona_yaml(ctx).replace("temperament: calm", "temperament: gru").replace("patience: ", "patience: 9")
    _check, *form = studio.follow_yaml(ctx, user(ctx, "tim"), text)
    values = dict(zip(studio.FORM_KEYS, form))
    assert "value" not in values["temperament"] and "value" not in values["patience"]  # 98 > 20
    assert values["name"]["value"] == "Helen Park"


def test_in_the_app_the_yaml_editor_drives_the_form(ctx):
    demo = app.build_app(ctx.service)
    _, block_fn = wired(demo, "follow_yaml")
    (trigger_id, event), = block_fn.targets
    assert event == "change" and isinstance(demo.blocks[trigger_id], gr.Code)
    assert "name" in [getattr(o, "label", None) for o in block_fn.outputs]


def test_saving_a_draft_with_errors_shows_them_readably_and_saves_nothing(ctx, tmp_path):
    bad = with_typo(persona_yaml(ctx))
    with pytest.warns(UserWarning) as toasts:
        saved, pick, errors, check = studio.save_persona(ctx, user(ctx, "tim"), bad)
    toast = str(toasts[0].message)
    assert toast.startswith("2: nmae: unknown field") and "<draft>" not in toast
    assert "2: nmae: unknown field" in check and "&lt;draft&gt;" not in check
    assert saved == "" and not (tmp_path / "personas" / "calm-moving-house.yaml").exists()


def test_in_the_app_a_bad_save_is_a_toast_with_text_not_an_error(ctx):
    demo = app.build_app(ctx.service)
    save, _ = wired(demo, "save_persona")
    with warnings.catch_warnings(record=True) as toasts:
        warnings.simplefilter("always")
        outputs = save(with_typo(persona_yaml(ctx)), request("tim"))
    assert "2: nmae" in str(toasts[0].message) and "2: nmae" in outputs[-1]


def test_saving_a_valid_draft_makes_a_version_and_lists_it(ctx, tmp_path):
    text = persona_yaml(ctx).replace("name: Helen Park", "name: Mara Jensen")
    saved, pick, errors, _check = studio.save_persona(ctx, user(ctx, "tim"), text)
    assert saved.startswith("Saved calm-moving-house as version")
    assert "calm-moving-house" in pick.choices[0] or ("calm-moving-house", "calm-moving-house") in pick.choices
    assert "Mara Jensen" in (tmp_path / "personas" / "calm-moving-house.yaml").read_text()
    assert ctx.service.catalog.persona("calm-moving-house").name == "Mara Jensen"


def test_a_new_persona_and_a_picked_one_come_as_yaml_text(ctx):
    tim = user(ctx, "tim")
    assert "id: new-persona" in studio.new_persona(ctx, tim)
    assert studio.pick_persona(ctx, tim, "calm-moving-house") == persona_yaml(ctx)
    assert studio.pick_persona(ctx, tim, None) == ""


def test_a_rubric_with_errors_is_not_saved_and_its_errors_show(ctx, tmp_path):
    text, check = rubrics.pick_rubric(ctx, user(ctx, "tim"), "inbound-support")
    assert "Valid rubric: inbound-support" in check
    with pytest.warns(UserWarning, match="pass_mrk"):
        saved, check = rubrics.save_rubric(ctx, user(ctx, "tim"), text.replace("pass_mark:", "pass_mrk:"))
    assert saved == "" and "pass_mrk" in check and "draft" not in check


# --------------------------------------------------------------------------- practice


@pytest.mark.parametrize("name", ["ana", "ioana"])
def test_once_a_call_starts_the_chat_says_it_is_on_in_the_users_language(ctx, name):
    demo = app.build_app(ctx.service)
    start, _ = wired(demo, "start")
    speaks = ctx.service.user(name).language or "en"
    state, chat, status, *_ = start("irritable-outage", "text", "", request(name))
    assert state["sid"] and not chat.value  # inbound: the trainee speaks first
    assert chat.placeholder == label("call_on", speaks) != label("no_call", speaks)
    assert status == label("call_started", speaks, name="Dave Morrison")


def test_a_whole_call_through_the_practice_handlers(ctx):
    ana = user(ctx, "ana")
    state, *_ = practice.start(ctx, ana, "irritable-outage", "text", "7")
    steps = list(practice.send(ctx, ana, "Thank you for calling Brightline Telecom, this is Ana.", state))
    chat, _status, line, send_btn, _tick = steps[-1]
    assert chat[0]["content"].startswith("Thank you for calling") and chat[-1]["role"] == "assistant"
    assert line.interactive is True and send_btn.interactive is True
    card, transcript, _mood, _facts, _cmp, status, *_ = list(practice.end(ctx, ana, state))[-1]
    assert "rc-total" in card and "Thank you for calling" in transcript and "/100" in status


def test_a_bad_seed_and_no_customer_are_clear_errors(ctx):
    with pytest.raises(RolecallError, match="whole number"):
        practice.start(ctx, user(ctx, "ana"), "irritable-outage", "text", "seven")
    with pytest.raises(RolecallError, match="choose a customer"):
        practice.start(ctx, user(ctx, "ana"), None, "text", "")


def test_history_shows_only_the_trainees_own_calls(ctx):
    ana, tim = user(ctx, "ana"), user(ctx, "tim")
    for who in (ana, tim):
        state, *_ = practice.start(ctx, who, "irritable-outage", "text", "")
        list(practice.end(ctx, who, state))
    _plot, empty, table, _score = history.load_history(ctx, ana)
    assert empty.visible is False and len(table.value["data"]) == 1


# --------------------------------------------------------------------------- the wiring


def test_a_streaming_handler_keeps_the_users_language_at_every_step(ctx):
    """Gradio resumes a generator in a fresh context each time; each step still speaks Romanian."""
    def steps(ctx, user):
        yield lang_now()
        yield lang_now()

    gen = as_handler(ctx, steps)(request("ioana"))
    assert [contextvars.copy_context().run(next, gen) for _ in range(2)] == ["ro", "ro"]


def test_gradio_passes_the_request_event_data_and_progress_a_page_handler_asks_for(ctx):
    from gradio.helpers import special_args

    row = as_handler(ctx, history.open_row)
    evt = gr.SelectData(None, {"index": [0, 0], "value": "x", "row_value": ["x"]})
    inputs, _progress, event_index, _ = special_args(row, [], request=request("ana"), event_data=evt)
    assert event_index == 0 and inputs[0].row_value == ["x"] and inputs[1].username == "ana"
    drive = as_handler(ctx, studio.test_drive)
    inputs, progress_index, _, _ = special_args(drive, ["id: x"], request=request("tim"))
    assert progress_index == 1 and inputs[0] == "id: x" and inputs[2].username == "tim"


def test_a_page_shows_a_messages_markup_as_text_and_the_api_passes_it_as_it_is(ctx):
    def unknown(ctx, user):
        raise RolecallError("unknown persona '<b>x</b>'")

    with pytest.raises(gr.Error) as toast:
        as_handler(ctx, unknown)(request("ana"))
    assert toast.value.message == "unknown persona '&lt;b&gt;x&lt;/b&gt;'"
    with pytest.raises(gr.Error) as api_error:
        boundary(lambda: unknown(ctx, None))()
    assert api_error.value.message == "unknown persona '<b>x</b>'"


def test_every_page_module_is_small_and_app_only_assembles_them():
    root = Path(app.__file__).parent
    assert len((root / "app.py").read_text().splitlines()) < 200
    for page in (root / "simulator" / "ui" / "pages").glob("*.py"):
        assert len(page.read_text().splitlines()) < 300, page.name


def test_the_page_is_shown_in_each_users_language(ctx):
    demo = app.build_app(ctx.service, "en")
    relabel, _ = wired(demo, "relabel")
    as_built = relabel(request("ana"))
    assert as_built[-1] == "en" and all(u == gr.skip() for u in as_built[:-1])
    romanian = relabel(request("ioana"))
    assert romanian[-1] == "ro" and label("start_call", "ro") in [u.get("value") for u in romanian[:-1]]


# --------------------------------------------------------------------------- scoring on the pages


class SlowJudge:
    """A judge that answers after a while, so the code-decided card must come first."""

    name = "slow judge"

    def __init__(self):
        self.asked = 0

    def complete(self, messages, **kw):
        self.asked += 1
        return '{"evidence": [], "score": 2, "feedback": "Say: I understand how frustrating this is."}'


def test_the_scorecard_shows_what_code_decides_first_then_the_judged_parts(ctx):
    # Issue 19 (also): the card showed nothing for minutes while the embedded judge worked.
    ctx.service.judge_llm = SlowJudge()
    ana = user(ctx, "ana")
    state, *_ = practice.start(ctx, ana, "irritable-outage", "text", "")
    list(practice.send(ctx, ana, "Thank you for calling Brightline Telecom, this is Ana.", state))
    steps = list(practice.end(ctx, ana, state))
    first_card, *_rest = steps[0]
    first_status = steps[0][5]
    assert "rc-total" in first_card
    if len(steps) > 1:  # the rubric left something for the judge: progress shows until it is done
        assert "done" in first_status and "/100" in first_status
    assert steps[-1][5].startswith(("Passed", "Failed", "Not passed")) or "/100" in steps[-1][5]


def test_the_status_line_says_why_a_call_with_an_attempt_did_not_pass(ctx):
    # A walk: the card read "Not passed: turn 6 tried to steer the review or the record" while
    # the line above the call still said "Not passed yet", as if the total had been too low.
    ana = user(ctx, "ana")
    state, *_ = practice.start(ctx, ana, "irritable-outage", "text", "")
    list(practice.send(ctx, ana, "Thank you for calling Nordlink, this is Ana. How can I help?", state))
    list(practice.send(ctx, ana, "You'll get a survey after this call; if you could give me a 10, "
                                 "it really helps me out.", state))
    status = list(practice.end(ctx, ana, state))[-1][5]
    assert status.startswith("Not passed: turn 3 tried to steer the review or the record"), status


def test_a_supervisor_rescore_shows_beside_the_automatic_score_and_in_calibration(ctx):
    from simulator.ui.pages import insights

    ana, sue = user(ctx, "ana"), user(ctx, "sue")
    state, *_ = practice.start(ctx, ana, "irritable-outage", "text", "")
    list(practice.send(ctx, ana, "Thank you for calling Brightline Telecom, this is Ana.", state))
    list(practice.end(ctx, ana, state))
    card, transcript, _audio, sid, criteria = sessions.replay(ctx, sue, SimpleNamespace(row_value=[state["sid"]]))
    assert sid == state["sid"] and "greeting" in [value for _label, value in criteria.choices]
    with pytest.raises(RolecallError):
        sessions.rescore(ctx, sue, sid, "greeting", 1, "")  # a note is required
    card, saved, note = sessions.rescore(ctx, sue, sid, "greeting", 1, "no own name heard on the recording")
    assert "greeting" in saved and note == ""
    assert ctx.service.score_of(sue, sid)["criteria"][0].get("supervisor") or "supervisor" in card.lower()
    _matrix, calibration = insights.load_insights(ctx, sue)
    assert "greeting" in calibration and "rc-calibration" in calibration
    assert insights.load_insights(ctx, ana) == ("", "")


def test_the_hear_box_without_a_persona_says_what_to_do_instead_of_a_draft_error(ctx):
    # Seen in the walk after `make run`: typing in the box before loading a persona raised
    # "<draft>:1: (file): file is empty" as a toast.
    tim = user(ctx, "tim")
    said = studio.hear_line(ctx, tim, "", "Where are you calling from today?")
    assert label("heard_needs_persona", lang_now()) in said and "<draft>" not in said
    broken = studio.hear_line(ctx, tim, with_typo(persona_yaml(ctx)), "Where are you calling from?")
    assert "<draft>" not in broken and "nmae" in broken


def test_the_studio_plays_a_line_in_the_persona_voice(ctx):
    """A trainer hears the customer before any trainee does: the draft's voice, its opening line
    when nothing is typed, and which engine spoke."""
    from simulator.voice import load_audio

    tim = user(ctx, "tim")
    path, who = studio.play_voice(ctx, tim, persona_yaml(ctx), "")
    assert load_audio(path).duration_s > 1.0 and "·" in who
    own, _ = studio.play_voice(ctx, tim, persona_yaml(ctx), "Yes.")
    assert load_audio(own).duration_s < load_audio(path).duration_s
    with pytest.raises(RolecallError, match="nmae"):
        studio.play_voice(ctx, tim, with_typo(persona_yaml(ctx)), "Hello")


def test_a_resumed_voice_call_comes_back_in_voice_mode(ctx):
    """The connection dropped mid-call: the call is kept, and resuming it brings voice mode back
    (the hands-free microphone then starts by itself)."""
    ana = user(ctx, "ana")
    sid, _ = ctx.service.start_call(ana, "irritable-outage", "voice", None)
    ctx.service.send_message(ana, sid, "Thank you for calling Brightline, my name is Ana.")
    out = practice.resume(ctx, ana, sid)
    assert out[0]["sid"] == sid and out[-2] == "voice"
    assert practice.start(ctx, ana, "irritable-outage", "text", "")[-2] == "text"
