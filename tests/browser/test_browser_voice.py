"""A spoken call in real headless Chromium: the trainee talks into a (fake) microphone, their
words appear as text, the customer answers aloud, and both sides' audio is kept for replay.

Chromium plays a wav file as the microphone (--use-file-for-fake-audio-capture).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from browser.helpers import CHROMIUM, CHROMIUM_ARGS, PASSWORD, TIMEOUT_MS, running_app, shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SAID = "Thank you for calling Brightline Telecom, my name is Ana. How can I help you today?"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from simulator.voice import EspeakTTS

    # The data folder outside the temporary folder, as after `make run` (issue 19.1: every reply was refused).
    with running_app(tmp_path_factory, {"ana": "trainee"}, users_folder=True) as (url, store, service, _data):
        mic = tmp_path_factory.mktemp("mic") / "said.wav"
        # Slow and padded so the recording surely holds the whole sentence.
        voice = service.catalog.persona("irritable-outage").voice.model_copy(update={"rate": 150})
        EspeakTTS().synthesize(SAID, voice, mic)
        yield url, mic, store


def _start_voice_call(page, url: str, turns: str | None = None):
    """Signed in as ana, a voice call with Dave Morrison started (taking `turns`, when given)."""
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.get_by_label("username").fill("ana")
    page.get_by_label("password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("login", re.I)).click()
    page.locator("#rc-whoami").get_by_text("ana").wait_for()
    page.locator("#persona-dd input").click()
    page.get_by_role("option", name=re.compile("Dave Morrison")).click()
    page.get_by_label("voice").check()
    if turns:
        page.get_by_label(turns).check()
    page.locator("#start-call").click()
    return page


@contextmanager
def voice_call(playwright, url: str, mic: Path, turns: str):
    """A Chromium of its own whose microphone plays `mic` (set when it starts), signed in as
    ana, in a voice call with Dave Morrison taking `turns` ("Hands-free" or "Push to talk")."""
    args = CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                            f"--use-file-for-fake-audio-capture={mic}", "--autoplay-policy=no-user-gesture-required"]
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
    try:
        ctx = browser.new_context(viewport={"width": 1366, "height": 900})
        ctx.grant_permissions(["microphone"])
        yield _start_voice_call(ctx.new_page(), url, turns)
    finally:
        browser.close()


def test_spoken_turn_in_the_browser(served, playwright):
    url, mic, store = served
    with voice_call(playwright, url, mic, "Push to talk") as page:  # hands-free is the default
        page.get_by_role("button", name=re.compile("^record", re.I)).first.click()
        page.wait_for_timeout(7000)
        page.get_by_role("button", name=re.compile("^stop", re.I)).first.click()
        # The trainee's words show once heard, then the customer's answer (its authored opening).
        expect(page.locator("#rc-chat")).to_contain_text("third time", timeout=90_000)
        chat = page.locator("#rc-chat").inner_text().lower()
        shot(page, "06-trainee-voice-call")
        assert "brightline" in chat or "calling" in chat  # the trainee's words, as text
        reply = page.locator("#rc-reply-audio audio[src]").first
        reply.wait_for(state="attached")
        assert reply.get_attribute("autoplay") is not None
        # The customer's voice really loads and plays (the page showed "Error" when Gradio refused it).
        # Gradio's waveform player shows the clip's length once it has loaded it, and its clock
        # moves as it plays (the page showed "Error" when Gradio refused the file).
        box = page.locator("#rc-reply-audio")
        expect(box.locator("#duration")).not_to_have_text("0:00", timeout=60_000)
        expect(box.locator("#time")).not_to_have_text("0:00", timeout=60_000)
        served_file = box.locator("a.download-link").get_attribute("href")
        assert page.request.get(served_file).status == 200
        assert page.locator("#rc-reply-audio").get_by_text("Error").count() == 0
        # The record button is back for the next turn.
        expect(page.get_by_role("button", name=re.compile("^record", re.I)).first).to_be_visible()

    (sid,) = [s["id"] for s in store.list_sessions(user="ana")]
    turns = store.turns(sid)
    assert [t["role"] for t in turns[:2]] == ["agent", "customer"]
    assert all(t["audio"] and Path(t["audio"]).exists() for t in turns[:2])  # kept for replay


SECOND = "I am sorry about that. Could you tell me your account number, please?"
THIRD = "Sorry, one more thing, is that the account ending in four two one three?"


def _three_utterances(folder: Path, service) -> Path:
    """Three trainee lines: a pause after the first for the answer; the third starts 2 s after
    the second, over the customer's answer (or while it is being written: 5 s let a short
    authored answer, "Fine: RC-48213.", play out first, and CI found nothing cut off); then a
    long silence, in which the customer asks whether anyone is still there. Chromium plays it as
    the microphone."""
    import numpy as np

    from simulator.voice import EspeakTTS, load_audio, save_wav

    voice = service.catalog.persona("irritable-outage").voice.model_copy(update={"rate": 150})
    parts = [np.zeros(8000, dtype=np.float32)]
    for i, (said, pause_s) in enumerate(((SAID, 9), (SECOND, 2), (THIRD, 40))):
        clip = EspeakTTS().synthesize(said, voice, folder / f"u{i}.wav")
        parts += [load_audio(clip).samples, np.zeros(16000 * pause_s, dtype=np.float32)]
    return save_wav(np.concatenate(parts), 16000, folder / "three.wav")


def test_hands_free_call_in_the_browser(served, playwright, tmp_path):
    """Hands-free: after Start call nothing is clicked. Two lines with pauses are both answered
    aloud; a third talks over the customer, which is marked cut off; a long silence gets "Hello?
    Are you still there?"; the scorecard's voice figures count the interruption and the dead air."""
    url, _mic, store = served
    from simulator.catalog import Catalog

    mic = _three_utterances(tmp_path, SimpleNamespace(catalog=Catalog.default(None)))
    before = {s["id"] for s in store.list_sessions(user="ana")}
    with voice_call(playwright, url, mic, "Hands-free") as page:
        # No click: the microphone started with the call.
        expect(page.locator("#rc-chat")).to_contain_text("third time", timeout=120_000)
        # The answer comes with its voice (checked now: the next line may cut it off later).
        expect(page.locator("#rc-reply-audio #duration")).not_to_have_text("0:00", timeout=30_000)
        # The second line, after a pause, is a turn of its own, answered too.
        page.locator("#rc-chat .message-row").nth(3).wait_for(timeout=120_000)
        shot(page, "07-hands-free-call")
        # The third line, said over the customer's answer, is heard too (before any "Hello?":
        # a "Hello?" that came early would end this call before the talk-over).
        expect(page.locator("#rc-chat")).to_contain_text(re.compile("more thing|ending in|four|421", re.I),
                                                          timeout=150_000)
        expect(page.locator("#rc-chat")).to_contain_text("Hello?", timeout=150_000)  # "… are you still there?"
        assert page.locator("#rc-mic-refused").is_hidden()
        page.locator("#rc-end").click()
        page.locator("#rc-scorecard .rc-total").wait_for(timeout=120_000)
        expect(page.locator("#rc-transcript")).to_contain_text("(cut off)")
        card = page.locator("#rc-scorecard").inner_text()
        shot(page, "07b-hands-free-scorecard")
        assert re.search(r"talked over the customer [1-9]", card), card
        assert re.search(r"dead air [1-9]", card), card
    (sid,) = [s["id"] for s in store.list_sessions(user="ana") if s["mode"] == "voice" and s["id"] not in before]
    turns = store.turns(sid)
    spoken = [t for t in turns if t["role"] == "customer" and t["audio"] and Path(t["audio"]).exists()]
    assert len(spoken) >= 3  # answered aloud, the "still there?" too
    assert any(t["state"] and t["state"].get("cut_off") for t in turns if t["role"] == "customer")
    agent = [t for t in turns if t["role"] == "agent"]
    assert len(agent) >= 3 and all(t["audio"] for t in agent)  # every line the trainee said is kept as audio


def test_a_refused_microphone_says_why_and_offers_text(served, playwright):
    """The browser refuses the microphone: the page says so and switches the call to text mode,
    where the trainee can go on typing."""
    url, _mic, _store = served
    args = CHROMIUM_ARGS + ["--deny-permission-prompts", "--use-fake-device-for-media-stream"]
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
    try:
        page = _start_voice_call(browser.new_context(viewport={"width": 1366, "height": 900}).new_page(), url)
        expect(page.locator("#rc-mic-refused")).to_be_visible(timeout=30_000)
        expect(page.locator("#rc-mic-refused")).to_contain_text("NotAllowedError")
        expect(page.get_by_role("radio", name="text")).to_be_checked()
        page.locator("#rc-line textarea").fill("Thank you for calling Brightline, my name is Ana.")
        page.locator("#rc-send").click()
        expect(page.locator("#rc-chat")).to_contain_text("third time", timeout=60_000)
        shot(page, "08-microphone-refused")
    finally:
        browser.close()
