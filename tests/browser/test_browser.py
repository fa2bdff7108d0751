"""The app in real headless Chromium: a trainee holds a short call and sees the scorecard;
a supervisor sees that session; the trainee cannot open supervisor views.

Screenshots go to tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from simulator.catalog import Catalog
from simulator.service import Rolecall
from simulator.store import Store

from fakes import launch_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PASSWORD = "correct horse 42"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    store = Store(tmp_path_factory.mktemp("db") / "rolecall.db")
    store.add_user("ana", "trainee", PASSWORD)
    store.add_user("sue", "supervisor", PASSWORD)
    service = Rolecall(store, Catalog.default(None), None, data_dir=tmp_path_factory.mktemp("data"))
    url, demo = launch_app(service)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _login(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("login", re.I)).click()
    page.locator("#rc-whoami").get_by_text(name).wait_for()
    return page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_trainee_call_scorecard_and_supervisor_view(browser, url):
    trainee = _login(browser, url, "ana")
    _shot(trainee, "01-trainee-practice")
    # Trainees never see supervisor or trainer pages.
    for tab in ("Sessions", "Readiness", "Weak spots", "Persona studio"):
        assert trainee.get_by_role("tab", name=tab).count() == 0

    trainee.locator("#persona-dd input").click()
    trainee.get_by_role("option", name=re.compile("Dave Morrison")).click()
    trainee.locator("#start-call").click()
    line = trainee.locator("#rc-line textarea")
    line.fill("Thank you for calling Brightline Telecom, my name is Ana. I'm really sorry about the outage.")
    line.press("Enter")
    trainee.locator("#rc-chat .message-row").nth(1).wait_for()  # the customer's answer
    line.fill("Could you tell me your account number, please?")
    line.press("Enter")
    trainee.locator("#rc-chat .message-row").nth(3).wait_for()
    _shot(trainee, "02-trainee-call")

    trainee.locator("#rc-end").click()
    trainee.locator("#rc-scorecard .rc-total").wait_for()
    assert trainee.locator("#rc-scorecard .rc-crit").count() >= 3
    assert "account number" in trainee.locator("#rc-transcript").inner_text()
    _shot(trainee, "03-trainee-scorecard")
    trainee.get_by_role("tab", name="My history").click()
    expect(trainee.locator("#rc-history")).to_contain_text("irritable-outage")
    _shot(trainee, "03b-trainee-history")

    supervisor = _login(browser, url, "sue")
    supervisor.get_by_role("tab", name="Sessions").click()
    table = supervisor.locator("#rc-sessions")
    try:
        expect(table).to_contain_text("irritable-outage", timeout=TIMEOUT_MS)
    finally:
        _shot(supervisor, "04-supervisor-sessions")
    expect(table).to_contain_text("ana")
    supervisor.get_by_role("tab", name="Readiness").click()
    supervisor.get_by_text("Not ready").first.wait_for()
    _shot(supervisor, "05-supervisor-readiness")
