"""Readiness (supervisors): who is ready for live calls and why; a supervisor may grant or
revoke readiness with a note, or hand it back to the rules."""

from __future__ import annotations

import gradio as gr

from ...errors import RolecallError
from ...service import User
from .. import render
from ..shared import SUPERVISOR_ROLES, L, PageContext, lang_now, require


def board_html(ctx: PageContext) -> str:
    return render.readiness_html(ctx.dash.readiness_board(), lang_now())


def load_readiness(ctx: PageContext, user: User):
    """The board and the trainees to decide about (nothing for non-supervisors)."""
    if user.role not in SUPERVISOR_ROLES:
        return "", gr.Dropdown()
    trainees = [u["name"] for u in ctx.service.store.list_users("trainee")]
    return board_html(ctx), gr.Dropdown(choices=trainees)


def override(ctx: PageContext, user: User, trainee, decision, note):
    """Grant, revoke or clear a trainee's readiness. Order: board, confirmation, note (emptied)."""
    require(user, SUPERVISOR_ROLES)
    if not trainee:
        raise RolecallError("choose the trainee the decision is about")
    if decision == "clear":
        ctx.service.store.clear_readiness_override(trainee, note, user.name)
    else:
        ctx.service.store.set_readiness_override(trainee, decision == "grant", note, user.name)
    return board_html(ctx), L("override_saved", trainee=trainee), ""


def build(ctx: PageContext) -> None:
    T = ctx.T  # noqa: N806
    with ctx.tab("tab_readiness", "readiness", roles=SUPERVISOR_ROLES, elem_id="tab-readiness"):
        board = gr.HTML("")
        gr.Markdown(T.fmt("### {}", "override"))
        with gr.Row():
            trainee = gr.Dropdown([], label=T("f_trainee"))
            decision = gr.Radio([(T("grant"), "grant"), (T("revoke"), "revoke"), (T("clear"), "clear")],
                                value="grant", label=T("override_ready"))
        note = gr.Textbox(label=T("override_note"), lines=2)
        save = gr.Button(T("override_btn"), variant="primary")
        done = gr.Markdown("")

    ctx.on_load(load_readiness, [board, trainee])
    ctx.on(save.click, override, [trainee, decision, note], [board, done, note])
