"""Browser helpers for the site tests (fixtures in tests/site/conftest.py)."""
from __future__ import annotations

import shutil
from urllib.parse import urlparse

from helpers import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
PREFIX = "/d2l-notes/"  # the site must work under a sub-path, as on GitHub Pages


PAGES = ["", "deep-learning-computation/parameters/", "notebooks/parameters/",
         "deep-learning-computation/tied-gradients/", "notebooks/tied-gradients/",
         "deep-learning-computation/parameters-exercises/", "notebooks/parameters-exercises/",
         "deep-learning-computation/parameters-supplement/", "notebooks/parameters-supplement/",
         "code/", "authoring/"]


def shot(pg, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def visit(context, url):
    """Open a page; return it with the console errors and the hosts it asked for."""
    pg = context.new_page()
    errors, hosts, failed = [], [], []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: hosts.append(urlparse(r.url).netloc)
          if r.url.startswith("http") else None)
    pg.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    pg.goto(url, wait_until="networkidle")
    return pg, errors, hosts, failed
