"""What the browser tests share: Chromium, the app they drive, signing in, screenshots."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulator.service import Rolecall
from simulator.store import Store

import fakes
from fakes import PASSWORD  # noqa: F401 - the browser tests sign in with it

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 30_000


def need_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")


@contextmanager
def running_app(tmp_path_factory, users: dict[str, str | tuple[str, str]], llm=None,
                own_catalog: bool = False, users_folder: bool = False) -> Iterator[tuple[str, Store, Rolecall, Path]]:
    """fakes.running_app, skipped when Chromium is missing (nothing would drive the page).
    users_folder: the data lives under the home folder, as a user's does after `make run`,
    not under the temporary folder that Gradio serves files from on its own."""
    need_chromium()
    if not users_folder:
        with fakes.running_app(tmp_path_factory.mktemp("app"), users, llm, own_catalog=own_catalog) as running:
            yield running
        return
    folder = Path.home() / ".cache" / f"rolecall-browser-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    try:
        with fakes.running_app(folder, users, llm, own_catalog=own_catalog) as running:
            yield running
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def login(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("login", re.I)).click()
    page.locator("#rc-whoami").get_by_text(name).wait_for()
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
