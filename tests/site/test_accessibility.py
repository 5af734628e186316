"""axe-core (bundled by axe-playwright-python) on every page, light and dark, desktop and phone:
no violation; and every link in a line of text can be told from the text, which axe 4.12.1 does
not check where Lighthouse's axe does (link-in-text-block).

The fixes are colours, an underline, two landmark names and a focusable scroller (extra.css,
overrides/main.html, the d2l-site plugin); nothing is hidden to pass. Each page's checks are a
class of their own, so the suite's workers share the pages.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import PAGES, SCHEMES, wait_for_scheme

WIDTHS = [1280, 412]  # a desktop, and a phone (Lighthouse's): wide formulas and figures scroll there


def load(browser, server, path, scheme, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    pg = ctx.new_page()
    pg.goto(server + path, wait_until="networkidle")
    wait_for_scheme(pg, scheme)
    return ctx, pg


def violations(pg) -> list:
    """axe's violations (only those: it skips aggregating passes, ~25 % faster on these pages)."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(pg, options={"resultTypes": ["violations"]}).response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in found]


class _Axe:
    """axe on one page, in both schemes and at both widths. One class per page (below): the
    suite runs with `--dist loadscope`, which hands each class to a worker of its own."""

    path = ""

    @pytest.mark.parametrize("width", WIDTHS)
    @pytest.mark.parametrize("scheme", SCHEMES)
    def test_axe_finds_no_violation(self, browser, server, scheme, width):
        ctx, pg = load(browser, server, self.path, scheme, width)
        try:
            assert violations(pg) == []
        finally:
            ctx.close()


for _path in PAGES:
    _name = "TestAxe_" + re.sub(r"\W", "_", _path.strip("/") or "home")
    globals()[_name] = type(_name, (_Axe,), {"path": _path})


def test_axe_would_see_a_violation(browser, server):
    """The check can fail: an image with no text alternative is reported."""
    ctx, pg = load(browser, server, "", "light", 1280)
    pg.evaluate("document.querySelector('article').append(Object.assign("
                "document.createElement('img'), {src: 'x.png'}))")
    ids = [v[0] for v in violations(pg)]
    ctx.close()
    assert "image-alt" in ids


# A link inside a block of text must be underlined, or differ from the text around it by a
# contrast of at least 3:1 (WCAG 1.4.1, axe's link-in-text-block rule, as Lighthouse 12 runs it).
UNRECOGNISABLE_LINKS = "\n".join(line for line in (Path(__file__).parent / "unrecognisable_links.js").read_text(
    encoding="utf-8").splitlines() if not line.startswith("//"))



@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_link_in_a_line_of_text_looks_like_a_link(browser, server, scheme):
    ctx, pg = load(browser, server, PAGES[0], scheme, 1280)
    try:
        found = {}
        for path in PAGES:
            pg.goto(server + path, wait_until="networkidle")
            wait_for_scheme(pg, scheme)
            found[path] = pg.evaluate(UNRECOGNISABLE_LINKS)
        assert {p: links for p, links in found.items() if links} == {}
    finally:
        ctx.close()


def test_the_link_check_would_see_a_link_like_the_old_footers(browser, server):
    """The check can fail: a link coloured like the footer's was (white at 70 % in #a6a8ae
    text), with no underline, is reported."""
    ctx, pg = load(browser, server, "", "light", 1280)
    pg.evaluate("""() => { const p = document.querySelector('.md-copyright');
        const a = Object.assign(document.createElement('a'), {href: '#', textContent: 'a link'});
        a.style.cssText = 'color: rgba(255,255,255,.7); text-decoration: none';
        p.append(' text around ', a, ' more text'); }""")
    found = pg.evaluate(UNRECOGNISABLE_LINKS)
    ctx.close()
    assert any(link.startswith("a link (") for link in found), found
