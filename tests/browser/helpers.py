"""What the browser tests share: Chromium, the app they drive, signing in, screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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


def need_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")


@contextmanager
def running_app(tmp_path_factory, users: dict[str, str | tuple[str, str]], llm=None,
                own_catalog: bool = False) -> Iterator[tuple[str, Store, Rolecall, Path]]:
    """The real app on a fresh database: users maps name -> role or (role, page language).
    own_catalog: personas and rubrics saved in the studio go to the data folder.
    Yields (url, store, service, data folder)."""
    need_chromium()
    store = Store(tmp_path_factory.mktemp("db") / "rolecall.db")
    for name, role in users.items():
        role, language = role if isinstance(role, tuple) else (role, None)
        store.add_user(name, role, PASSWORD, language=language)
    data = tmp_path_factory.mktemp("data")
    service = Rolecall(store, Catalog.default(data if own_catalog else None), llm, judge_llm=None, data_dir=data)
    url, demo = launch_app(service)
    try:
        yield url, store, service, data
    finally:
        demo.close()


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
