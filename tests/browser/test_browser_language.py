"""In real headless Chromium: each user sees the pages in their own language, and can
change it from the header; the choice is kept for their next visit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from simulator.catalog import Catalog
from simulator.service import Rolecall
from simulator.store import Store

from fakes import launch_app
from browser.test_browser import CHROMIUM, PASSWORD, _login, _shot, browser  # noqa: F401 - browser is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    store = Store(tmp_path_factory.mktemp("db") / "rolecall.db")
    store.add_user("ioana", "trainee", PASSWORD, language="ro")
    store.add_user("ana", "trainee", PASSWORD)
    service = Rolecall(store, Catalog.default(None), None, data_dir=tmp_path_factory.mktemp("data"))
    url, demo = launch_app(service)  # started in English
    yield url, store
    demo.close()


def test_each_user_sees_their_own_language_and_can_change_it(browser, app):
    url, store = app
    ioana = _login(browser, url, "ioana")
    expect(ioana.get_by_role("tab", name="Exersare")).to_be_visible()
    expect(ioana.locator("#start-call")).to_have_text("Începe apelul")
    _shot(ioana, "07-trainee-in-romanian")

    # Another trainee on the same server, at the same time, sees English.
    ana = _login(browser, url, "ana")
    expect(ana.get_by_role("tab", name="Practice")).to_be_visible()
    expect(ana.locator("#start-call")).to_have_text("Start call")

    ioana.locator("#rc-lang input").click()
    ioana.get_by_role("option", name="English").click()
    expect(ioana.get_by_role("tab", name="Practice")).to_be_visible()  # the page loads again, in English
    expect(ioana.locator("#start-call")).to_have_text("Start call")
    assert store.get_user("ioana")["language"] == "en"
