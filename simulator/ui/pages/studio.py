"""Persona studio (trainers): edit a persona's YAML beside a form of its basic fields, see
errors as you type, try what a customer would hear, test-drive it, save a new version."""

from __future__ import annotations

import gradio as gr
import yaml

from ...catalog import persona_from_yaml_text
from ...errors import RolecallError, ValidationFailed
from ...persona import CallType, Temperament
from ...service import User
from ...transcript import LANGUAGES
from .. import render
from ..shared import TRAINER_ROLES, L, PageContext, draft_lines, lang_now, not_saved, require, served

# The form beside the YAML: these fields, in this order.
FORM_KEYS = ["id", "name", "language", "temperament", "difficulty", "call_type", "company", "situation", "patience"]
# The form's choice fields offer only these values (a dropdown refuses any other).
CHOICES = {"language": list(LANGUAGES), "temperament": [t.value for t in Temperament],
           "difficulty": ["easy", "medium", "hard"], "call_type": [c.value for c in CallType]}
PATIENCE = (1, 20)  # the persona's limits, and the slider's


def catalog_errors_html(ctx: PageContext) -> str:
    errors = render.lines_html(ctx.service.catalog.errors, L("no_catalog_errors"))
    return f"<b>{render.esc(L('catalog_errors'))}</b>{errors}"


def load_studio(ctx: PageContext, user: User):
    """The personas to start from, and the files with errors (nothing for non-trainers)."""
    if user.role not in TRAINER_ROLES:
        return gr.Dropdown(), ""
    return gr.Dropdown(choices=sorted(ctx.service.catalog.personas)), catalog_errors_html(ctx)


def _fits(key: str, value: object) -> bool:
    """Whether the form's field `key` can show `value` (a half-typed choice cannot)."""
    if value is None:
        return False
    if key in CHOICES:
        return value in CHOICES[key]
    if key == "patience":
        return isinstance(value, int) and not isinstance(value, bool) and PATIENCE[0] <= value <= PATIENCE[1]
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def form_from(text: str) -> list:
    """Updates for the form's fields (FORM_KEYS) from YAML text. A field the text lacks, or
    gives a value the field cannot show, and text that does not parse yet, leave the field as it is."""
    try:
        data = yaml.safe_load(text or "") or {}
    except yaml.YAMLError:
        data = {}
    data = data if isinstance(data, dict) else {}
    return [gr.update(value=data[k]) if _fits(k, data.get(k)) else gr.update() for k in FORM_KEYS]


def check_html(text: str) -> str:
    """The draft's errors (`LINE: field: message`), or that it is valid; "" for no text."""
    if not (text or "").strip():
        return ""
    try:
        persona = persona_from_yaml_text(text)
    except ValidationFailed as exc:
        return render.lines_html(draft_lines(exc), "")
    return render.lines_html([], L("studio_valid", id=persona.id))


def follow_yaml(ctx: PageContext, user: User, text):
    """Each change of the YAML (typed or loaded): the check area, and the form follows the
    text, so "→ YAML" never writes stale form values over the edits."""
    return check_html(text), *form_from(text)


def pick_persona(ctx: PageContext, user: User, persona_id) -> str:
    require(user, TRAINER_ROLES)
    return ctx.source_text("persona", persona_id) if persona_id else ""


def new_persona(ctx: PageContext, user: User) -> str:
    """A new draft: a copy of a built-in persona under a new id and name."""
    require(user, TRAINER_ROLES)
    personas = ctx.service.catalog.personas
    base = personas.get("irritable-outage") or next(iter(personas.values()), None)
    data = base.model_dump(mode="json", exclude_none=True) if base else {}
    data.update({"id": "new-persona", "name": "New Customer"})
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def apply_form(ctx: PageContext, user: User, text, id_, name, language, temperament, difficulty, call_type,
               company, situation, patience) -> str:
    """The YAML with the form's filled fields (FORM_KEYS order) written into it ("→ YAML")."""
    require(user, TRAINER_ROLES)
    values = [id_, name, language, temperament, difficulty, call_type, company, situation, patience]
    try:
        data = yaml.safe_load(text or "") or {}
    except yaml.YAMLError:
        raise RolecallError("the YAML has a syntax error; fix it before applying the form") from None
    if not isinstance(data, dict):
        data = {}
    for key, value in zip(FORM_KEYS, values):
        if value not in (None, ""):
            data[key] = int(value) if key == "patience" else value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_drive(ctx: PageContext, user: User, text, progress=gr.Progress()) -> str:  # noqa: B008 - Gradio's way
    """Bot agents call the draft persona (pre-flight); the report as text."""
    require(user, TRAINER_ROLES)
    from ...selfplay import format_preflight, preflight  # heavy only when used

    persona = persona_from_yaml_text(text)
    report = preflight(persona, ctx.service.customer_llm,
                       progress=lambda i, n, pol: progress((i, n), desc=f"the {pol} agent is calling…"))
    return format_preflight(persona, report)


def hear_line(ctx: PageContext, user: User, text, line) -> str:
    """What the draft persona's customer would hear in a trainee's line."""
    require(user, TRAINER_ROLES)
    if not (line or "").strip():
        return ""
    from ...listener import Listener

    if not (text or "").strip():
        return render.lines_html([], L("heard_needs_persona"))
    try:
        persona = persona_from_yaml_text(text)
    except ValidationFailed as exc:  # the check area lists the errors; here, one line says why
        return render.lines_html(draft_lines(exc)[:1], "")
    return render.heard_html(Listener(persona).hear(line), persona, lang_now())


def play_voice(ctx: PageContext, user: User, text, line):
    """The draft persona's voice saying a line (its opening line when none is typed). Order:
    the audio, which engine and voice spoke."""
    require(user, TRAINER_ROLES)
    if not (text or "").strip():
        raise RolecallError(L("heard_needs_persona"))
    try:
        persona = persona_from_yaml_text(text)
    except ValidationFailed as exc:
        raise RolecallError(draft_lines(exc)[0] if draft_lines(exc) else str(exc)) from exc
    path, who = ctx.service.voice_sample(persona, line)
    return served(str(path)), L("voice_used", who=who) if who else ""


def save_persona(ctx: PageContext, user: User, text):
    """Save the draft as a new version. Order: saved note, persona picker, catalog errors,
    check area; a draft with errors is not saved, and its errors show in a toast and the check area."""
    require(user, TRAINER_ROLES)
    try:
        persona = persona_from_yaml_text(text)
    except ValidationFailed as exc:
        return "", gr.skip(), gr.skip(), not_saved(exc)
    (ctx.user_dir("persona") / f"{persona.id}.yaml").write_text(text, encoding="utf-8")
    ctx.service.catalog.reload()
    # The same normalised text sync_versions records, so it does not add a second version.
    dumped = yaml.safe_dump(persona.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    version = ctx.service.store.save_persona_version(persona.id, dumped, user.name)
    ctx.service.sync_versions()
    return (L("saved", id=persona.id, version=version), gr.Dropdown(choices=sorted(ctx.service.catalog.personas)),
            catalog_errors_html(ctx), gr.skip())


def _form(ctx: PageContext) -> list:
    """The basic fields beside the YAML, in FORM_KEYS order (their labels are the YAML keys)."""
    fields = [gr.Textbox(label="id", max_lines=1), gr.Textbox(label="name", max_lines=1)]
    with gr.Row():
        fields += [gr.Dropdown(CHOICES["language"], value="en", label="language"),
                   gr.Dropdown(CHOICES["temperament"], value="calm", label="temperament")]
    with gr.Row():
        fields += [gr.Dropdown(CHOICES["difficulty"], value="medium", label="difficulty"),
                   gr.Dropdown(CHOICES["call_type"], value="inbound_support", label="call_type")]
    fields += [gr.Textbox(label="company", max_lines=1), gr.Textbox(label="situation", lines=3),
               gr.Slider(*PATIENCE, value=5, step=1, label="patience")]
    return fields


def build(ctx: PageContext) -> None:
    T = ctx.T  # noqa: N806
    with ctx.tab("tab_studio", "studio", roles=TRAINER_ROLES, elem_id="tab-studio"):
        gr.Markdown(T("studio_intro"))
        errors = gr.HTML("")
        with gr.Row():
            pick = gr.Dropdown([], label=T("studio_load"), scale=3)
            new = gr.Button(T("studio_new"), scale=1)
        with gr.Row(equal_height=False):
            with gr.Column(scale=1):
                form = _form(ctx)
                apply = gr.Button("→ YAML")
            with gr.Column(scale=2):
                check = gr.HTML("")
                text = gr.Code(language="yaml", label="YAML", lines=24, max_lines=30)
        with gr.Row():
            drive = gr.Button(T("test_drive"))
            save = gr.Button(T("save_version"), variant="primary")
        saved = gr.Markdown("")
        report = gr.Textbox(label=T("test_drive"), lines=10, interactive=False)
        with gr.Row(equal_height=False):
            line = gr.Textbox(label=T("heard_box"), placeholder=T("heard_box_hint"), max_lines=2, scale=2,
                              elem_id="studio-hear-line")
            heard = gr.HTML("", elem_id="studio-heard")
        with gr.Row(equal_height=False):
            with gr.Column(scale=2):
                said = gr.Textbox(label=T("voice_box"), placeholder=T("voice_box_hint"), max_lines=2,
                                  elem_id="studio-voice-line")
                play = gr.Button(T("play_voice"), elem_id="studio-play-voice")
            with gr.Column(scale=2):
                voice = gr.Audio(type="filepath", autoplay=True, interactive=False, label=T("voice_box"),
                                 elem_id="studio-voice")
                voice_who = gr.Markdown("", elem_id="studio-voice-who")

    ctx.on_load(load_studio, [pick, errors])
    ctx.on(pick.change, pick_persona, pick, text)
    ctx.on(new.click, new_persona, None, text)
    ctx.on(text.change, follow_yaml, text, [check, *form], show_progress="hidden")
    ctx.on(apply.click, apply_form, [text, *form], text)
    ctx.on(drive.click, test_drive, text, report)
    for event in (line.submit, line.change):
        ctx.on(event, hear_line, [text, line], heard, show_progress="hidden")
    ctx.on(save.click, save_persona, text, [saved, pick, errors, check])
    for event in (play.click, said.submit):
        ctx.on(event, play_voice, [text, said], [voice, voice_who])
