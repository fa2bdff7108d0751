"""Practice: choose a customer, hold the call (text or voice), see the scorecard, and try
again from any turn. Every trainee, trainer and supervisor has this page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import gradio as gr

from ...errors import RolecallError
from ...service import User, trainee_line
from ...transcript import LANGUAGES
from .. import charts, render
from ..shared import L, PageContext, lang_now, opt, seed
from ..handsfree import HANDS_FREE, hands_free_chunk, hands_free_controls, hands_free_stop, voice_controls
from .assignments import due_day

# --------------------------------------------------------------------------- handlers


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
            assigned_text(todo), gr.Dropdown(choices=unfinished_choices(ctx, user), value=None))


def refilter(ctx: PageContext, user: User, temp, ctype, diff, language):
    choices = persona_choices(ctx, temp, ctype, diff, language)
    first = choices[0][1] if choices else None
    return gr.Dropdown(choices=choices, value=first), render.persona_card_html(ctx.persona_or_none(first), lang_now())


def show_card(ctx: PageContext, user: User, persona_id):
    return render.persona_card_html(ctx.persona_or_none(persona_id), lang_now())


def opened(ctx: PageContext, user: User, state: dict, name: str) -> tuple:
    """Outputs for a call that is open: chat filled (or saying the call is on), input enabled,
    review cleared. Order: call_outputs in `build`."""
    state = {**state, "lang": lang_now()}  # for the timer, which ticks without a user lookup
    transcript = ctx.service.transcript(user, state["sid"])
    elapsed = time.time() - state["t0"]
    return (state, gr.Chatbot(value=render.chat_messages(transcript), placeholder=L("call_on")),
            L("call_started", name=name), render.timer_text(elapsed, state["budget"], lang_now()),
            gr.Timer(active=True), gr.Textbox(value="", interactive=True), gr.Button(interactive=True),
            gr.Button(interactive=True), render.scorecard_html(None, lang_now()), "", "", "")


def start(ctx: PageContext, user: User, persona_id, mode_value, seed_value):
    if not persona_id:
        raise RolecallError("choose a customer first")
    sid, _first = ctx.service.start_call(user, persona_id, mode_value or "text", seed(seed_value))
    state = {"sid": sid, "t0": time.time(), "budget": ctx.budget_of(persona_id), "persona": persona_id}
    return opened(ctx, user, state, ctx.persona_or_none(persona_id).name)


def resume(ctx: PageContext, user: User, session_id):
    if not session_id:
        raise RolecallError(L("no_unfinished"))
    transcript = ctx.service.resume(user, session_id)
    last_t = transcript.turns[-1].t if transcript.turns else 0.0
    state = {"sid": session_id, "t0": time.time() - last_t, "budget": ctx.budget_of(transcript.persona),
             "persona": transcript.persona}
    persona = ctx.persona_or_none(transcript.persona)
    return opened(ctx, user, state, persona.name if persona else transcript.persona)


def send(ctx: PageContext, user: User, text, state) -> Iterator[tuple]:
    """One text turn; the customer's line appears as it is written, as far as the guard has
    passed it. Order: chat, status, line, send button, timer."""
    if not state or not state.get("sid"):
        raise RolecallError("start a call first: choose a customer and press Start call")
    before = render.chat_messages(ctx.service.transcript(user, state["sid"]))
    said = [*before, {"role": "user", "content": trainee_line(text)}]
    busy = (gr.Markdown(), gr.Textbox(value="", interactive=False), gr.Button(interactive=False), gr.Timer())
    yield [*said, render.TYPING], *busy
    reply = None
    try:
        for item in render.chat_while_streaming(ctx.service.send_message_stream(user, state["sid"], text), said):
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
    chat = render.chat_messages(ctx.service.transcript(user, state["sid"]))
    if reply.ended:
        status = L("call_ended", reason=render.end_reason_text(reply.end_reason, lang_now()))
        yield chat, status, gr.Textbox(value="", interactive=False), gr.Button(interactive=False), gr.Timer(active=False)
        return
    yield chat, gr.Markdown(), gr.Textbox(value="", interactive=True), gr.Button(interactive=True), gr.Timer()


def send_voice(ctx: PageContext, user: User, path, state, phone) -> Iterator[tuple]:
    """One spoken turn: the trainee's words once heard, then the customer's line as it is
    written; the voice plays once the line is whole. Order: chat, reply audio, microphone."""
    if not path or not state or not state.get("sid"):
        yield gr.Chatbot(), gr.Audio(), gr.Audio()
        return
    before = render.chat_messages(ctx.service.transcript(user, state["sid"]))
    reply = None
    turn = ctx.service.send_audio_stream(user, state["sid"], path, phone_line=bool(phone))
    try:
        for item in render.chat_while_streaming(turn, before):
            if isinstance(item, list):
                yield item, gr.Audio(), gr.Audio()
            else:
                reply = item
    except Exception:
        # The chat as the store has it and a microphone ready for the next try; the error shows
        # as one line. Nothing is lost: a turn that was heard is stored before the customer answers.
        yield render.chat_messages(ctx.service.transcript(user, state["sid"])), gr.Audio(), None
        raise
    # Clear the microphone so the next turn starts a fresh recording.
    yield (render.chat_messages(ctx.service.transcript(user, state["sid"])),
           gr.Audio(value=reply.audio, visible=True), None)


def on_tick(state):
    if not state or not state.get("sid"):
        return ""
    return render.timer_text(time.time() - state["t0"], state.get("budget"), state.get("lang", "en"))


def end(ctx: PageContext, user: User, state):
    """The call ends and is scored. Order: end_outputs in `build`."""
    if not state or not state.get("sid"):
        raise RolecallError("there is no call to end; start one first")
    HANDS_FREE.close(state["sid"])  # the call's turn detector (hands-free), if any
    score = ctx.service.end_call(user, state["sid"])
    card, transcript_html, mood, fact_html = ctx.review(user, state["sid"])
    turns = len(ctx.service.transcript(user, state["sid"]).turns)
    parent = state.get("parent_sid")
    cmp = render.compare_html(ctx.service.score_of(user, parent), score, lang_now()) if parent else ""
    status = f"{L('passed') if score.get('passed') else L('failed')} · {round(score.get('total', 0), 1):g}/100"
    return (card, transcript_html, mood, fact_html, cmp, status,
            gr.Timer(active=False), gr.Textbox(interactive=False), gr.Button(interactive=False),
            gr.Button(interactive=False), gr.Number(maximum=turns))


def branch(ctx: PageContext, user: User, turn, state):
    if not state or not state.get("sid"):
        raise RolecallError("finish a call first, then pick the turn to try again from")
    new_sid = ctx.dash.branch(state["sid"], int(turn or 0), user.name)
    transcript = ctx.service.transcript(user, new_sid)
    last_t = transcript.turns[-1].t if transcript.turns else 0.0
    new_state = {"sid": new_sid, "t0": time.time() - last_t, "budget": state.get("budget"),
                 "persona": state.get("persona"), "parent_sid": state["sid"]}
    return opened(ctx, user, new_state, transcript.persona)


# --------------------------------------------------------------------------- the page


def _chooser(ctx: PageContext) -> SimpleNamespace:
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
        c.mode = gr.Radio([(T("mode_text"), "text"), (T("mode_voice"), "voice")], value="text", label=T("mode"))
        c.seed = gr.Textbox(label=T("seed"), info=T("seed_info"), max_lines=1, placeholder="7")
    c.start = gr.Button(T("start_call"), variant="primary", elem_id="start-call")
    with gr.Accordion(T("resume"), open=False):
        c.unfinished = gr.Dropdown([], label=T("resume"), show_label=False)
        c.resume = gr.Button(T("resume_btn"), size="sm")
    return c


def _call_panel(ctx: PageContext) -> SimpleNamespace:
    T = ctx.T  # noqa: N806
    c = SimpleNamespace()
    with gr.Row():
        gr.Markdown(T.fmt("### {}", "call"))
        c.timer = gr.Markdown("", elem_classes="rc-timer", elem_id="rc-timer")
    c.status = gr.Markdown(T("no_call"), elem_classes="rc-status", elem_id="rc-status")
    c.chat = gr.Chatbot([], height=380, show_label=False, elem_id="rc-chat", placeholder=T("no_call"), layout="bubble")
    with gr.Row():
        c.line = gr.Textbox(placeholder=T("your_line_ph"), show_label=False, scale=5, max_lines=4, elem_id="rc-line",
                            interactive=False)
        c.send = gr.Button(T("send"), variant="primary", scale=1, min_width=80, elem_id="rc-send", interactive=False)
    # Voice mode: hands-free (handsfree.py: turns end at a pause) or push to talk (send_voice).
    c.turns, c.live_mic, c.live_note = hands_free_controls(T)
    c.mic = gr.Audio(sources=["microphone"], type="filepath", label=T("mic"), visible=False)
    c.mic_note = gr.Markdown(T("voice_soon"), visible=False)
    # The customer's spoken reply plays as soon as it is ready.
    c.reply_audio = gr.Audio(type="filepath", autoplay=True, interactive=False, visible=False, label=T("reply_audio"),
                             elem_id="rc-reply-audio")
    c.phone_fx = gr.Checkbox(False, label="Phone-line sound", visible=False)
    c.end = gr.Button(T("end_call"), variant="stop", elem_id="rc-end", interactive=False)
    return c


def _review(ctx: PageContext) -> SimpleNamespace:
    T = ctx.T  # noqa: N806
    c = SimpleNamespace()
    gr.Markdown(T.fmt("### {}", "scorecard"))
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            c.score = gr.HTML(T.made(lambda speaks: render.scorecard_html(None, speaks)), elem_id="rc-scorecard")
        with gr.Column(scale=2):
            c.mood = gr.HTML(T.made(lambda speaks: charts.mood_chart(None, speaks)), elem_id="rc-mood")
            gr.Markdown(T.fmt("**{}**", "facts_uncovered"))
            c.facts = gr.HTML("")
    with gr.Accordion(T("transcript"), open=True):
        c.transcript = gr.HTML("", elem_id="rc-transcript")
    with gr.Row():
        c.branch_turn = gr.Number(value=1, precision=0, minimum=0, label=T("try_again"), scale=1)
        c.branch = gr.Button(T("try_again_btn"), scale=1)
    c.compare = gr.HTML("")
    return c


def build(ctx: PageContext) -> Any:
    """The practice tab; returns the "call ended and scored" event (the history page follows it)."""
    with ctx.tab("tab_practice", "practice", elem_id="tab-practice"):
        call = gr.State({})  # {sid, t0, budget, persona, parent_sid, lang} — plain data only
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=300, elem_classes="rc-panel"):
                c = _chooser(ctx)
            with gr.Column(scale=2, elem_classes="rc-panel"):
                p = _call_panel(ctx)
        tick = gr.Timer(1.0, active=False)
        r = _review(ctx)

    ctx.on_load(load_practice, [c.persona, c.card, c.assigned, c.unfinished])
    filters = [c.temp, c.type, c.diff, c.lang]
    for f in filters:
        ctx.on(f.change, refilter, filters, [c.persona, c.card])
    ctx.on(c.persona.change, show_card, c.persona, c.card)
    for choice in (c.mode, p.turns):
        choice.change(voice_controls, [c.mode, p.turns], [p.phone_fx, p.reply_audio, p.mic, p.mic_note, p.turns,
                                                          p.live_mic, p.live_note], api_visibility="private")

    call_outputs = [call, p.chat, p.status, p.timer, tick, p.line, p.send, p.end, r.score, r.transcript, r.facts,
                    r.compare]
    ctx.on(c.start.click, start, [c.persona, c.mode, c.seed], call_outputs)
    ctx.on(c.resume.click, resume, c.unfinished, call_outputs)
    ctx.on(r.branch.click, branch, [r.branch_turn, call], call_outputs)
    send_outputs = [p.chat, p.status, p.line, p.send, tick]
    ctx.on(p.send.click, send, [p.line, call], send_outputs)
    ctx.on(p.line.submit, send, [p.line, call], send_outputs)
    if hasattr(ctx.service, "send_audio"):  # voice turns, once the service offers them
        ctx.on(p.mic.stop_recording, send_voice, [p.mic, call, p.phone_fx], [p.chat, p.reply_audio, p.mic])
        live = [p.chat, p.reply_audio, p.status]  # hands-free: every 0.5 s (0.25 fell behind on 2 cores)
        ctx.on(p.live_mic.stream, hands_free_chunk, [p.live_mic, call, p.phone_fx], live, stream_every=0.5,
               show_progress="hidden")
        ctx.on(p.live_mic.stop_recording, hands_free_stop, [call, p.phone_fx], live, show_progress="hidden")
    tick.tick(on_tick, call, p.timer, show_progress="hidden", api_visibility="private")
    end_outputs = [r.score, r.transcript, r.mood, r.facts, r.compare, p.status, tick, p.line, p.send, p.end,
                   r.branch_turn]
    return ctx.on(p.end.click, end, call, end_outputs)

