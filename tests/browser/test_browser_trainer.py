"""A trainer's daily work in real headless Chromium: edit a persona in the studio, see a
validation error as they type, test-drive it, save it as a new version, and assign it to a
trainee — who then finds the assignment on their practice page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser.helpers import login, running_app, shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    users = {"tim": "trainer", "ana": "trainee"}
    with running_app(tmp_path_factory, users, own_catalog=True) as (url, store, _service, data):
        yield url, store, data


def _pick(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def test_trainer_edits_tests_saves_and_assigns_a_persona(served, browser):
    url, store, data = served
    page = login(browser, url, "tim")
    page.get_by_role("tab", name="Persona studio").click()
    _pick(page, "Start from persona", "calm-moving-house")
    name = page.get_by_label("name", exact=True)
    expect(name).to_have_value(re.compile(r"\w"))
    name.fill("Mara Jensen")
    page.get_by_role("button", name="→ YAML").click()
    expect(page.locator(".cm-content").first).to_contain_text("Mara Jensen")

    # The trainer tries a line a trainee might say: the customer's reading shows as they type.
    hear = page.locator("#studio-hear-line textarea")
    hear.fill("No worries at all. Where are you off to, what's the new address?")
    expect(page.locator("#studio-heard")).to_contain_text("a request for: new address")
    hear.fill("I can't stop the bills on the old flat, sorry.")
    expect(page.locator("#studio-heard")).to_contain_text("an apology")
    expect(page.locator("#studio-heard")).not_to_contain_text("double billing")
    shot(page, "07a-trainer-studio-hear")

    page.get_by_role("button", name="Test-drive (pre-flight)").click()
    report = page.get_by_label("Test-drive (pre-flight)")
    expect(report).to_have_value(re.compile("Pre-flight for calm-moving-house"), timeout=120_000)
    expect(report).to_have_value(re.compile(r"rude\s+hangs up"))

    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_text(re.compile(r"Saved calm-moving-house as version \d+"))).to_be_visible()
    shot(page, "07-trainer-studio-saved")
    assert "Mara Jensen" in (data / "personas" / "calm-moving-house.yaml").read_text()
    assert len(store.persona_versions("calm-moving-house")) >= 2

    page.get_by_role("tab", name="Assignments").click()
    _pick(page, "Persona", "calm-moving-house")
    _pick(page, "Trainee", "ana")
    page.get_by_label("Due (YYYY-MM-DD)").fill("2026-12-15")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("body")).to_contain_text("2026-12-15")
    shot(page, "08-trainer-assignments")

    trainee = login(browser, url, "ana")
    expect(trainee.locator(".rc-assigned").first).to_contain_text("calm-moving-house")
    expect(trainee.locator(".rc-assigned").first).to_contain_text("2026-12-15")
