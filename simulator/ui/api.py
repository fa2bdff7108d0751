"""The app's named API endpoints, behind the same login as the pages, with plain typed inputs
and outputs so that scripts and tests drive the app with gradio_client:
/start_call, /send_message, /send_audio, /end_call, /list_sessions."""

from __future__ import annotations

import gradio as gr

from ..errors import RolecallError
from .shared import CONCURRENCY, PageContext, boundary, served


def register(ctx: PageContext) -> None:
    """Add the endpoints to the Blocks being built."""
    service = ctx.service

    @boundary
    def start_call(persona_id: str, mode: str = "text", seed: int | None = None,
                   request: gr.Request = None) -> tuple[str, str]:
        """Start a call; returns the session id and the customer's first line ("" when the trainee speaks first)."""
        sid, first = service.start_call(ctx.who(request), persona_id, mode, seed)
        return sid, first or ""

    @boundary
    def send_message(session_id: str, text: str, request: gr.Request = None) -> tuple[str, bool]:
        """Say a line; returns the customer's reply and whether the call has ended."""
        reply = service.send_message(ctx.who(request), session_id, text)
        return reply.text or "", reply.ended

    @boundary
    def end_call(session_id: str, request: gr.Request = None) -> dict:
        """End the call (if open) and return the score JSON."""
        return service.end_call(ctx.who(request), session_id)

    @boundary
    def list_sessions(request: gr.Request = None) -> list[dict]:
        """The sessions the signed-in user may see (a trainee: only their own)."""
        return service.list_sessions(ctx.who(request))

    for fn in (start_call, send_message, end_call, list_sessions):
        gr.api(fn, api_name=fn.__name__, concurrency_limit=CONCURRENCY)
    _send_audio(ctx)


def _send_audio(ctx: PageContext) -> None:
    """/send_audio: a recording in; the customer's line, whether the call ended and the
    customer's voice out. Files cross the API as Gradio files (uploaded, then served), so the
    endpoint is wired to hidden audio components rather than to gr.api's plain values."""

    @boundary
    def send_audio(session_id: str, recording: str | None, request: gr.Request = None):
        """Say a line aloud; returns the customer's reply, whether the call has ended and the reply as audio."""
        if not recording:
            raise RolecallError("no recording came with the request; send an audio file (wav, mp3, ogg, webm)")
        reply = ctx.service.send_audio(ctx.who(request), session_id, recording)
        return reply.text or "", reply.ended, served(reply.audio)

    with gr.Column(visible=False):
        session_id = gr.Textbox(label="session_id")
        recording = gr.Audio(type="filepath", label="recording")
        line = gr.Textbox(label="customer_line")
        ended = gr.Checkbox(label="ended")
        voice = gr.Audio(type="filepath", label="customer_audio")
        trigger = gr.Button("send_audio")
    trigger.click(send_audio, [session_id, recording], [line, ended, voice], api_name="send_audio",
                  concurrency_limit=CONCURRENCY)
