"""The Gradio app: a thin layer over `simulator` for trainees, trainers and supervisors.

`build_app(service)` builds the Blocks without launching (tests use fakes);
`serve(service, host, port)` launches it behind `auth=`, which protects the pages and the
named API endpoints alike. Every handler looks the user up from `request.username` and
checks the role itself: hiding a tab is a convenience, not the access control.
"""

from __future__ import annotations

import contextvars
import functools
import importlib.util
import inspect
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Gradio rebuilds a pandas summary of its last 10,000 events after every event, for a
# monitoring page Rolecall does not use: 2-5 ms of CPU per request, growing with traffic
# (profiled in bench/concurrency.py). Summarise rarely and over fewer events.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")
# Gradio also tries `import matplotlib` around every event; when it is not installed, that
# is a failed search of sys.path each time. A None entry makes the failure immediate.
if importlib.util.find_spec("matplotlib") is None:
    sys.modules.setdefault("matplotlib", None)

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from simulator.catalog import persona_from_yaml_text  # noqa: E402
from simulator.dashboard import Dashboard, SessionFilter  # noqa: E402
from simulator.errors import AccessDenied, RolecallError, ValidationFailed  # noqa: E402
from simulator.loader import load_text  # noqa: E402
from simulator.persona import CallType, Temperament  # noqa: E402
from simulator.rubric import Rubric  # noqa: E402
from simulator.service import Rolecall, User, trainee_line  # noqa: E402
from simulator.transcript import LANGUAGES, Transcript  # noqa: E402
from simulator.ui import render  # noqa: E402
from simulator.ui.labels import label  # noqa: E402
from simulator.ui.page_text import PageText  # noqa: E402
from simulator.ui.style import CSS, theme  # noqa: E402

log = logging.getLogger("rolecall.app")

LANGUAGE_NAMES = {"en": "English", "ro": "Română"}  # each in its own language, for the picker
TRAINER_ROLES = ("trainer", "supervisor")
SUPERVISOR_ROLES = ("supervisor",)
CONCURRENCY = 64  # turns of different trainees must not queue behind each other
# Each turn holds a worker thread while it waits for the LLM; Gradio's default of 40
# threads made the 41st-50th of 50 simultaneous turns wait a whole LLM answer longer.
MAX_THREADS = 2 * CONCURRENCY


# --------------------------------------------------------------------------- the boundary


def boundary(fn: Callable) -> Callable:
    """Domain errors become gr.Error with their one-line message; anything else is logged
    and shown as a short generic message (no traceback reaches the browser)."""

    def translated(exc: Exception) -> gr.Error:
        if isinstance(exc, gr.Error):
            return exc
        if isinstance(exc, RolecallError):
            return gr.Error(str(exc), print_exception=False)
        log.exception("unexpected error in %s", fn.__name__)
        return gr.Error(label("error_generic"), print_exception=False)

    if inspect.isgeneratorfunction(fn):  # Gradio streams a generator's outputs: so must the wrapper
        @functools.wraps(fn)
        def streaming(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise translated(exc) from None

        return streaming

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise translated(exc) from None

    return wrapper


def _opt(value: Any) -> Any:
    """Form values where '', None and 'any' all mean "no filter"."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "any")):
        return None
    return value.strip() if isinstance(value, str) else value


def _seed(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RolecallError(f"seed '{value}' is not a whole number; leave it empty or type e.g. 7") from None


def _draft_lines(exc: ValidationFailed) -> list[str]:
    """'<draft>:12: goal: …' → '12: goal: …' (the editor has one file)."""
    return [line.split(":", 1)[1] if line.startswith("<draft>:") else line for line in exc.errors]


# --------------------------------------------------------------------------- the app


def build_app(service: Rolecall, lang: str = "en") -> gr.Blocks:
    dash = Dashboard(service.store)
    # The page is built in `lang`; each user sees it in their own language (see relabel below).
    T = PageText(lang)  # noqa: N806 - reads like a label lookup, as L does
    page_lang: contextvars.ContextVar[str] = contextvars.ContextVar("page_lang", default=lang)

    def lang_now() -> str:
        """The signed-in user's language, inside a handler that has called who()."""
        return page_lang.get()

    def L(key: str, **values: Any) -> str:  # noqa: N802 - reads like a label lookup
        return label(key, lang_now(), **values)

    def who(request: gr.Request | None) -> User:
        name = getattr(request, "username", None) if request is not None else None
        if not name:
            raise AccessDenied("sign in first")
        user = service.user(name)
        # Each handler runs in a copy of the context, so this lasts for this handler only.
        page_lang.set(user.language or lang)
        return user

    def need(request: gr.Request | None, roles: tuple[str, ...]) -> User:
        user = who(request)
        if user.role not in roles:
            raise AccessDenied(L("supervisors_only") if roles == SUPERVISOR_ROLES else L("trainers_only"))
        return user

    def persona_or_none(persona_id: str | None):
        try:
            return service.catalog.persona(persona_id) if persona_id else None
        except RolecallError:
            return None

    def budget_of(persona_id: str) -> float | None:
        persona = persona_or_none(persona_id)
        if persona is None:
            return None
        rubric = service.catalog.rubrics.get(persona.rubric)
        return rubric.time_budget_s if rubric else None

    def pass_mark_of(score: dict | None) -> float | None:
        rubric = service.catalog.rubrics.get((score or {}).get("rubric") or "")
        return rubric.pass_mark if rubric else None

    def review(user: User, session_id: str) -> tuple[str, str, pd.DataFrame, str]:
        """Scorecard, highlighted transcript, mood data and uncovered facts of one session."""
        transcript = service.transcript(user, session_id)
        score = service.score_of(user, session_id)
        persona = persona_or_none(transcript.persona)
        return (render.scorecard_html(score, lang_now(), pass_mark_of(score)),
                render.transcript_html(transcript, score, lang_now()),
                render.mood_frame(transcript),
                render.facts_html(transcript, persona, lang_now()))

    def replay_row(user: User, evt: gr.SelectData):
        """Scorecard, transcript and whole-call recording of a clicked sessions row (id last)."""
        sid = (evt.row_value or [None])[-1]
        card, transcript_html, _mood, _facts = review(user, sid)
        audio = service.call_recording(user, sid)
        return card, transcript_html, gr.Audio(value=str(audio) if audio else None, visible=audio is not None)

    def any_of(values: list[str]) -> list[tuple[str, str]]:
        """Filter choices: "any" in the page's language first, then the values as they are."""
        return [(T("passed_any"), "any")] + [(v, v) for v in values]

    temperaments = any_of([t.value for t in Temperament])
    call_types = any_of([c.value for c in CallType])

    with gr.Blocks(title=T("app_title")) as demo:
        call = gr.State({})  # {sid, t0, budget, persona, parent_sid} — plain data only

        with gr.Row(elem_classes="rc-header"):
            gr.Markdown(T.fmt("## {}\n{}", "app_title", "tagline"), elem_classes="rc-brand")
            whoami = gr.Markdown("", elem_classes="rc-whoami", elem_id="rc-whoami")
            lang_pick = gr.Dropdown([(LANGUAGE_NAMES[x], x) for x in LANGUAGES], value=lang, show_label=False,
                                    container=False, scale=0, min_width=130, elem_id="rc-lang")
            gr.Button(T("logout"), link="/logout", size="sm", variant="secondary", scale=0, min_width=90)

        with gr.Tabs():
            # ------------------------------------------------------------------ practice
            with gr.Tab(T("tab_practice"), id="practice", elem_id="tab-practice"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=300, elem_classes="rc-panel"):
                        gr.Markdown(T.fmt("### {}", "choose_customer"))
                        assigned_md = gr.Markdown(T("no_assignments"), elem_classes="rc-assigned")
                        with gr.Row():
                            f_temp = gr.Dropdown(temperaments, value="any", label=T("filter_temperament"))
                            f_type = gr.Dropdown(call_types, value="any", label=T("filter_call_type"))
                        with gr.Row():
                            f_diff = gr.Dropdown(any_of(["easy", "medium", "hard"]), value="any",
                                                 label=T("filter_difficulty"))
                            f_lang = gr.Dropdown(any_of(list(LANGUAGES)), value="any", label=T("filter_language"))
                        persona_dd = gr.Dropdown([], label=T("persona"), elem_id="persona-dd")
                        persona_card = gr.HTML("")
                        with gr.Row():
                            mode = gr.Radio([(T("mode_text"), "text"), (T("mode_voice"), "voice")], value="text", label=T("mode"))
                            seed = gr.Textbox(label=T("seed"), info=T("seed_info"), max_lines=1, placeholder="7")
                        start_btn = gr.Button(T("start_call"), variant="primary", elem_id="start-call")
                        with gr.Accordion(T("resume"), open=False):
                            unfinished = gr.Dropdown([], label=T("resume"), show_label=False)
                            resume_btn = gr.Button(T("resume_btn"), size="sm")
                    with gr.Column(scale=2, elem_classes="rc-panel"):
                        with gr.Row():
                            gr.Markdown(T.fmt("### {}", "call"))
                            timer_md = gr.Markdown("", elem_classes="rc-timer", elem_id="rc-timer")
                        status_md = gr.Markdown(T("no_call"), elem_classes="rc-status", elem_id="rc-status")
                        chat = gr.Chatbot([], height=380, show_label=False, elem_id="rc-chat",
                                          placeholder=T("no_call"), layout="bubble")
                        with gr.Row():
                            line = gr.Textbox(placeholder=T("your_line_ph"), show_label=False, scale=5,
                                              max_lines=4, elem_id="rc-line", interactive=False)
                            send_btn = gr.Button(T("send"), variant="primary", scale=1, min_width=80,
                                                 elem_id="rc-send", interactive=False)
                        # Voice mode: the microphone is here; send_audio is wired when the service has it.
                        mic = gr.Audio(sources=["microphone"], type="filepath", label=T("mic"), visible=False)
                        mic_note = gr.Markdown(T("voice_soon"), visible=False)
                        # The customer's spoken reply plays as soon as it is ready.
                        reply_audio = gr.Audio(type="filepath", autoplay=True, interactive=False, visible=False,
                                               label=T("reply_audio"), elem_id="rc-reply-audio")
                        phone_fx = gr.Checkbox(False, label="Phone-line sound", visible=False)
                        end_btn = gr.Button(T("end_call"), variant="stop", elem_id="rc-end", interactive=False)
                tick = gr.Timer(1.0, active=False)

                gr.Markdown(T.fmt("### {}", "scorecard"))
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        score_html = gr.HTML(T.made(lambda speaks: render.scorecard_html(None, speaks)), elem_id="rc-scorecard")
                    with gr.Column(scale=2):
                        mood_plot = gr.LinePlot(render.mood_frame(Transcript(persona="-")), x="turn",
                                                y="mood", y_lim=[-1, 1], label=T("mood_plot"), height=220)
                        gr.Markdown(T.fmt("**{}**", "facts_uncovered"))
                        facts = gr.HTML("")
                with gr.Accordion(T("transcript"), open=True):
                    transcript_view = gr.HTML("", elem_id="rc-transcript")
                with gr.Row():
                    branch_turn = gr.Number(value=1, precision=0, minimum=0, label=T("try_again"), scale=1)
                    branch_btn = gr.Button(T("try_again_btn"), scale=1)
                compare = gr.HTML("")

            # ------------------------------------------------------------------ history
            with gr.Tab(T("tab_history"), id="history", elem_id="tab-history"):
                progress = gr.LinePlot(dash.trend("\0"), x="call", y="total", y_lim=[0, 100],
                                       label=T("progress"), height=240)
                history_empty = gr.Markdown(T("history_empty"))
                history = gr.Dataframe(pd.DataFrame(), interactive=False, wrap=True, elem_id="rc-history")
                with gr.Row():
                    h_score = gr.HTML(T.fmt('<div class="rc-empty">{}</div>', "replay_hint"))
                    h_transcript = gr.HTML("")
                    h_audio = gr.Audio(label=T("call_recording"), visible=False, interactive=False)

            # ------------------------------------------------------------------ trainer
            with gr.Tab(T("tab_studio"), id="studio", visible=False, elem_id="tab-studio") as tab_studio:
                gr.Markdown(T("studio_intro"))
                catalog_errors = gr.HTML("")
                with gr.Row():
                    studio_pick = gr.Dropdown([], label=T("studio_load"), scale=3)
                    studio_new = gr.Button(T("studio_new"), scale=1)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1):
                        s_id = gr.Textbox(label="id", max_lines=1)
                        s_name = gr.Textbox(label="name", max_lines=1)
                        with gr.Row():
                            s_lang = gr.Dropdown(["en", "ro"], value="en", label="language")
                            s_temp = gr.Dropdown(temperaments[1:], value="calm", label="temperament")
                        with gr.Row():
                            s_diff = gr.Dropdown(["easy", "medium", "hard"], value="medium", label="difficulty")
                            s_type = gr.Dropdown(call_types[1:], value="inbound_support", label="call_type")
                        s_company = gr.Textbox(label="company", max_lines=1)
                        s_situation = gr.Textbox(label="situation", lines=3)
                        s_patience = gr.Slider(1, 20, value=5, step=1, label="patience")
                        s_apply = gr.Button("→ YAML")
                    with gr.Column(scale=2):
                        s_check = gr.HTML("")
                        s_yaml = gr.Code(language="yaml", label="YAML", lines=24, max_lines=30)
                with gr.Row():
                    s_drive = gr.Button(T("test_drive"))
                    s_save = gr.Button(T("save_version"), variant="primary")
                s_saved = gr.Markdown("")
                s_report = gr.Textbox(label=T("test_drive"), lines=10, interactive=False)
                with gr.Row(equal_height=False):
                    s_hear_line = gr.Textbox(label=T("heard_box"), placeholder=T("heard_box_hint"), max_lines=2,
                                             scale=2, elem_id="studio-hear-line")
                    s_heard = gr.HTML("", elem_id="studio-heard")

            with gr.Tab(T("tab_rubrics"), id="rubrics", visible=False) as tab_rubrics:
                r_pick = gr.Dropdown([], label=T("rubric_load"))
                r_check = gr.HTML("")
                r_yaml = gr.Code(language="yaml", label="YAML", lines=24, max_lines=30)
                r_save = gr.Button(T("save_rubric"), variant="primary")
                r_saved = gr.Markdown("")

            with gr.Tab(T("tab_assign"), id="assign", visible=False) as tab_assign:
                with gr.Row():
                    a_persona = gr.Dropdown([], label=T("assign_persona"))
                    a_trainee = gr.Dropdown([], label=T("assign_trainee"))
                    a_group = gr.Textbox(label=T("assign_group"), max_lines=1)
                    a_due = gr.Textbox(label=T("assign_due"), max_lines=1, placeholder="2026-01-31")
                a_note = gr.Textbox(label=T("assign_note"), max_lines=2)
                a_btn = gr.Button(T("assign_btn"), variant="primary")
                a_table = gr.Dataframe(pd.DataFrame(), interactive=False)
                with gr.Row():
                    a_del_id = gr.Number(label=T("assign_delete"), precision=0)
                    a_del = gr.Button(T("remove"))

            # ------------------------------------------------------------------ supervisor
            with gr.Tab(T("tab_sessions"), id="sessions", visible=False, elem_id="tab-sessions") as tab_sessions:
                with gr.Row():
                    q_trainee = gr.Dropdown([], label=T("f_trainee"), allow_custom_value=True)
                    q_persona = gr.Dropdown([], label=T("f_persona"), allow_custom_value=True)
                    q_temp = gr.Dropdown(temperaments, value="any", label=T("f_temperament"))
                    q_type = gr.Dropdown(call_types, value="any", label=T("f_call_type"))
                with gr.Row():
                    q_since = gr.Textbox(label=T("f_since"), max_lines=1)
                    q_until = gr.Textbox(label=T("f_until"), max_lines=1)
                    q_passed = gr.Radio([(T("passed_any"), "any"), (T("passed_yes"), "yes"), (T("passed_no"), "no")], value="any",
                                        label=T("f_passed"))
                with gr.Row():
                    q_btn = gr.Button(T("refresh"), variant="primary")
                    q_export = gr.Button(T("export_csv"))
                q_file = gr.File(label="CSV", visible=False)
                q_table = gr.Dataframe(pd.DataFrame(), interactive=False, wrap=True, elem_id="rc-sessions")
                gr.Markdown(T.fmt("### {}", "replay"))
                with gr.Row(equal_height=False):
                    q_score = gr.HTML(T.fmt('<div class="rc-empty">{}</div>', "replay_hint"))
                    with gr.Column():
                        q_transcript = gr.HTML("")
                        q_audio = gr.Audio(label=T("call_recording"), visible=False, interactive=False)
                gr.Markdown(T.fmt("### {}", "trends"))
                q_trend = gr.LinePlot(dash.trend("\0"), x="call", y="total", color="trainee", y_lim=[0, 100],
                                      height=260, show_label=False)

            with gr.Tab(T("tab_readiness"), id="readiness", visible=False, elem_id="tab-readiness") as tab_ready:
                board = gr.HTML("")
                gr.Markdown(T.fmt("### {}", "override"))
                with gr.Row():
                    o_trainee = gr.Dropdown([], label=T("f_trainee"))
                    o_ready = gr.Radio([(T("grant"), "grant"), (T("revoke"), "revoke"), (T("clear"), "clear")], value="grant",
                                       label=T("override_ready"))
                o_note = gr.Textbox(label=T("override_note"), lines=2)
                o_btn = gr.Button(T("override_btn"), variant="primary")
                o_done = gr.Markdown("")

            with gr.Tab(T("tab_insights"), id="insights", visible=False) as tab_insights:
                gr.Markdown(T("matrix"))
                matrix = gr.HTML("")

        # ====================================================================== handlers
        # -- page load: the page in the user's language first, then what each part loads
        page_loads: list[tuple[Callable, Any]] = []

        @boundary
        def on_load(request: gr.Request):
            user = who(request)
            trainer, supervisor = user.role in TRAINER_ROLES, user.role in SUPERVISOR_ROLES
            show = [gr.Tab(visible=trainer)] * 3 + [gr.Tab(visible=supervisor)] * 3
            return (L("signed_in_as", name=user.name, role=L(f"role_{user.role}")), *show)

        page_loads.append((on_load, [whoami, tab_studio, tab_rubrics, tab_assign, tab_sessions, tab_ready,
                                  tab_insights]))

        # -- practice

        def persona_choices(temp=None, ctype=None, diff=None, language=None) -> list[tuple[str, str]]:
            found = service.personas(temperament=_opt(temp), call_type=_opt(ctype), difficulty=_opt(diff),
                                     language=_opt(language))
            return [(f"{p.name} · {p.temperament.value} · {p.call_type.value.replace('_', ' ')} · {p.difficulty}",
                     p.id) for p in found]

        @boundary
        def load_practice(request: gr.Request):
            user = who(request)
            choices = persona_choices()
            first = choices[0][1] if choices else None
            todo = service.store.assignments_for(user.name)
            if todo:
                lines = [f"**{L('assigned')}**"] + [
                    f"- `{a['persona_id']}`" + (f" · due {time.strftime('%Y-%m-%d', time.localtime(a['due']))}"
                                                if a.get("due") else "") + (f" — {a['note']}" if a.get("note") else "")
                    for a in todo]
                assigned = "\n".join(lines)
                first = todo[0]["persona_id"] if any(c[1] == todo[0]["persona_id"] for c in choices) else first
            else:
                assigned = L("no_assignments")
            return (gr.Dropdown(choices=choices, value=first), render.persona_card_html(persona_or_none(first), lang_now()),
                    assigned, gr.Dropdown(choices=unfinished_choices(user), value=None))

        def unfinished_choices(user: User) -> list[tuple[str, str]]:
            rows = service.store.list_sessions(user=user.name, ended=False)  # one's own, whatever the role
            return [(f"{r['persona_id']} · {time.strftime('%Y-%m-%d %H:%M', time.localtime(r['started_at']))}", r["id"])
                    for r in rows]

        page_loads.append((load_practice, [persona_dd, persona_card, assigned_md, unfinished]))

        @boundary
        def refilter(temp, ctype, diff, language, request: gr.Request):
            who(request)
            choices = persona_choices(temp, ctype, diff, language)
            first = choices[0][1] if choices else None
            return gr.Dropdown(choices=choices, value=first), render.persona_card_html(persona_or_none(first), lang_now())

        for f in (f_temp, f_type, f_diff, f_lang):
            f.change(refilter, [f_temp, f_type, f_diff, f_lang], [persona_dd, persona_card], api_visibility="private")
        @boundary
        def show_card(persona_id, request: gr.Request):
            who(request)
            return render.persona_card_html(persona_or_none(persona_id), lang_now())

        persona_dd.change(show_card, persona_dd, persona_card, api_visibility="private")
        mode.change(lambda m: (gr.Checkbox(visible=m == "voice"), gr.Audio(visible=m == "voice")), mode,
                    [phone_fx, reply_audio], api_visibility="private")
        mode.change(lambda m: (gr.Audio(visible=m == "voice"), gr.Markdown(visible=m == "voice")), mode,
                    [mic, mic_note], api_visibility="private")

        call_outputs = [call, chat, status_md, timer_md, tick, line, send_btn, end_btn,
                        score_html, transcript_view, facts, compare]

        def opened(state: dict, user: User, status: str) -> tuple:
            """Outputs for a call that is open: chat filled, input enabled, review cleared."""
            state = {**state, "lang": lang_now()}  # for the timer, which ticks without a user lookup
            transcript = service.transcript(user, state["sid"])
            elapsed = time.time() - state["t0"]
            return (state, render.chat_messages(transcript), status, render.timer_text(elapsed, state["budget"], lang_now()),
                    gr.Timer(active=True), gr.Textbox(value="", interactive=True), gr.Button(interactive=True),
                    gr.Button(interactive=True), render.scorecard_html(None, lang_now()), "", "", "")

        @boundary
        def start(persona_id, mode_value, seed_value, request: gr.Request):
            user = who(request)
            if not persona_id:
                raise RolecallError("choose a customer first")
            sid, _first = service.start_call(user, persona_id, mode_value or "text", _seed(seed_value))
            state = {"sid": sid, "t0": time.time(), "budget": budget_of(persona_id), "persona": persona_id}
            name = persona_or_none(persona_id).name
            return opened(state, user, L("call_started", name=name))

        start_btn.click(start, [persona_dd, mode, seed], call_outputs, api_visibility="private")

        @boundary
        def resume(session_id, request: gr.Request):
            user = who(request)
            if not session_id:
                raise RolecallError(L("no_unfinished"))
            transcript = service.resume(user, session_id)
            last_t = transcript.turns[-1].t if transcript.turns else 0.0
            state = {"sid": session_id, "t0": time.time() - last_t, "budget": budget_of(transcript.persona),
                     "persona": transcript.persona}
            name = persona_or_none(transcript.persona)
            return opened(state, user, L("call_started", name=name.name if name else transcript.persona))

        resume_btn.click(resume, unfinished, call_outputs, api_visibility="private")

        @boundary
        def send(text, state, request: gr.Request):
            user = who(request)
            speaks = lang_now()
            if not state or not state.get("sid"):
                raise RolecallError("start a call first: choose a customer and press Start call")
            # The customer's line appears as it is written, as far as the guard has passed it.
            before = render.chat_messages(service.transcript(user, state["sid"]))
            said = [*before, {"role": "user", "content": trainee_line(text)}]
            busy = (gr.Markdown(), gr.Textbox(value="", interactive=False), gr.Button(interactive=False), gr.Timer())
            yield [*said, render.TYPING], *busy
            reply = None
            try:
                for item in render.chat_while_streaming(service.send_message_stream(user, state["sid"], text), said):
                    if isinstance(item, list):
                        yield item, *busy
                    else:
                        reply = item
            except Exception:
                # Back as it was, with the trainee's words still in the box: nothing typed is lost.
                yield before, gr.Markdown(), gr.Textbox(value=text, interactive=True), gr.Button(interactive=True), gr.Timer()
                raise
            if reply.notice:
                gr.Warning(reply.notice)
            transcript = service.transcript(user, state["sid"])
            if reply.ended:
                # A generator's later steps run in a fresh context: the language is passed on by hand.
                status = label("call_ended", speaks, reason=render.end_reason_text(reply.end_reason, speaks))
                yield (render.chat_messages(transcript), status, gr.Textbox(value="", interactive=False),
                       gr.Button(interactive=False), gr.Timer(active=False))
                return
            yield (render.chat_messages(transcript), gr.Markdown(), gr.Textbox(value="", interactive=True),
                   gr.Button(interactive=True), gr.Timer())

        send_outputs = [chat, status_md, line, send_btn, tick]
        send_btn.click(send, [line, call], send_outputs, api_visibility="private")
        line.submit(send, [line, call], send_outputs, api_visibility="private")

        def on_tick(state):
            if not state or not state.get("sid"):
                return ""
            return render.timer_text(time.time() - state["t0"], state.get("budget"), state.get("lang", lang))

        tick.tick(on_tick, call, timer_md, show_progress="hidden", api_visibility="private")

        @boundary
        def end(state, request: gr.Request):
            user = who(request)
            if not state or not state.get("sid"):
                raise RolecallError("there is no call to end; start one first")
            score = service.end_call(user, state["sid"])
            card, transcript_html, mood, fact_html = review(user, state["sid"])
            turns = len(service.transcript(user, state["sid"]).turns)
            parent = state.get("parent_sid")
            cmp = render.compare_html(service.score_of(user, parent), score, lang_now()) if parent else ""
            status = f"{L('passed') if score.get('passed') else L('failed')} · {round(score.get('total', 0), 1):g}/100"
            return (card, transcript_html, gr.LinePlot(value=mood, y_lim=[-1, 1]), fact_html, cmp, status, gr.Timer(active=False),
                    gr.Textbox(interactive=False), gr.Button(interactive=False), gr.Button(interactive=False),
                    gr.Number(maximum=turns))

        ended = end_btn.click(end, call, [score_html, transcript_view, mood_plot, facts, compare, status_md, tick, line,
                                          send_btn, end_btn, branch_turn], api_visibility="private")

        @boundary
        def branch(turn, state, request: gr.Request):
            user = who(request)
            if not state or not state.get("sid"):
                raise RolecallError("finish a call first, then pick the turn to try again from")
            new_sid = dash.branch(state["sid"], int(turn or 0), user.name)
            transcript = service.transcript(user, new_sid)
            last_t = transcript.turns[-1].t if transcript.turns else 0.0
            new_state = {"sid": new_sid, "t0": time.time() - last_t, "budget": state.get("budget"),
                         "persona": state.get("persona"), "parent_sid": state["sid"]}
            return opened(new_state, user, L("call_started", name=transcript.persona))

        branch_btn.click(branch, [branch_turn, call], call_outputs, api_visibility="private")

        if hasattr(service, "send_audio"):  # voice turns, once the service offers them
            @boundary
            def send_voice(path, state, phone, request: gr.Request):
                user = who(request)
                if not path or not state or not state.get("sid"):
                    yield gr.Chatbot(), gr.Audio(), gr.Audio()
                    return
                # The trainee's words show once heard, then the customer's line as it is written
                # (as far as the guard has passed it); the voice plays once the line is whole.
                before = render.chat_messages(service.transcript(user, state["sid"]))
                reply = None
                turn = service.send_audio_stream(user, state["sid"], path, phone_line=bool(phone))
                for item in render.chat_while_streaming(turn, before):
                    if isinstance(item, list):
                        yield item, gr.Audio(), gr.Audio()
                    else:
                        reply = item
                # Clear the microphone so the next turn starts a fresh recording.
                yield (render.chat_messages(service.transcript(user, state["sid"])),
                       gr.Audio(value=reply.audio, visible=True), None)

            mic.stop_recording(send_voice, [mic, call, phone_fx], [chat, reply_audio, mic],
                               api_visibility="private")

        # -- history

        @boundary
        def load_history(request: gr.Request):
            user = who(request)
            frame = dash.sessions_frame(SessionFilter(trainee=user.name))
            return (gr.LinePlot(value=dash.trend(user.name), visible=not frame.empty), gr.Markdown(visible=frame.empty),
                    gr.Dataframe(value=frame.drop(columns=["trainee"]), visible=not frame.empty),
                    gr.HTML(visible=not frame.empty))

        history_outputs = [progress, history_empty, history, h_score]
        page_loads.append((load_history, history_outputs))
        ended.success(load_history, None, history_outputs, api_visibility="private")

        @boundary
        def open_row(evt: gr.SelectData, request: gr.Request):
            return replay_row(who(request), evt)

        history.select(open_row, None, [h_score, h_transcript, h_audio], api_visibility="private")

        # -- trainer: persona studio

        @boundary
        def load_studio(request: gr.Request):
            if who(request).role not in TRAINER_ROLES:
                return gr.Dropdown(), "", gr.Dropdown(), gr.Dropdown(), gr.Dropdown(), gr.Dataframe()
            ids = sorted(service.catalog.personas)
            errors = render.lines_html(service.catalog.errors, L("no_catalog_errors"))
            trainees = [u["name"] for u in service.store.list_users("trainee")]
            return (gr.Dropdown(choices=ids), f"<b>{render.esc(L('catalog_errors'))}</b>{errors}",
                    gr.Dropdown(choices=sorted(service.catalog.rubrics)), gr.Dropdown(choices=ids),
                    gr.Dropdown(choices=trainees), assignments_frame())

        def assignments_frame() -> pd.DataFrame:
            rows = service.store.list_assignments()
            for r in rows:
                r["due"] = time.strftime("%Y-%m-%d", time.localtime(r["due"])) if r.get("due") else ""
                r.pop("created_at", None)
            return pd.DataFrame(rows)

        page_loads.append((load_studio, [studio_pick, catalog_errors, r_pick, a_persona, a_trainee, a_table]))

        form_fields = [s_id, s_name, s_lang, s_temp, s_diff, s_type, s_company, s_situation, s_patience]
        form_keys = ["id", "name", "language", "temperament", "difficulty", "call_type", "company", "situation",
                     "patience"]

        def source_text(kind: str, item_id: str) -> str:
            path = service.catalog.sources.get(f"{kind}:{item_id}")
            return Path(path).read_text(encoding="utf-8") if path and Path(path).is_file() else ""

        def form_from(text: str) -> list:
            try:
                data = yaml.safe_load(text) or {}
            except yaml.YAMLError:
                data = {}
            data = data if isinstance(data, dict) else {}
            return [gr.update(value=data.get(k)) if data.get(k) is not None else gr.update() for k in form_keys]

        @boundary
        def pick_persona(pid, request: gr.Request):
            need(request, TRAINER_ROLES)
            text = source_text("persona", pid) if pid else ""
            return (text, check_persona(text), *form_from(text))

        studio_pick.change(pick_persona, studio_pick, [s_yaml, s_check, *form_fields], api_visibility="private")

        @boundary
        def new_persona(request: gr.Request):
            need(request, TRAINER_ROLES)
            base = service.catalog.personas.get("irritable-outage") or next(iter(service.catalog.personas.values()),
                                                                             None)
            data = base.model_dump(mode="json", exclude_none=True) if base else {}
            data.update({"id": "new-persona", "name": "New Customer"})
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            return (text, check_persona(text), *form_from(text))

        studio_new.click(new_persona, None, [s_yaml, s_check, *form_fields], api_visibility="private")

        def check_persona(text: str) -> str:
            if not (text or "").strip():
                return ""
            try:
                persona = persona_from_yaml_text(text)
            except ValidationFailed as exc:
                return render.lines_html(_draft_lines(exc), "")
            return render.lines_html([], L("studio_valid", id=persona.id))

        s_yaml.change(check_persona, s_yaml, s_check, show_progress="hidden", api_visibility="private")

        @boundary
        def apply_form(text, *values):
            try:
                data = yaml.safe_load(text or "") or {}
            except yaml.YAMLError:
                raise RolecallError("the YAML has a syntax error; fix it before applying the form") from None
            if not isinstance(data, dict):
                data = {}
            for key, value in zip(form_keys, values):
                if value not in (None, ""):
                    data[key] = int(value) if key == "patience" else value
            return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

        s_apply.click(apply_form, [s_yaml, *form_fields], s_yaml, api_visibility="private")

        @boundary
        def test_drive(text, request: gr.Request, progress=gr.Progress()):
            need(request, TRAINER_ROLES)
            from simulator.selfplay import format_preflight, preflight  # heavy only when used

            persona = persona_from_yaml_text(text)
            report = preflight(persona, service.customer_llm,
                               progress=lambda i, n, pol: progress((i, n), desc=f"the {pol} agent is calling…"))
            return format_preflight(persona, report)

        s_drive.click(test_drive, s_yaml, s_report, api_visibility="private")

        @boundary
        def hear_line(text, line, request: gr.Request):
            need(request, TRAINER_ROLES)
            if not (line or "").strip():
                return ""
            from simulator.listener import Listener

            persona = persona_from_yaml_text(text)
            return render.heard_html(Listener(persona).hear(line), persona, lang_now())

        for event in (s_hear_line.submit, s_hear_line.change):
            event(hear_line, [s_yaml, s_hear_line], s_heard, show_progress="hidden", api_visibility="private")

        def user_dir(kind: str) -> Path:
            if service.data_dir is None:
                raise RolecallError(f"no data folder is configured, so {kind}s cannot be saved; set ROLECALL_DATA_DIR")
            folder = service.data_dir / f"{kind}s"
            folder.mkdir(parents=True, exist_ok=True)
            dirs = service.catalog.persona_dirs if kind == "persona" else service.catalog.rubric_dirs
            if folder not in dirs:  # the catalog only lists user folders that existed at start
                dirs.append(folder)
            return folder

        @boundary
        def save_persona(text, request: gr.Request):
            user = need(request, TRAINER_ROLES)
            persona = persona_from_yaml_text(text)
            (user_dir("persona") / f"{persona.id}.yaml").write_text(text, encoding="utf-8")
            service.catalog.reload()
            # The same normalised text sync_versions records, so it does not add a second version.
            dumped = yaml.safe_dump(persona.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
            version = service.store.save_persona_version(persona.id, dumped, user.name)
            service.sync_versions()
            errors = render.lines_html(service.catalog.errors, L("no_catalog_errors"))
            return (L("saved", id=persona.id, version=version), gr.Dropdown(choices=sorted(service.catalog.personas)),
                    f"<b>{render.esc(L('catalog_errors'))}</b>{errors}")

        s_save.click(save_persona, s_yaml, [s_saved, studio_pick, catalog_errors], api_visibility="private")

        # -- trainer: rubrics

        def check_rubric(text: str) -> str:
            if not (text or "").strip():
                return ""
            try:
                rubric = load_text(text, Rubric)
            except ValidationFailed as exc:
                return render.lines_html(_draft_lines(exc), "")
            return render.lines_html([], L("rubric_valid", id=rubric.id))

        @boundary
        def pick_rubric(rid, request: gr.Request):
            need(request, TRAINER_ROLES)
            text = source_text("rubric", rid) if rid else ""
            return text, check_rubric(text)

        r_pick.change(pick_rubric, r_pick, [r_yaml, r_check], api_visibility="private")
        r_yaml.change(check_rubric, r_yaml, r_check, show_progress="hidden", api_visibility="private")

        @boundary
        def save_rubric(text, request: gr.Request):
            user = need(request, TRAINER_ROLES)
            rubric = load_text(text, Rubric)
            (user_dir("rubric") / f"{rubric.id}.yaml").write_text(text, encoding="utf-8")
            service.catalog.reload()
            version = service.store.save_rubric_version(rubric.id, text, user.name)
            return L("saved", id=rubric.id, version=version)

        r_save.click(save_rubric, r_yaml, r_saved, api_visibility="private")

        # -- trainer: assignments

        @boundary
        def assign(persona_id, trainee, group, due, note, request: gr.Request):
            user = need(request, TRAINER_ROLES)
            if not persona_id:
                raise RolecallError("choose a persona to assign")
            due_ts = SessionFilter(since=due).store_kwargs()["since"] if _opt(due) else None
            service.store.add_assignment(persona_id, user.name, trainee=_opt(trainee), group=_opt(group),
                                         due=due_ts, note=note or "")
            return assignments_frame(), L("assigned_ok", persona=persona_id)

        a_btn.click(assign, [a_persona, a_trainee, a_group, a_due, a_note], [a_table, o_done],
                    api_visibility="private")

        @boundary
        def unassign(assignment_id, request: gr.Request):
            need(request, TRAINER_ROLES)
            service.store.delete_assignment(int(assignment_id or 0))
            return assignments_frame()

        a_del.click(unassign, a_del_id, a_table, api_visibility="private")

        # -- supervisor: sessions, replay, export, trends

        def filters(trainee, persona, temp, ctype, since, until, passed) -> SessionFilter:
            verdict = {"yes": True, "no": False}.get(passed)
            return SessionFilter(trainee=trainee, persona_id=persona, temperament=temp, call_type=ctype,
                                 since=since, until=until, passed=verdict)

        filter_inputs = [q_trainee, q_persona, q_temp, q_type, q_since, q_until, q_passed]

        @boundary
        def load_supervisor(request: gr.Request):
            if who(request).role not in SUPERVISOR_ROLES:
                return gr.Dropdown(), gr.Dropdown(), gr.Dataframe(), gr.LinePlot(), "", gr.Dropdown(), ""
            trainees = [u["name"] for u in service.store.list_users("trainee")]
            return (gr.Dropdown(choices=[""] + trainees), gr.Dropdown(choices=[""] + sorted(service.catalog.personas)),
                    dash.sessions_frame(), dash.trend(), board_html(), gr.Dropdown(choices=trainees),
                    render.matrix_html(dash.matrix(), L("matrix_empty")))

        def board_html() -> str:
            return render.readiness_html(dash.readiness_board(), lang_now())

        page_loads.append((load_supervisor, [q_trainee, q_persona, q_table, q_trend, board, o_trainee, matrix]))

        @boundary
        def query(trainee, persona, temp, ctype, since, until, passed, request: gr.Request):
            need(request, SUPERVISOR_ROLES)
            f = filters(trainee, persona, temp, ctype, since, until, passed)
            return dash.sessions_frame(f), dash.trend(f.trainee)

        q_btn.click(query, filter_inputs, [q_table, q_trend], api_visibility="private")

        @boundary
        def export(trainee, persona, temp, ctype, since, until, passed, request: gr.Request):
            need(request, SUPERVISOR_ROLES)
            f = filters(trainee, persona, temp, ctype, since, until, passed)
            folder = Path(tempfile.mkdtemp(prefix="rolecall-export-"))
            path = dash.export_csv(folder / f"rolecall-sessions-{time.strftime('%Y%m%d-%H%M')}.csv", f)
            return gr.File(value=str(path), visible=True)

        q_export.click(export, filter_inputs, q_file, api_visibility="private")

        @boundary
        def replay(evt: gr.SelectData, request: gr.Request):
            return replay_row(need(request, SUPERVISOR_ROLES), evt)

        q_table.select(replay, None, [q_score, q_transcript, q_audio], api_visibility="private")

        @boundary
        def override(trainee, decision, note, request: gr.Request):
            user = need(request, SUPERVISOR_ROLES)
            if not trainee:
                raise RolecallError("choose the trainee the decision is about")
            if decision == "clear":
                service.store.clear_readiness_override(trainee, note, user.name)
            else:
                service.store.set_readiness_override(trainee, decision == "grant", note, user.name)
            return board_html(), L("override_saved", trainee=trainee), ""

        o_btn.click(override, [o_trainee, o_ready, o_note], [board, o_done, o_note], api_visibility="private")

        # -- each user's language

        shown_texts = T.components(demo.blocks.values())
        demo.rolecall_page_text = T  # for tests: which texts the page shows in each language

        @boundary
        def relabel(request: gr.Request):
            speaks = who(request).language or lang
            if speaks == lang:
                return [gr.skip()] * len(shown_texts) + [speaks]
            return [gr.update(**T.translated(c, speaks)) for c in shown_texts] + [speaks]

        loaded = demo.load(relabel, None, [*shown_texts, lang_pick], api_visibility="private")
        for fn, outputs in page_loads:
            loaded.then(fn, None, outputs, api_visibility="private")

        @boundary
        def choose_language(choice, request: gr.Request):
            service.store.set_language(who(request).name, choice)

        # The whole page is built again in the new language: simplest is to load it afresh.
        lang_pick.input(choose_language, lang_pick, None, api_visibility="private").success(
            None, None, None, js="() => window.location.reload()")

        # -- named API endpoints (same login as the pages; plain typed inputs and outputs)

        @boundary
        def start_call(persona_id: str, mode: str = "text", seed: int | None = None,
                       request: gr.Request = None) -> tuple[str, str]:
            """Start a call; returns the session id and the customer's first line ("" when the trainee speaks first)."""
            sid, first = service.start_call(who(request), persona_id, mode, seed)
            return sid, first or ""

        @boundary
        def send_message(session_id: str, text: str, request: gr.Request = None) -> tuple[str, bool]:
            """Say a line; returns the customer's reply and whether the call has ended."""
            reply = service.send_message(who(request), session_id, text)
            return reply.text or "", reply.ended

        @boundary
        def end_call(session_id: str, request: gr.Request = None) -> dict:
            """End the call (if open) and return the score JSON."""
            return service.end_call(who(request), session_id)

        @boundary
        def list_sessions(request: gr.Request = None) -> list[dict]:
            """The sessions the signed-in user may see (a trainee: only their own)."""
            return service.list_sessions(who(request))

        for fn in (start_call, send_message, end_call, list_sessions):
            gr.api(fn, api_name=fn.__name__, concurrency_limit=CONCURRENCY)

    demo.queue(default_concurrency_limit=CONCURRENCY)
    return demo


# --------------------------------------------------------------------------- launching


def make_auth(service: Rolecall) -> Callable[[str, str], bool]:
    def check(name: str, password: str) -> bool:
        try:
            return service.login(name, password) is not None
        except RolecallError:
            return False

    return check


def launch_options(service: Rolecall, lang: str = "en") -> dict[str, Any]:
    """What `serve` passes to launch(): login, look, and no sharing. Tests reuse it."""
    return {"auth": make_auth(service), "auth_message": label("login_message", lang), "theme": theme(),
            "css": CSS, "share": False, "show_error": True, "max_threads": MAX_THREADS}


def serve(service: Rolecall, host: str = "127.0.0.1", port: int = 7860, lang: str = "en") -> None:
    build_app(service, lang).launch(server_name=host, server_port=port, **launch_options(service, lang))


if __name__ == "__main__":
    from simulator.config import load_settings

    serve(Rolecall.from_settings(load_settings()))
