"""The app in real headless Chromium: a trainee holds a short call and sees the scorecard;
a supervisor sees that session; the trainee cannot open supervisor views.

Screenshots go to tests/artifacts/ for people to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser.helpers import TIMEOUT_MS, login, running_app, shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with running_app(tmp_path_factory, {"ana": "trainee", "sue": "supervisor"}) as (url, *_):
        yield url


def test_trainee_call_scorecard_and_supervisor_view(browser, url):
    trainee = login(browser, url, "ana")
    shot(trainee, "01-trainee-practice")
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
    shot(trainee, "02-trainee-call")

    trainee.locator("#rc-end").click()
    trainee.locator("#rc-scorecard .rc-total").wait_for()
    assert trainee.locator("#rc-scorecard .rc-crit").count() >= 3
    review = trainee.locator("#rc-transcript").inner_text()
    assert "account number" in review
    # Under each of the trainee's lines: what the customer understood of it.
    assert "The customer heard: a greeting, an apology" in review
    assert "The customer heard: an identity check, a request for: account number" in review
    shot(trainee, "03-trainee-scorecard")
    # Issue 19.2: the mood chart has mood on a number axis, higher up when the customer is calmer.
    dots = trainee.locator("#rc-mood circle.rc-dot")
    points = [(float(d.get_attribute("data-y")), d.bounding_box()["y"]) for d in dots.all()]
    assert len(points) == 2 and len({mood for mood, _ in points}) == 2
    (low, low_y), (high, high_y) = sorted(points)
    assert high_y < low_y  # on screen, the calmer mood sits higher
    trainee.get_by_role("tab", name="My history").click()
    expect(trainee.locator("#rc-history")).to_contain_text("irritable-outage")
    shot(trainee, "03b-trainee-history")

    supervisor = login(browser, url, "sue")
    supervisor.get_by_role("tab", name="Sessions").click()
    table = supervisor.locator("#rc-sessions")
    try:
        expect(table).to_contain_text("irritable-outage", timeout=TIMEOUT_MS)
    finally:
        shot(supervisor, "04-supervisor-sessions")
    expect(table).to_contain_text("ana")
    supervisor.get_by_role("tab", name="Readiness").click()
    supervisor.get_by_text("Not ready").first.wait_for()
    shot(supervisor, "05-supervisor-readiness")
    # Issue 19.4: which calls count, and each condition marked met or unmet.
    board = supervisor.locator(".rc-board").inner_text()
    assert "no passed seeded call with an irritable customer yet" in board and " a irritable" not in board
    assert supervisor.locator(".rc-counts").get_by_text("Practice calls without a seed do not count").count() == 1
    assert supervisor.locator(".rc-conditions li.rc-unmet").count() >= 3
