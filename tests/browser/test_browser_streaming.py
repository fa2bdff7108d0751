"""In real headless Chromium: the customer's reply appears in the chat as the model writes
it (as far as the guard has passed it), and ends as the whole accepted line."""

from __future__ import annotations

import re
import time

import pytest

from fakes import ScriptedLLM
from browser.helpers import login, running_app, shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

LINE = ("Well, it has been down since Monday morning and I work from home, so every hour of this "
        "costs me money, and I want to know when somebody is actually coming.")


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    # About 40 pieces, 80 ms apart: a slow model, so the page has time to show the line growing.
    llm = ScriptedLLM([LINE], piece_delay_s=0.08)
    with running_app(tmp_path_factory, {"ana": "trainee"}, llm) as (url, *_):
        yield url


def test_the_reply_grows_in_the_chat_while_it_is_written(browser, url):
    page = login(browser, url, "ana")
    page.locator("#persona-dd input").click()
    page.get_by_role("option", name=re.compile("Dave Morrison")).click()
    page.locator("#start-call").click()
    line = page.locator("#rc-line textarea")
    line.fill("Thank you for calling Brightline Telecom, my name is Ana. How can I help?")
    line.press("Enter")  # the customer's opening complaint is written by the trainer: no model
    page.locator("#rc-chat .message-row").nth(1).wait_for()
    line.fill("I am sorry to hear that. Let me see what is going on with the line.")
    line.press("Enter")

    last = page.locator("#rc-chat .message-row").nth(3)
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if last.count():
            text = last.inner_text().replace("▍", "").strip()
            if text and (not seen or seen[-1] != text):
                seen.append(text)
                if len(seen) == 3:
                    shot(page, "02b-trainee-reply-streaming")
            if text == LINE:
                break
        time.sleep(0.05)
    assert seen and seen[-1] == LINE
    growing = [s for s in seen if s not in ("…", LINE)]
    assert len(growing) >= 3, seen  # shown in steps, not all at once
    assert all(LINE.startswith(s) for s in growing)
    assert page.locator("#rc-line textarea").is_editable()  # the trainee can answer again
