"""Rubrics (trainers): edit a rubric's YAML, see errors as you type, save a new version."""

from __future__ import annotations

import gradio as gr

from ...errors import ValidationFailed
from ...loader import load_text
from ...rubric import Rubric
from ...service import User
from .. import render
from ..shared import TRAINER_ROLES, L, PageContext, draft_lines, not_saved, require


def load_rubrics(ctx: PageContext, user: User):
    if user.role not in TRAINER_ROLES:
        return gr.Dropdown()
    return gr.Dropdown(choices=sorted(ctx.service.catalog.rubrics))


def check_rubric(ctx: PageContext, user: User, text) -> str:
    """The draft's errors (`LINE: field: message`), or that it is valid; "" for no text."""
    if not (text or "").strip():
        return ""
    try:
        rubric = load_text(text, Rubric)
    except ValidationFailed as exc:
        return render.lines_html(draft_lines(exc), "")
    return render.lines_html([], L("rubric_valid", id=rubric.id))


def pick_rubric(ctx: PageContext, user: User, rubric_id):
    """The rubric's file and its check. Order: YAML, check area."""
    require(user, TRAINER_ROLES)
    text = ctx.source_text("rubric", rubric_id) if rubric_id else ""
    return text, check_rubric(ctx, user, text)


def save_rubric(ctx: PageContext, user: User, text):
    """Save the draft as a new version. Order: saved note, check area; a draft with errors is
    not saved, and its errors show in a toast and the check area."""
    require(user, TRAINER_ROLES)
    try:
        rubric = load_text(text, Rubric)
    except ValidationFailed as exc:
        return "", not_saved(exc)
    (ctx.user_dir("rubric") / f"{rubric.id}.yaml").write_text(text, encoding="utf-8")
    ctx.service.catalog.reload()
    version = ctx.service.store.save_rubric_version(rubric.id, text, user.name)
    return L("saved", id=rubric.id, version=version), gr.skip()


def build(ctx: PageContext) -> None:
    T = ctx.T  # noqa: N806
    with ctx.tab("tab_rubrics", "rubrics", roles=TRAINER_ROLES):
        pick = gr.Dropdown([], label=T("rubric_load"))
        check = gr.HTML("")
        text = gr.Code(language="yaml", label="YAML", lines=24, max_lines=30)
        save = gr.Button(T("save_rubric"), variant="primary")
        saved = gr.Markdown("")

    ctx.on_load(load_rubrics, [pick])
    ctx.on(pick.change, pick_rubric, pick, [text, check])
    ctx.on(text.change, check_rubric, text, check, show_progress="hidden")
    ctx.on(save.click, save_rubric, text, [saved, check])
