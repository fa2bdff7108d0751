"""The page built in one language and shown in another: every built text is found again."""

from __future__ import annotations

import gradio as gr

from simulator.service import Rolecall
from simulator.catalog import Catalog
from simulator.store import Store
from simulator.ui.labels import EN, label
from simulator.ui.page_text import PageText


def test_texts_labels_choices_and_rendered_blocks_come_back_in_another_language():
    T = PageText("en")  # noqa: N806
    with gr.Blocks():
        button = gr.Button(T("start_call"))
        heading = gr.Markdown(T.fmt("### {}", "choose_customer"))
        box = gr.Textbox(label=T("seed"), placeholder=T("your_line_ph"))
        radio = gr.Radio([(T("grant"), "grant"), (T("clear"), "clear")], value="grant", label=T("override_ready"))
        html = gr.HTML(T.made(lambda lang: f"<p>{label('no_call', lang)}</p>"))
        plain = gr.Markdown("not a label")
    assert T.translated(button, "ro") == {"value": label("start_call", "ro")}
    assert T.translated(heading, "ro") == {"value": "### " + label("choose_customer", "ro")}
    assert T.translated(box, "ro") == {"label": label("seed", "ro"), "placeholder": label("your_line_ph", "ro")}
    assert T.translated(radio, "ro")["choices"] == [(label("grant", "ro"), "grant"), (label("clear", "ro"), "clear")]
    assert "value" not in T.translated(radio, "ro")  # the values stay: handlers compare them
    assert T.translated(html, "ro") == {"value": f"<p>{label('no_call', 'ro')}</p>"}
    assert T.translated(plain, "ro") == {}
    assert T.components([button, plain, html]) == [button, html]


def test_every_label_of_the_app_is_shown_in_the_users_language(tmp_path):
    """No component of the real app keeps a label in the build language where the other
    language has its own text for it."""
    import app

    service = Rolecall(Store(":memory:"), Catalog.default(None), None, data_dir=tmp_path)
    demo = app.build_app(service, "en")
    T = demo.rolecall_page_text  # noqa: N806
    differs = {text for key, text in EN.items() if label(key, "ro") != text}
    left = []
    for block in demo.blocks.values():
        for attr in ("label", "value", "placeholder", "info"):
            if attr == "value" and getattr(block, "choices", None) is not None:
                continue
            text = getattr(block, attr, None)
            if isinstance(text, str) and text in differs and attr not in T.translated(block, "ro"):
                left.append((type(block).__name__, attr, text))
    assert not left
