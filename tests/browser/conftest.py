"""One Playwright and one headless Chromium for all browser tests (a second Playwright
cannot start while one runs)."""

from __future__ import annotations

import pytest

from browser.helpers import CHROMIUM, CHROMIUM_ARGS, need_chromium


@pytest.fixture(scope="session")
def playwright():
    from playwright.sync_api import sync_playwright

    need_chromium()
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    b = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield b
    b.close()
