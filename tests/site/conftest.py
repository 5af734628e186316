"""Browser fixtures for the site tests: the built site served under a sub-path, and Chromium.

Without a browser the tests that use them skip with the reason; with REQUIRE_BROWSER=1
(CI) a missing browser is a failure, so they can never silently stop running.
"""
from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

from browser import ARGS, CHROMIUM, PREFIX


@pytest.fixture(scope="session")
def server(built_site):
    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path):
            path = urlparse(path).path
            if not path.startswith(PREFIX):
                return str(built_site / "__nothing_outside_the_prefix__")
            return super().translate_path("/" + path[len(PREFIX):])

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(Handler, directory=str(built_site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{PREFIX}"
    httpd.shutdown()


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
