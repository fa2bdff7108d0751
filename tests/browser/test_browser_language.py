"""In real headless Chromium: each user sees the pages in their own language, and can
change it from the header; the choice is kept for their next visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser.helpers import login, running_app, shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # The app is started in English; ioana chose Romanian.
    with running_app(tmp_path_factory, {"ioana": ("trainee", "ro"), "ana": "trainee"}) as (url, store, *_):
        yield url, store


def test_each_user_sees_their_own_language_and_can_change_it(browser, app):
    url, store = app
    ioana = login(browser, url, "ioana")
    expect(ioana.get_by_role("tab", name="Exersare")).to_be_visible()
    expect(ioana.locator("#start-call")).to_have_text("Începe apelul")
    shot(ioana, "09-trainee-in-romanian")

    # Another trainee on the same server, at the same time, sees English.
    ana = login(browser, url, "ana")
    expect(ana.get_by_role("tab", name="Practice")).to_be_visible()
    expect(ana.locator("#start-call")).to_have_text("Start call")

    ioana.locator("#rc-lang input").click()
    ioana.get_by_role("option", name="English").click()
    expect(ioana.get_by_role("tab", name="Practice")).to_be_visible()  # the page loads again, in English
    expect(ioana.locator("#start-call")).to_have_text("Start call")
    assert store.get_user("ioana")["language"] == "en"
