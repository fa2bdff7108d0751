"""Choosing a customer on the practice page: filters, the customer's card, the trainee's
assignments, and unfinished calls to resume."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import gradio as gr

from ...service import User
from ...transcript import LANGUAGES
from .. import render
from ..shared import L, PageContext, lang_now, opt
from .assignments import due_day


def persona_choices(ctx: PageContext, temp=None, ctype=None, diff=None, language=None) -> list[tuple[str, str]]:
    found = ctx.service.personas(temperament=opt(temp), call_type=opt(ctype), difficulty=opt(diff),
                                 language=opt(language))
    return [(f"{p.name} · {p.temperament.value} · {p.call_type.value.replace('_', ' ')} · {p.difficulty}", p.id)
            for p in found]


def assigned_text(assignments: list[dict[str, Any]]) -> str:
    """The trainee's assignments as Markdown: persona, due date and note."""
    if not assignments:
        return L("no_assignments")
    lines = [f"**{L('assigned')}**"]
    for a in assignments:
        due = f" · due {due_day(a['due'])}" if a.get("due") else ""
        note = f" — {a['note']}" if a.get("note") else ""
        lines.append(f"- `{a['persona_id']}`{due}{note}")
    return "\n".join(lines)


def unfinished_choices(ctx: PageContext, user: User) -> list[tuple[str, str]]:
    rows = ctx.service.store.list_sessions(user=user.name, ended=False)  # one's own, whatever the role
    return [(f"{r['persona_id']} · {time.strftime('%Y-%m-%d %H:%M', time.localtime(r['started_at']))}", r["id"])
            for r in rows]


def load_practice(ctx: PageContext, user: User):
    choices = persona_choices(ctx)
    first = choices[0][1] if choices else None
    todo = ctx.service.store.assignments_for(user.name)
    if todo and any(c[1] == todo[0]["persona_id"] for c in choices):
        first = todo[0]["persona_id"]
    return (gr.Dropdown(choices=choices, value=first), render.persona_card_html(ctx.persona_or_none(first), lang_now()),
            assigned_text(todo), gr.Dropdown(choices=unfinished_choices(ctx, user), value=None),
            ctx.service.call_name(user) or "")


def save_call_name(ctx: PageContext, user: User, value):
    """Kept for the trainee's next calls; cleared, the account's name is used when it is a person's."""
    ctx.service.set_call_name(user, value)
    return ctx.service.call_name(user) or ""


def refilter(ctx: PageContext, user: User, temp, ctype, diff, language):
    choices = persona_choices(ctx, temp, ctype, diff, language)
    first = choices[0][1] if choices else None
    return gr.Dropdown(choices=choices, value=first), render.persona_card_html(ctx.persona_or_none(first), lang_now())


def show_card(ctx: PageContext, user: User, persona_id):
    # While the trainee reads the card, a local model reads the customer's prompt: the first
    # line of the call would otherwise wait for it.
    ctx.service.warm_persona(persona_id or "")
    return render.persona_card_html(ctx.persona_or_none(persona_id), lang_now())


def build(ctx: PageContext) -> SimpleNamespace:
    T, any_of = ctx.T, ctx.any_of  # noqa: N806
    c = SimpleNamespace()
    gr.Markdown(T.fmt("### {}", "choose_customer"))
    c.assigned = gr.Markdown(T("no_assignments"), elem_classes="rc-assigned")
    with gr.Row():
        c.temp = gr.Dropdown(ctx.temperaments(), value="any", label=T("filter_temperament"))
        c.type = gr.Dropdown(ctx.call_types(), value="any", label=T("filter_call_type"))
    with gr.Row():
        c.diff = gr.Dropdown(any_of(["easy", "medium", "hard"]), value="any", label=T("filter_difficulty"))
        c.lang = gr.Dropdown(any_of(list(LANGUAGES)), value="any", label=T("filter_language"))
    c.persona = gr.Dropdown([], label=T("persona"), elem_id="persona-dd")
    c.card = gr.HTML("")
    with gr.Row():
        c.mode = gr.Radio([(T("mode_text"), "text"), (T("mode_voice"), "voice")], value="text", label=T("mode"),
                          elem_id="rc-mode")
        c.seed = gr.Textbox(label=T("seed"), info=T("seed_info"), max_lines=1, placeholder="7")
    c.call_name = gr.Textbox(label=T("call_name"), info=T("call_name_info"), max_lines=1, placeholder="Ana",
                             elem_id="rc-call-name")
    c.start = gr.Button(T("start_call"), variant="primary", elem_id="start-call")
    with gr.Accordion(T("resume"), open=False):
        c.unfinished = gr.Dropdown([], label=T("resume"), show_label=False)
        c.resume = gr.Button(T("resume_btn"), size="sm")
    return c


def wire(ctx: PageContext, c: SimpleNamespace) -> None:
    """The chooser's own events: loading, filtering, the card of the chosen customer."""
    ctx.on_load(load_practice, [c.persona, c.card, c.assigned, c.unfinished, c.call_name])
    for done in (c.call_name.blur, c.call_name.submit):
        ctx.on(done, save_call_name, c.call_name, c.call_name, show_progress="hidden")
    filters = [c.temp, c.type, c.diff, c.lang]
    for f in filters:
        ctx.on(f.change, refilter, filters, [c.persona, c.card])
    ctx.on(c.persona.change, show_card, c.persona, c.card)
