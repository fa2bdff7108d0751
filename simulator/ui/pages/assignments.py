"""Assignments (trainers): give a persona to a trainee or a group, with a due date and a
note; the trainee finds it on their practice page."""

from __future__ import annotations

import time

import gradio as gr
import pandas as pd

from ...dashboard import SessionFilter
from ...errors import RolecallError
from ...service import User
from ..shared import TRAINER_ROLES, L, PageContext, opt, require


def due_day(timestamp: float | None) -> str:
    """A due date as the trainer typed it (YYYY-MM-DD, local time); "" when there is none."""
    return time.strftime("%Y-%m-%d", time.localtime(timestamp)) if timestamp else ""


def assignments_frame(ctx: PageContext) -> pd.DataFrame:
    """Every assignment, newest first, with its due date as a day."""
    rows = ctx.service.store.list_assignments()
    for r in rows:
        r["due"] = due_day(r.get("due"))
        r.pop("created_at", None)
    return pd.DataFrame(rows)


def load_assignments(ctx: PageContext, user: User):
    """Personas and trainees to choose from, and the assignments (nothing for non-trainers)."""
    if user.role not in TRAINER_ROLES:
        return gr.Dropdown(), gr.Dropdown(), gr.Dataframe()
    trainees = [u["name"] for u in ctx.service.store.list_users("trainee")]
    return (gr.Dropdown(choices=sorted(ctx.service.catalog.personas)), gr.Dropdown(choices=trainees),
            assignments_frame(ctx))


def assign(ctx: PageContext, user: User, persona_id, trainee, group, due, note):
    """Order: the assignments table, the confirmation."""
    require(user, TRAINER_ROLES)
    if not persona_id:
        raise RolecallError("choose a persona to assign")
    due_ts = SessionFilter(since=due).store_kwargs()["since"] if opt(due) else None
    ctx.service.store.add_assignment(persona_id, user.name, trainee=opt(trainee), group=opt(group), due=due_ts,
                                     note=note or "")
    return assignments_frame(ctx), L("assigned_ok", persona=persona_id)


def unassign(ctx: PageContext, user: User, assignment_id) -> pd.DataFrame:
    require(user, TRAINER_ROLES)
    ctx.service.store.delete_assignment(int(assignment_id or 0))
    return assignments_frame(ctx)


def build(ctx: PageContext) -> None:
    T = ctx.T  # noqa: N806
    with ctx.tab("tab_assign", "assign", roles=TRAINER_ROLES):
        with gr.Row():
            persona = gr.Dropdown([], label=T("assign_persona"))
            trainee = gr.Dropdown([], label=T("assign_trainee"))
            group = gr.Textbox(label=T("assign_group"), max_lines=1)
            due = gr.Textbox(label=T("assign_due"), max_lines=1, placeholder="2026-01-31")
        note = gr.Textbox(label=T("assign_note"), max_lines=2)
        assign_btn = gr.Button(T("assign_btn"), variant="primary")
        table = gr.Dataframe(pd.DataFrame(), interactive=False)
        done = gr.Markdown("")
        with gr.Row():
            remove_id = gr.Number(label=T("assign_delete"), precision=0)
            remove = gr.Button(T("remove"))

    ctx.on_load(load_assignments, [persona, trainee, table])
    ctx.on(assign_btn.click, assign, [persona, trainee, group, due, note], [table, done])
    ctx.on(remove.click, unassign, remove_id, table)
