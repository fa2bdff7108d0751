"""Scripted fakes shared by tests: they record what they were asked."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from simulator.catalog import Catalog
from simulator.persona import Persona
from simulator.service import Rolecall
from simulator.store import Store

DATA = Path(__file__).parent / "data"


class ScriptedLLM:
    """An `LLM` that answers from a script (cycled) and records every prompt."""

    name = "scripted"

    def __init__(self, replies, piece_delay_s: float = 0.0):
        self.piece_delay_s = piece_delay_s  # a pause before each streamed piece, like a slow model
        self.replies = itertools.cycle(replies) if not callable(replies) else None
        self.fn = replies if callable(replies) else None
        self.calls: list[dict] = []
        self.streamed = 0

    def complete(self, messages, *, max_tokens=256, temperature=0.7, seed=None, json_schema=None, stop=None):
        self.calls.append({"messages": messages, "seed": seed, "temperature": temperature, "json_schema": json_schema})
        return self.fn(messages) if self.fn else next(self.replies)

    def stream(self, messages, **kw):
        """The reply in pieces of up to four characters, as a server streams tokens; `streamed`
        counts pieces handed out (a caller that stops early leaves the rest unread)."""
        for piece in re.findall(r"\s*\S{1,4}", self.complete(messages, **kw)):
            time.sleep(self.piece_delay_s)
            self.streamed += 1
            yield piece


def load_test_persona() -> Persona:
    return Persona.model_validate(yaml.safe_load((DATA / "engine" / "test-outage.yaml").read_text()))


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PASSWORD = "correct horse 42"


@contextmanager
def running_app(folder: Path, users: dict[str, str | tuple[str, str]], llm=None, *, own_catalog: bool = False,
                password: str = PASSWORD) -> Iterator[tuple[str, Store, Rolecall, Path]]:
    """The real app on a fresh database in `folder`: users maps name -> role or (role, page
    language), all with `password`. own_catalog: personas and rubrics saved in the studio go
    to the data folder. Yields (url, store, service, data folder)."""
    store = Store(folder / "rolecall.db")
    for name, role in users.items():
        role, language = role if isinstance(role, tuple) else (role, None)
        store.add_user(name, role, password, language=language)
    data = folder / "data"
    data.mkdir(exist_ok=True)
    service = Rolecall(store, Catalog.default(data if own_catalog else None), llm, judge_llm=None, data_dir=data)
    url, demo = launch_app(service)
    try:
        yield url, store, service, data
    finally:
        demo.close()


def launch_app(service):
    """The real Gradio app for `service`, launched in-process on a free port: (url, demo)."""
    import app

    demo = app.build_app(service)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **app.launch_options(service))
    return f"http://127.0.0.1:{port}/", demo
