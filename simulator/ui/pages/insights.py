"""Weak spots (supervisors): the average share of each criterion's points per customer
temperament, as a heat table."""

from __future__ import annotations

import gradio as gr

from ...service import User
from .. import render
from ..shared import SUPERVISOR_ROLES, L, PageContext, lang_now


def load_insights(ctx: PageContext, user: User) -> tuple[str, str]:
    if user.role not in SUPERVISOR_ROLES:
        return "", ""
    return (render.matrix_html(ctx.dash.matrix(), L("matrix_empty")),
            render.calibration_html(ctx.dash.calibration(), lang_now()))


def build(ctx: PageContext) -> None:
    with ctx.tab("tab_insights", "insights", roles=SUPERVISOR_ROLES):
        gr.Markdown(ctx.T("matrix"))
        matrix = gr.HTML("")
        gr.Markdown(ctx.T.fmt("### {}\n{}", "calibration", "calibration_intro"))
        calibration = gr.HTML("", elem_id="rc-calibration")

    ctx.on_load(load_insights, [matrix, calibration])
