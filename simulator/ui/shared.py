"""What every page of the app shares: who is signed in and in which language, role checks,
how an error is shown, and the helpers several pages use.

A page's handlers are plain functions `fn(ctx, user, *inputs) -> outputs`: `ctx` is the
`PageContext` the app was built with, `user` the signed-in `User`. They check the user's role
themselves (`require`), so tests call them directly, with no browser and no request.
`ctx.on(trigger, fn, inputs, outputs)` wires one to an event: the user is looked up from
Gradio's request, and errors pass through `boundary`.
"""

from __future__ import annotations

import contextvars
import functools
import html
import inspect
import logging
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from ..dashboard import Dashboard
from ..errors import AccessDenied, RolecallError, ValidationFailed
from ..persona import CallType, Persona, Temperament
from ..service import Rolecall, User
from . import charts, render
from .labels import label
from .page_text import PageText

log = logging.getLogger("rolecall.app")

TRAINER_ROLES = ("trainer", "supervisor")
SUPERVISOR_ROLES = ("supervisor",)
CONCURRENCY = 64  # turns of different trainees must not queue behind each other

# The signed-in user's language, for the handler now running (each handler runs in a copy of
# the context, so setting it lasts for that handler only).
_speaks: contextvars.ContextVar[str] = contextvars.ContextVar("rolecall_page_lang")


def lang_now() -> str:
    """The language of the user the running handler serves ("en" outside a handler)."""
    return _speaks.get("en")


def speaking(lang: str) -> None:
    """Show the rest of this handler in `lang`."""
    _speaks.set(lang)


def L(key: str, **values: Any) -> str:  # noqa: N802 - reads like a label lookup
    """The label `key` in the signed-in user's language."""
    return label(key, lang_now(), **values)


def require(user: User, roles: tuple[str, ...]) -> User:
    """The user, if their role is one of `roles`; else AccessDenied (hiding a tab is not enough)."""
    if user.role not in roles:
        raise AccessDenied(L("supervisors_only") if roles == SUPERVISOR_ROLES else L("trainers_only"))
    return user


# --------------------------------------------------------------------------- the boundary


def _translated(exc: Exception, where: str, markup: bool) -> gr.Error:
    """An exception as the one line a person sees. A page shows it in a toast, which reads
    HTML: there (`markup`) the text is escaped, so `<draft>:2: …` does not vanish as a tag."""
    if isinstance(exc, gr.Error):
        return exc
    if isinstance(exc, RolecallError):
        text = str(exc)
        return gr.Error(html.escape(text, quote=False) if markup else text, print_exception=False)
    log.exception("unexpected error in %s", where)
    return gr.Error(label("error_generic", lang_now()), print_exception=False)


def boundary(fn: Callable, *, toast: bool = False) -> Callable:
    """Domain errors become gr.Error with their one-line message; anything else is logged
    and shown as a short generic message (no traceback reaches the browser). `toast`: the
    message goes to a page's toast, so it is escaped (the API's callers get it as it is)."""
    if inspect.isgeneratorfunction(fn):  # Gradio streams a generator's outputs: so must the wrapper
        @functools.wraps(fn)
        def streaming(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise _translated(exc, fn.__name__, toast) from None

        return streaming

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise _translated(exc, fn.__name__, toast) from None

    return wrapper


# --------------------------------------------------------------------------- form values


def opt(value: Any) -> Any:
    """Form values where '', None and 'any' all mean "no filter"."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "any")):
        return None
    return value.strip() if isinstance(value, str) else value


def seed(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RolecallError(f"seed '{value}' is not a whole number; leave it empty or type e.g. 7") from None


def draft_lines(exc: ValidationFailed) -> list[str]:
    """'<draft>:12: goal: …' → '12: goal: …' (the editor has one file)."""
    return [line.split(":", 1)[1] if line.startswith("<draft>:") else line for line in exc.errors]


def not_saved(exc: ValidationFailed) -> str:
    """A draft that cannot be saved: a toast naming its errors, and the same errors as the
    editor's check area shows them (returned)."""
    lines = draft_lines(exc)
    gr.Warning("<br>".join(html.escape(x, quote=False) for x in lines), title=L("not_saved"))
    return render.lines_html(lines, "")


# --------------------------------------------------------------------------- the context


class PageContext:
    """What every page is built with: the service, the dashboard over its store, the page's
    texts (`T`, in the build language `lang`), and what the pages register while they are
    built: what each loads when a user opens the app, and which tabs need which role."""

    def __init__(self, service: Rolecall, lang: str = "en") -> None:
        self.service = service
        self.dash = Dashboard(service.store)
        self.lang = lang
        self.T = PageText(lang)  # reads like a label lookup, as L does
        self.loads: list[tuple[Callable, list]] = []  # (Gradio handler, outputs), run after sign-in
        self.role_tabs: list[tuple[gr.Tab, tuple[str, ...]]] = []

    # -- who is signed in

    def who(self, request: gr.Request | None) -> User:
        """The signed-in user; the rest of the handler speaks their language."""
        name = getattr(request, "username", None) if request is not None else None
        if not name:
            raise AccessDenied("sign in first")
        user = self.service.user(name)
        speaking(user.language or self.lang)
        return user

    # -- building

    def tab(self, key: str, tab_id: str, roles: tuple[str, ...] | None = None, **kwargs: Any) -> gr.Tab:
        """A tab titled with label `key`; with `roles`, hidden until a user with one of them signs in."""
        tab = gr.Tab(self.T(key), id=tab_id, visible=roles is None, **kwargs)
        if roles is not None:
            self.role_tabs.append((tab, roles))
        return tab

    def any_of(self, values: list[str]) -> list[tuple[str, str]]:
        """Filter choices: "any" in the page's language first, then the values as they are."""
        return [(self.T("passed_any"), "any")] + [(v, v) for v in values]

    def temperaments(self) -> list[tuple[str, str]]:
        return self.any_of([t.value for t in Temperament])

    def call_types(self) -> list[tuple[str, str]]:
        return self.any_of([c.value for c in CallType])

    # -- wiring

    def handler(self, fn: Callable) -> Callable:
        """`fn(ctx, user, *inputs)` as a Gradio handler (see `as_handler`)."""
        return as_handler(self, fn)

    def on(self, trigger: Callable, fn: Callable, inputs: Any = None, outputs: Any = None, **kwargs: Any) -> Any:
        """Wire `fn(ctx, user, *inputs)` to an event of the page (not part of the public API)."""
        return trigger(self.handler(fn), inputs, outputs, api_visibility="private", **kwargs)

    def on_load(self, fn: Callable, outputs: list) -> None:
        """Run `fn(ctx, user)` when a user opens the app, after the page is in their language."""
        self.loads.append((self.handler(fn), outputs))

    # -- what several pages show

    def persona_or_none(self, persona_id: str | None) -> Persona | None:
        try:
            return self.service.catalog.persona(persona_id) if persona_id else None
        except RolecallError:
            return None

    def budget_of(self, persona_id: str) -> float | None:
        persona = self.persona_or_none(persona_id)
        rubric = self.service.catalog.rubrics.get(persona.rubric) if persona else None
        return rubric.time_budget_s if rubric else None

    def pass_mark_of(self, score: dict | None) -> float | None:
        rubric = self.service.catalog.rubrics.get((score or {}).get("rubric") or "")
        return rubric.pass_mark if rubric else None

    def review(self, user: User, session_id: str) -> tuple[str, str, str, str]:
        """Scorecard, highlighted transcript, mood chart and uncovered facts of one session."""
        transcript = self.service.transcript(user, session_id)
        score = self.service.score_of(user, session_id)
        persona = self.persona_or_none(transcript.persona)
        return (render.scorecard_html(score, lang_now(), self.pass_mark_of(score)),
                render.transcript_html(transcript, score, lang_now()),
                charts.mood_chart(transcript, lang_now()),
                render.facts_html(transcript, persona, lang_now()))

    # -- the files trainers edit

    def source_text(self, kind: str, item_id: str) -> str:
        """The YAML file a persona or rubric ("persona"/"rubric") was loaded from ("" if none)."""
        path = self.service.catalog.sources.get(f"{kind}:{item_id}")
        return Path(path).read_text(encoding="utf-8") if path and Path(path).is_file() else ""

    def user_dir(self, kind: str) -> Path:
        """The data folder where trainers' personas or rubrics are saved (made when missing)."""
        if self.service.data_dir is None:
            raise RolecallError(f"no data folder is configured, so {kind}s cannot be saved; set ROLECALL_DATA_DIR")
        folder = self.service.data_dir / f"{kind}s"
        folder.mkdir(parents=True, exist_ok=True)
        dirs = self.service.catalog.persona_dirs if kind == "persona" else self.service.catalog.rubric_dirs
        if folder not in dirs:  # the catalog only lists user folders that existed at start
            dirs.append(folder)
        return folder

    def replay_row(self, user: User, evt: gr.SelectData) -> tuple[str, str, gr.Audio]:
        """Scorecard, transcript and whole-call recording of a clicked sessions row (id last)."""
        sid = (evt.row_value or [None])[-1]
        card, transcript_html, _mood, _facts = self.review(user, sid)
        audio = self.service.call_recording(user, sid)
        return card, transcript_html, gr.Audio(value=served(audio), visible=audio is not None)


def served(path: str | Path | None) -> str | None:
    """A copy of a file from the data folder that Gradio may hand to this browser.

    Gradio serves only files under the working or temporary folders (or `allowed_paths`). The
    data folder must not be an allowed path: every file in it (other trainees' recordings, the
    database, the first accounts) could then be fetched by anyone signed in who knew its name.
    So each file shown is copied to a fresh folder under the temporary folder, which Gradio
    moves into its own cache under an unguessable name."""
    if not path:
        return None
    import shutil
    import tempfile
    import uuid

    src = Path(path)
    folder = Path(tempfile.gettempdir()) / "rolecall-served" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    return str(shutil.copyfile(src, folder / src.name))


def as_handler(ctx: PageContext, fn: Callable) -> Callable:
    """`fn(ctx, user, *inputs)` as a Gradio handler taking `(*inputs, request)`.

    Gradio reads a handler's signature to know what to pass: the inputs' values, then what a
    parameter's annotation or default asks for (gr.SelectData, gr.Progress, gr.Request). The
    handler gets `fn`'s parameters after (ctx, user), and a request last; the user comes from
    the request, errors pass through `boundary` (as toasts). A generator streams, each step
    in the user's language (Gradio resumes a generator in a fresh context each time).
    """
    params = list(inspect.signature(fn).parameters.values())[2:]
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params):
        raise TypeError(f"{fn.__name__}: name each input as a parameter (Gradio passes the request after them)")
    try:
        hints = typing.get_type_hints(fn)
    except (NameError, TypeError):
        hints = {}
    special = {name: hint for name, hint in hints.items()
               if isinstance(hint, type) and issubclass(hint, gr.EventData)}
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                                annotation=gr.Request)
    signature = inspect.Signature([p.replace(annotation=special.get(p.name, inspect.Parameter.empty))
                                   for p in params] + [request])

    if inspect.isgeneratorfunction(fn):
        def call(*args: Any) -> Any:
            *inputs, req = args
            user = ctx.who(req)
            speaks = lang_now()
            for item in fn(ctx, user, *inputs):
                yield item
                speaking(speaks)
    else:
        def call(*args: Any) -> Any:
            *inputs, req = args
            return fn(ctx, ctx.who(req), *inputs)

    call.__name__, call.__qualname__, call.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    call.__signature__ = signature  # type: ignore[attr-defined]
    call.__annotations__ = {**special, "request": gr.Request}
    return boundary(call, toast=True)
