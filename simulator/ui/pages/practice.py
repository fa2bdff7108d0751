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
from .. import charts, render
from ..handsfree import (HANDS_FREE, START_MIC_JS, STOP_MIC_JS, hands_free_chunk, hands_free_controls, hands_free_stop,
                         voice_controls)
from ..shared import L, PageContext, lang_now, seed, served
from . import chooser

# --------------------------------------------------------------------------- handlers


def opened(ctx: PageContext, user: User, state: dict, name: str, fresh: bool = False) -> tuple:
    """Outputs for a call that is open: chat filled (or saying the call is on), input enabled,
    review cleared. Order: call_outputs in `build`."""
    state = {**state, "lang": lang_now()}  # for the timer, which ticks without a user lookup
    transcript = ctx.service.transcript(user, state["sid"])
    elapsed = time.time() - state["t0"]
    # The mode follows the call: a voice call resumed after a dropped connection is voice again.
    return (state, gr.Chatbot(value=render.chat_messages(transcript), placeholder=L("call_on")),
            L("call_started", name=name), render.timer_text(elapsed, state["budget"], lang_now()),
            gr.Timer(active=True), gr.Textbox(value="", interactive=True), gr.Button(interactive=True),
            gr.Button(interactive=True), render.scorecard_html(None, lang_now()), "", "", "", transcript.mode,
            _first_voice(transcript) if fresh else gr.skip())


def _first_voice(transcript):
    """The customer's first line aloud, when it speaks first in a voice call (it picked up)."""
    turns = transcript.turns
    if transcript.mode == "voice" and len(turns) == 1 and turns[0].role == "customer" and turns[0].audio:
        return gr.Audio(value=served(turns[0].audio), visible=True)
    return gr.skip()


def start(ctx: PageContext, user: User, persona_id, mode_value, seed_value):
    if not persona_id:
        raise RolecallError("choose a customer first")
    sid, _first = ctx.service.start_call(user, persona_id, mode_value or "text", seed(seed_value))
    state = {"sid": sid, "t0": time.time(), "budget": ctx.budget_of(persona_id), "persona": persona_id}
    return opened(ctx, user, state, ctx.persona_or_none(persona_id).name, fresh=True)


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
           gr.Audio(value=served(reply.audio), visible=True), None)


def on_tick(state):
    if not state or not state.get("sid"):
        return ""
    return render.timer_text(time.time() - state["t0"], state.get("budget"), state.get("lang", "en"))


def end(ctx: PageContext, user: User, state) -> Iterator[tuple]:
    """The call ends and is scored: the card with everything code decides shows at once, then
    each judged part as the judge finishes it, with progress. Order: end_outputs in `build`."""
    if not state or not state.get("sid"):
        raise RolecallError("there is no call to end; start one first")
    sid = state["sid"]
    HANDS_FREE.close(sid)  # the call's turn detector (hands-free), if any
    parent = state.get("parent_sid")
    off = (gr.Timer(active=False), gr.Textbox(interactive=False), gr.Button(interactive=False),
           gr.Button(interactive=False))
    updates = ctx.service.end_call_stream(user, sid)  # the call has ended once this returns
    # The call is over: its transcript, mood and facts stay the same while the judged parts come in.
    transcript = ctx.service.transcript(user, sid)
    persona = ctx.persona_or_none(transcript.persona)
    mood, facts = charts.mood_chart(transcript, lang_now()), render.facts_html(transcript, persona, lang_now())
    for update in updates:
        score = update["score"]
        card = render.scorecard_html(score, lang_now(), ctx.pass_mark_of(score))
        total = f"{round(score.get('total', 0), 1):g}/100"
        if update["final"]:
            status = f"{render.verdict_text(score, lang_now())} · {total}"
        else:
            status = L("judging_status", total=total, done=update["done"], of=update["total"])
        cmp = render.compare_html(ctx.service.score_of(user, parent), score, lang_now()) if parent else ""
        yield (card, render.transcript_html(transcript, score, lang_now()), mood, facts, cmp, status, *off,
               gr.Number(maximum=len(transcript.turns)))


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
                c = chooser.build(ctx)
            with gr.Column(scale=2, elem_classes="rc-panel"):
                p = _call_panel(ctx)
        tick = gr.Timer(1.0, active=False)
        r = _review(ctx)

    chooser.wire(ctx, c)
    for choice in (c.mode, p.turns):
        choice.change(voice_controls, [c.mode, p.turns], [p.phone_fx, p.reply_audio, p.mic, p.mic_note, p.turns,
                                                          p.live_mic, p.live_note], api_visibility="private")

    call_outputs = [call, p.chat, p.status, p.timer, tick, p.line, p.send, p.end, r.score, r.transcript, r.facts,
                    r.compare, c.mode, p.reply_audio]
    # A hands-free call needs no click after Start call: the microphone starts by itself.
    for opened_call in (ctx.on(c.start.click, start, [c.persona, c.mode, c.seed], call_outputs),
                        ctx.on(c.resume.click, resume, c.unfinished, call_outputs),
                        ctx.on(r.branch.click, branch, [r.branch_turn, call], call_outputs)):
        opened_call.success(None, None, None, js=START_MIC_JS, api_visibility="private")
    send_outputs = [p.chat, p.status, p.line, p.send, tick]
    ctx.on(p.send.click, send, [p.line, call], send_outputs)
    ctx.on(p.line.submit, send, [p.line, call], send_outputs)
    if hasattr(ctx.service, "send_audio"):  # voice turns, once the service offers them
        ctx.on(p.mic.stop_recording, send_voice, [p.mic, call, p.phone_fx], [p.chat, p.reply_audio, p.mic])
        live = [p.chat, p.reply_audio, p.status]  # hands-free: every 0.5 s (0.25 fell behind on 2 cores)
        # No shared limit: with Gradio's default of one at a time per event, every trainee's
        # microphone chunks would queue behind each other's, and the page drops the audio of a
        # stream left waiting. Each call's own chunks still go one at a time (the page sends the
        # next once the last is answered; handsfree.Line.lock besides).
        ctx.on(p.live_mic.stream, hands_free_chunk, [p.live_mic, call, p.phone_fx], live, stream_every=0.5,
               show_progress="hidden", concurrency_limit=None)
        ctx.on(p.live_mic.stop_recording, hands_free_stop, [call, p.phone_fx], live, show_progress="hidden",
               concurrency_limit=None)
    tick.tick(on_tick, call, p.timer, show_progress="hidden", api_visibility="private")
    end_outputs = [r.score, r.transcript, r.mood, r.facts, r.compare, p.status, tick, p.line, p.send, p.end,
                   r.branch_turn]
    p.end.click(None, None, None, js=STOP_MIC_JS, api_visibility="private")
    return ctx.on(p.end.click, end, call, end_outputs)

