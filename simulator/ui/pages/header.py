"""The header above the pages (the app's name, who is signed in, the language picker, sign
out), and what happens when a user opens the app: the page is shown in their language, the
tabs their role may use appear, then each page loads its own data."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import gradio as gr

from ...service import User
from ...transcript import LANGUAGES
from ..shared import L, PageContext

LANGUAGE_NAMES = {"en": "English", "ro": "Română"}  # each in its own language, for the picker


def show_user(ctx: PageContext, user: User) -> tuple:
    """Who is signed in, and which role-only tabs they see (ctx.role_tabs order)."""
    shown = [gr.Tab(visible=user.role in roles) for _tab, roles in ctx.role_tabs]
    return (L("signed_in_as", name=user.name, role=L(f"role_{user.role}")), *shown)


def in_language(ctx: PageContext, user: User, components: list[Any]) -> list:
    """Every text of `components` in the user's language (untouched when it is the page's
    language), then the picker's value."""
    speaks = user.language or ctx.lang
    if speaks == ctx.lang:
        return [gr.skip()] * len(components) + [speaks]
    return [gr.update(**ctx.T.translated(c, speaks)) for c in components] + [speaks]


def choose_language(ctx: PageContext, user: User, choice) -> None:
    ctx.service.store.set_language(user.name, choice)


def build(ctx: PageContext) -> SimpleNamespace:
    T = ctx.T  # noqa: N806
    with gr.Row(elem_classes="rc-header"):
        gr.Markdown(T.fmt("## {}\n{}", "app_title", "tagline"), elem_classes="rc-brand")
        whoami = gr.Markdown("", elem_classes="rc-whoami", elem_id="rc-whoami")
        lang_pick = gr.Dropdown([(LANGUAGE_NAMES[x], x) for x in LANGUAGES], value=ctx.lang, show_label=False,
                                container=False, scale=0, min_width=130, elem_id="rc-lang")
        gr.Button(T("logout"), link="/logout", size="sm", variant="secondary", scale=0, min_width=90)
    return SimpleNamespace(whoami=whoami, lang_pick=lang_pick)


def connect(ctx: PageContext, demo: gr.Blocks, header: SimpleNamespace) -> None:
    """Wire what opening the app does; call once every page is built (inside the Blocks)."""
    shown_texts = ctx.T.components(demo.blocks.values())
    demo.rolecall_page_text = ctx.T  # for tests: which texts the page shows in each language

    def relabel(ctx: PageContext, user: User) -> list:
        return in_language(ctx, user, shown_texts)

    loaded = demo.load(ctx.handler(relabel), None, [*shown_texts, header.lang_pick], api_visibility="private")
    loads = [(ctx.handler(show_user), [header.whoami, *(tab for tab, _roles in ctx.role_tabs)]), *ctx.loads]
    for fn, outputs in loads:
        loaded.then(fn, None, outputs, api_visibility="private")
    # The whole page is built again in the new language: simplest is to load it afresh.
    ctx.on(header.lang_pick.input, choose_language, header.lang_pick, None).success(
        None, None, None, js="() => window.location.reload()")
