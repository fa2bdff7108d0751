"""A spoken call in real headless Chromium: the trainee talks into a (fake) microphone, their
words appear as text, the customer answers aloud, and both sides' audio is kept for replay.

Chromium plays a wav file as the microphone (--use-file-for-fake-audio-capture).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.catalog import Catalog
from simulator.service import Rolecall
from simulator.store import Store

from fakes import launch_app

from browser.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PASSWORD, TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SAID = "Thank you for calling Brightline Telecom, my name is Ana. How can I help you today?"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    from simulator.voice import EspeakTTS
    data = tmp_path_factory.mktemp("data")
    store = Store(tmp_path_factory.mktemp("db") / "rolecall.db")
    store.add_user("ana", "trainee", PASSWORD)
    service = Rolecall(store, Catalog.default(None), None, data_dir=data)
    mic = tmp_path_factory.mktemp("mic") / "said.wav"
    # Slow and padded so the recording surely holds the whole sentence.
    EspeakTTS().synthesize(SAID, service.catalog.persona("irritable-outage").voice.model_copy(update={"rate": 150}),
                           mic)
    url, demo = launch_app(service)
    yield url, mic, store
    demo.close()


def test_spoken_turn_in_the_browser(served):
    from playwright.sync_api import sync_playwright

    url, mic, store = served
    args = CHROMIUM_ARGS + ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                            f"--use-file-for-fake-audio-capture={mic}", "--autoplay-policy=no-user-gesture-required"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        ctx = browser.new_context(viewport={"width": 1366, "height": 900})
        ctx.grant_permissions(["microphone"])
        page = ctx.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        page.get_by_label("username").fill("ana")
        page.get_by_label("password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("login", re.I)).click()
        page.locator("#rc-whoami").get_by_text("ana").wait_for()

        page.locator("#persona-dd input").click()
        page.get_by_role("option", name=re.compile("Dave Morrison")).click()
        page.get_by_label("voice").check()
        page.locator("#start-call").click()
        page.get_by_role("button", name=re.compile("^record", re.I)).first.click()
        page.wait_for_timeout(7000)
        page.get_by_role("button", name=re.compile("^stop", re.I)).first.click()
        page.locator("#rc-chat .message-row").nth(1).wait_for(timeout=90_000)  # heard + the customer's answer
        chat = page.locator("#rc-chat").inner_text().lower()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "06-trainee-voice-call.png"), full_page=True)
        assert "brightline" in chat or "calling" in chat  # the trainee's words, as text
        assert "third time" in chat  # the customer's (authored) opening answer
        reply = page.locator("#rc-reply-audio audio[src]").first
        reply.wait_for(state="attached")
        assert reply.get_attribute("autoplay") is not None  # the customer's voice is loaded and plays
        browser.close()

    (sid,) = [s["id"] for s in store.list_sessions(user="ana")]
    turns = store.turns(sid)
    assert [t["role"] for t in turns[:2]] == ["agent", "customer"]
    assert all(t["audio"] and Path(t["audio"]).exists() for t in turns[:2])  # kept for replay
