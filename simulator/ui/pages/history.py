"""My history: a trainee's own calls, their progress, and the replay of any one of them."""

from __future__ import annotations

from typing import Any

import gradio as gr
import pandas as pd

from ...dashboard import SessionFilter
from ...service import User
from .. import charts
from ..shared import PageContext, lang_now


def load_history(ctx: PageContext, user: User):
    """Progress plot, "no calls yet", the sessions table, the replay area (shown once there are calls)."""
    frame = ctx.dash.sessions_frame(SessionFilter(trainee=user.name))
    progress = charts.progress_chart(ctx.dash.trend(user.name).to_dict("records"), lang_now())
    return (gr.HTML(value=progress, visible=not frame.empty), gr.Markdown(visible=frame.empty),
            gr.Dataframe(value=frame.drop(columns=["trainee"]), visible=not frame.empty),
            gr.HTML(visible=not frame.empty))


def open_row(ctx: PageContext, user: User, evt: gr.SelectData):
    return ctx.replay_row(user, evt)


def build(ctx: PageContext, call_ended: Any) -> None:
    """The history tab; it loads again after each call the practice page scores (`call_ended`)."""
    T = ctx.T  # noqa: N806
    with ctx.tab("tab_history", "history", elem_id="tab-history"):
        progress = gr.HTML(T.made(lambda speaks: charts.progress_chart([], speaks)), elem_id="rc-progress")
        empty = gr.Markdown(T("history_empty"))
        history = gr.Dataframe(pd.DataFrame(), interactive=False, wrap=True, elem_id="rc-history")
        with gr.Row():
            score = gr.HTML(T.fmt('<div class="rc-empty">{}</div>', "replay_hint"))
            transcript = gr.HTML("")
            audio = gr.Audio(label=T("call_recording"), visible=False, interactive=False)

    outputs = [progress, empty, history, score]
    ctx.on_load(load_history, outputs)
    ctx.on(call_ended.success, load_history, None, outputs)
    ctx.on(history.select, open_row, None, [score, transcript, audio])
