"""Sessions (supervisors): every session with filters, replay of any one, CSV export, and
each trainee's trend."""

from __future__ import annotations

import time

import gradio as gr
import pandas as pd

from ...dashboard import SessionFilter
from ...errors import RolecallError
from ...service import User
from .. import charts, render
from ..shared import SUPERVISOR_ROLES, L, PageContext, lang_now, require, served


def filters(trainee, persona, temp, ctype, since, until, passed) -> SessionFilter:
    verdict = {"yes": True, "no": False}.get(passed)
    return SessionFilter(trainee=trainee, persona_id=persona, temperament=temp, call_type=ctype, since=since,
                         until=until, passed=verdict)


def trends(ctx: PageContext, trainee: str | None = None) -> str:
    """Each trainee's totals over their calls, one line each."""
    return charts.progress_chart(ctx.dash.trend(trainee).to_dict("records"), lang_now(), chart_id="rc-trends")


def load_sessions(ctx: PageContext, user: User):
    """Trainee and persona choices, every session, the trends (nothing for non-supervisors)."""
    if user.role not in SUPERVISOR_ROLES:
        return gr.Dropdown(), gr.Dropdown(), gr.Dataframe(), gr.HTML()
    trainees = [u["name"] for u in ctx.service.store.list_users("trainee")]
    return (gr.Dropdown(choices=[""] + trainees), gr.Dropdown(choices=[""] + sorted(ctx.service.catalog.personas)),
            ctx.dash.sessions_frame(), trends(ctx))


def query(ctx: PageContext, user: User, trainee, persona, temp, ctype, since, until, passed):
    """The sessions and trend matching the filters."""
    require(user, SUPERVISOR_ROLES)
    f = filters(trainee, persona, temp, ctype, since, until, passed)
    return ctx.dash.sessions_frame(f), trends(ctx, f.trainee)


def export(ctx: PageContext, user: User, trainee, persona, temp, ctype, since, until, passed) -> gr.File:
    """The sessions matching the filters as a CSV file to download."""
    require(user, SUPERVISOR_ROLES)
    f = filters(trainee, persona, temp, ctype, since, until, passed)
    folder = ctx.service.exports_dir()
    path = ctx.dash.export_csv(folder / f"rolecall-sessions-{time.strftime('%Y%m%d-%H%M')}.csv", f)
    return gr.File(value=served(path), visible=True)


def replay(ctx: PageContext, user: User, evt: gr.SelectData):
    """A clicked row: its scorecard, transcript and recording, and its criteria to re-score."""
    require(user, SUPERVISOR_ROLES)
    sid = (evt.row_value or [None])[-1]
    card, transcript, audio = ctx.replay_row(user, evt)
    score = ctx.service.score_of(user, sid) or {}
    criteria = [c["id"] for c in score.get("criteria", [])]
    return card, transcript, audio, sid, gr.Dropdown(choices=criteria, value=criteria[0] if criteria else None)


def rescore(ctx: PageContext, user: User, sid, criterion, level, note):
    """A supervisor's own score for one criterion, kept beside the automatic one."""
    require(user, SUPERVISOR_ROLES)
    if not sid:
        raise RolecallError("click a session in the table first")
    if not criterion:
        raise RolecallError("choose the criterion to re-score")
    value = None if level in (None, "") else int(level)
    score = ctx.service.rescore_criterion(user, sid, criterion, value, (note or "").strip())
    saved = L("rescore_saved", criterion=criterion, score="n/a" if value is None else value, note=note.strip())
    return render.scorecard_html(score, lang_now(), ctx.pass_mark_of(score)), saved, ""


def build(ctx: PageContext) -> None:
    T = ctx.T  # noqa: N806
    with ctx.tab("tab_sessions", "sessions", roles=SUPERVISOR_ROLES, elem_id="tab-sessions"):
        with gr.Row():
            trainee = gr.Dropdown([], label=T("f_trainee"), allow_custom_value=True)
            persona = gr.Dropdown([], label=T("f_persona"), allow_custom_value=True)
            temp = gr.Dropdown(ctx.temperaments(), value="any", label=T("f_temperament"))
            ctype = gr.Dropdown(ctx.call_types(), value="any", label=T("f_call_type"))
        with gr.Row():
            since = gr.Textbox(label=T("f_since"), max_lines=1)
            until = gr.Textbox(label=T("f_until"), max_lines=1)
            passed = gr.Radio([(T("passed_any"), "any"), (T("passed_yes"), "yes"), (T("passed_no"), "no")],
                              value="any", label=T("f_passed"))
        with gr.Row():
            refresh = gr.Button(T("refresh"), variant="primary")
            export_btn = gr.Button(T("export_csv"))
        file = gr.File(label="CSV", visible=False)
        table = gr.Dataframe(pd.DataFrame(), interactive=False, wrap=True, elem_id="rc-sessions")
        gr.Markdown(T.fmt("### {}", "replay"))
        with gr.Row(equal_height=False):
            score = gr.HTML(T.fmt('<div class="rc-empty">{}</div>', "replay_hint"))
            with gr.Column():
                transcript = gr.HTML("")
                audio = gr.Audio(label=T("call_recording"), visible=False, interactive=False)
        picked = gr.State("")  # the session id of the clicked row
        with gr.Accordion(T("rescore"), open=False):
            with gr.Row():
                criterion = gr.Dropdown([], label=T("rescore_criterion"), elem_id="rc-rescore-criterion")
                level = gr.Number(precision=0, minimum=0, label=T("rescore_level"), elem_id="rc-rescore-level")
            note = gr.Textbox(label=T("rescore_note"), max_lines=2, elem_id="rc-rescore-note")
            save = gr.Button(T("rescore_btn"), variant="primary", elem_id="rc-rescore")
            saved = gr.Markdown("")
        gr.Markdown(T.fmt("### {}", "trends"))
        trend = gr.HTML("", elem_id="rc-trends-box")

    ctx.on_load(load_sessions, [trainee, persona, table, trend])
    filter_inputs = [trainee, persona, temp, ctype, since, until, passed]
    ctx.on(refresh.click, query, filter_inputs, [table, trend])
    ctx.on(export_btn.click, export, filter_inputs, file)
    ctx.on(table.select, replay, None, [score, transcript, audio, picked, criterion])
    ctx.on(save.click, rescore, [picked, criterion, level, note], [score, saved, note])
