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


SCHEMES = {"light": "default", "dark": "slate"}  # a context's color_scheme -> Material's palette
PAGES = ["", "deep-learning-computation/parameters/", "notebooks/parameters/",
         "deep-learning-computation/tied-gradients/", "notebooks/tied-gradients/",
         "deep-learning-computation/parameters-exercises/", "notebooks/parameters-exercises/",
         "deep-learning-computation/parameters-supplement/", "notebooks/parameters-supplement/",
         "code/", "authoring/"]


def shot(pg, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def visit(context, url, scheme=None):
    """Open a page; return it with the console errors and the hosts it asked for. With a scheme
    ("light" or "dark", as the context's color_scheme), wait until Material has applied it."""
    pg = context.new_page()
    errors, hosts, failed = [], [], []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: hosts.append(urlparse(r.url).netloc)
          if r.url.startswith("http") else None)
    pg.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    pg.goto(url, wait_until="networkidle")
    if scheme:
        wait_for_scheme(pg, scheme)
    return pg, errors, hosts, failed


def wait_for_scheme(pg, scheme):
    """A fresh context has no stored palette: Material's script picks the one whose media query
    matches, which under load can come after networkidle. Wait until the scheme really applies."""
    pg.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{SCHEMES[scheme]}'",
                         timeout=15_000)
