"""The Gradio app: a thin layer over `simulator` for trainees, trainers and supervisors.

`build_app(service)` builds the Blocks without launching (tests use fakes): the header and
the pages, each from its own module in simulator/ui/pages/, and the named API endpoints
(simulator/ui/api.py). `serve(service, host, port)` launches it behind `auth=`, which
protects the pages and the endpoints alike. Every handler looks the user up from
`request.username` and checks the role itself: hiding a tab is a convenience, not the
access control (simulator/ui/shared.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simulator.ui  # noqa: F401 - first: it sets Gradio's settings before Gradio is imported
import gradio as gr

from simulator.errors import RolecallError
from simulator.service import Rolecall
from simulator.ui import api
from simulator.ui.labels import label
from simulator.ui.pages import (
    assignments, header, history, insights, practice, readiness, rubrics, sessions, studio)
from simulator.ui.shared import CONCURRENCY, PageContext, boundary
from simulator.ui.style import CSS, theme

__all__ = ["build_app", "boundary", "launch_options", "serve"]

# Each turn holds a worker thread while it waits for the LLM; Gradio's default of 40
# threads made the 41st-50th of 50 simultaneous turns wait a whole LLM answer longer.
MAX_THREADS = 2 * CONCURRENCY


def build_app(service: Rolecall, lang: str = "en") -> gr.Blocks:
    """The app's Blocks, built in `lang`; each user sees it in their own language."""
    ctx = PageContext(service, lang)
    with gr.Blocks(title=ctx.T("app_title")) as demo:
        top = header.build(ctx)
        with gr.Tabs():
            call_ended = practice.build(ctx)
            history.build(ctx, call_ended)
            studio.build(ctx)
            rubrics.build(ctx)
            assignments.build(ctx)
            sessions.build(ctx)
            readiness.build(ctx)
            insights.build(ctx)
        header.connect(ctx, demo, top)
        api.register(ctx)
    demo.queue(default_concurrency_limit=CONCURRENCY)
    return demo


# --------------------------------------------------------------------------- launching


def make_auth(service: Rolecall) -> Callable[[str, str], bool]:
    def check(name: str, password: str) -> bool:
        try:
            return service.login(name, password) is not None
        except RolecallError:
            return False

    return check


def launch_options(service: Rolecall, lang: str = "en") -> dict[str, Any]:
    """What `serve` passes to launch(): login, look, and no sharing. Tests reuse it. The data
    folder is deliberately not an allowed path: files from it reach the page as copies
    (simulator.ui.shared.served), so nobody can fetch another trainee's files by name."""
    return {"auth": make_auth(service), "auth_message": label("login_message", lang), "theme": theme(),
            "css": CSS, "share": False, "show_error": True, "max_threads": MAX_THREADS}


def serve(service: Rolecall, host: str = "127.0.0.1", port: int = 7860, lang: str = "en") -> None:
    build_app(service, lang).launch(server_name=host, server_port=port, **launch_options(service, lang))


if __name__ == "__main__":
    from simulator.config import load_settings

    serve(Rolecall.from_settings(load_settings()))
