"""A trainer's daily work in real headless Chromium: edit a persona in the studio, see a
validation error as they type, test-drive it, save it as a new version, and assign it to a
trainee — who then finds the assignment on their practice page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from simulator.catalog import Catalog
from simulator.service import Rolecall
from simulator.store import Store

from fakes import launch_app

from browser.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PASSWORD, TIMEOUT_MS, _login

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    store = Store(tmp_path_factory.mktemp("db") / "rolecall.db")
    store.add_user("tim", "trainer", PASSWORD)
    store.add_user("ana", "trainee", PASSWORD)
    data = tmp_path_factory.mktemp("data")
    service = Rolecall(store, Catalog.default(data), None, data_dir=data)
    url, demo = launch_app(service)
    yield url, store, data
    demo.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _pick(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def test_trainer_edits_tests_saves_and_assigns_a_persona(served, browser):
    url, store, data = served
    page = _login(browser, url, "tim")
    page.get_by_role("tab", name="Persona studio").click()
    _pick(page, "Start from persona", "calm-moving-house")
    name = page.get_by_label("name", exact=True)
    expect(name).to_have_value(re.compile(r"\w"))
    name.fill("Mara Jensen")
    page.get_by_role("button", name="→ YAML").click()
    expect(page.locator(".cm-content").first).to_contain_text("Mara Jensen")

    page.get_by_role("button", name="Test-drive (pre-flight)").click()
    report = page.get_by_label("Test-drive (pre-flight)")
    expect(report).to_have_value(re.compile("Pre-flight for calm-moving-house"), timeout=120_000)
    expect(report).to_have_value(re.compile(r"rude\s+hangs up"))

    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_text(re.compile(r"Saved calm-moving-house as version \d+"))).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "07-trainer-studio-saved.png"), full_page=True)
    assert "Mara Jensen" in (data / "personas" / "calm-moving-house.yaml").read_text()
    assert len(store.persona_versions("calm-moving-house")) >= 2

    page.get_by_role("tab", name="Assignments").click()
    _pick(page, "Persona", "calm-moving-house")
    _pick(page, "Trainee", "ana")
    page.get_by_label("Due (YYYY-MM-DD)").fill("2026-12-15")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("body")).to_contain_text("2026-12-15")
    page.screenshot(path=str(ARTIFACTS / "08-trainer-assignments.png"), full_page=True)

    trainee = _login(browser, url, "ana")
    expect(trainee.locator(".rc-assigned").first).to_contain_text("calm-moving-house")
    expect(trainee.locator(".rc-assigned").first).to_contain_text("2026-12-15")
