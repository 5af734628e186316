"""Browser helpers for the site tests (fixtures in tests/site/conftest.py)."""
from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

from helpers import ROOT, site_path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
PREFIX = "/d2l-notes/"  # a site built without SITE_URL is served under it: it must work under a sub-path


SCHEMES = {"light": "default", "dark": "slate"}  # a context's color_scheme -> Material's palette
TOGGLE = "label.md-header__button[for^='__palette']:visible"  # the header's light/dark switch
WIDTHS = [1280, 412]  # a desktop, and a phone (Lighthouse's): wide formulas and figures scroll there
PAGES = ["", "deep-learning-computation/parameters/", "notebooks/parameters/",
         "deep-learning-computation/tied-gradients/", "notebooks/tied-gradients/",
         "deep-learning-computation/parameters-exercises/", "notebooks/parameters-exercises/",
         "deep-learning-computation/parameters-supplement/", "notebooks/parameters-supplement/",
         "code/", "authoring/"]


def shot(pg, name, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


# A notebook page's cells start skipped (content-visibility: auto, sized by estimate) and are drawn
# once it has loaded (d2l_site.notebook_render): how many are still skipped. A check that scrolls
# (axe does) on a page with skipped cells sees them resize under it.
SKIPPED_CELLS = """() => [...document.querySelectorAll(".jp-Notebook > .jp-Cell")]
    .filter(cell => !cell.firstElementChild.checkVisibility({contentVisibilityAuto: true})).length"""


def wait_for_cells(pg) -> None:
    """Until every cell of a notebook page is drawn (at once on any other page)."""
    pg.wait_for_function(f"({SKIPPED_CELLS})() === 0", timeout=15_000)


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
    wait_for_cells(pg)  # as a reader finds it a moment after it loads
    if scheme:
        wait_for_scheme(pg, scheme)
    return pg, errors, hosts, failed


def wait_for_scheme(pg, scheme):
    """A fresh context has no stored palette: Material's script picks the one whose media query
    matches, which under load can come after networkidle. Wait until the scheme really applies."""
    pg.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{SCHEMES[scheme]}'",
                         timeout=15_000)


# A highlighted code token's contrast depends on its computed colour, weight, size and background,
# not on where it is: of the tokens that share all of these, in one colour scheme of one page, axe's
# colour-contrast rule checks the first one in full sight (axe cannot judge one scrolled out of a
# code block), and only that one (every other rule sees them all).
# At a phone's width every token then looks as it did at a desktop's, and is skipped, unless a rule
# for that width changed its look: then it is checked again.
SEEN_TOKENS = """(scheme) => {
  const seen = ((window.__axeTokens ??= {})[scheme] ??= new Set());
  const clear = "rgba(0, 0, 0, 0)";
  const shown = el => {  // wholly inside the window's width and every box that clips it
    const r = el.getBoundingClientRect();
    if (!r.width || r.left < 0 || r.right > innerWidth) return false;
    for (let box = el.parentElement; box; box = box.parentElement)
      if (getComputedStyle(box).overflowX !== "visible") {
        const c = box.getBoundingClientRect();
        if (r.left < c.left || r.right > c.right) return false;
      }
    return true;
  };
  for (const el of document.querySelectorAll("pre span")) {
    el.removeAttribute("data-axe-seen");
    if (el.childElementCount || !el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    let bg = clear;
    for (let node = el; node && bg === clear; node = node.parentElement) bg = getComputedStyle(node).backgroundColor;
    const key = [s.color, bg, s.fontSize, s.fontWeight, s.opacity, s.textShadow, s.visibility].join("|");
    if (seen.has(key)) el.setAttribute("data-axe-seen", "");
    else if (shown(el)) seen.add(key);  // one scrolled out of sight is left to axe, and stands for no other
  }
}"""


def violations(pg, scheme: str) -> list:
    """axe's violations in the page as it is now, seen in `scheme` ("light" or "dark"); only
    those (axe skips aggregating passes, ~25 % faster on these pages). axe-core is the one
    axe-playwright-python bundles, put into the page once; its colour-contrast rule leaves out
    the code tokens SEEN_TOKENS marks."""
    from axe_playwright_python.sync_playwright import Axe

    if pg.evaluate("typeof axe === 'undefined'"):
        pg.evaluate(Axe().axe_script)
        pg.evaluate("axe.configure({rules: [{id: 'color-contrast', selector: '*:not([data-axe-seen])'}]})")
    pg.evaluate(SEEN_TOKENS, scheme)
    found = pg.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in found]


# A link inside a block of text must be underlined, or differ from the text around it by a
# contrast of at least 3:1 (WCAG 1.4.1, axe's link-in-text-block rule, as Lighthouse 12 runs it).
UNRECOGNISABLE_LINKS = "\n".join(
    line for line in (Path(__file__).parent / "site/unrecognisable_links.js").read_text(encoding="utf-8").splitlines()
    if not line.startswith("//"))


@contextlib.contextmanager
def serve(site):
    """`site` served on a free port of this machine, under the path it is published under (or
    PREFIX); yields its URL."""
    prefix = site_path(site)
    prefix = PREFIX if prefix == "/" else prefix

    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path):
            path = urlparse(path).path
            if not path.startswith(prefix):
                return str(site / "__nothing_outside_the_prefix__")
            return super().translate_path("/" + path[len(prefix):])

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{prefix}"
    finally:
        httpd.shutdown()
