"""Browser fixtures for the site tests: the built site served under a sub-path, and Chromium.

Without a browser the tests that use them skip with the reason; with REQUIRE_BROWSER=1
(CI) a missing browser is a failure, so they can never silently stop running.
"""
from __future__ import annotations

import os

import pytest

from browser import ARGS, CHROMIUM, serve


@pytest.fixture(scope="session")
def server(built_site):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's or Ubuntu's chromium on PATH, else Playwright's own browser if it was installed
    (`python -m playwright install chromium`, where it can be downloaded)."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Error as error:
            why = ("no chromium on PATH: apt-get install chromium fonts-noto-cjk, or "
                   f"python -m playwright install chromium ({str(error).splitlines()[0]})")
            if os.environ.get("REQUIRE_BROWSER") == "1":
                pytest.fail(f"REQUIRE_BROWSER=1 but {why}", pytrace=False)
            pytest.skip(f"{why} (set REQUIRE_BROWSER=1 to make this a failure)")
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()
