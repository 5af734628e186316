"""axe-core (bundled by axe-playwright-python) on every page, light and dark: no violation.

The fixes are colours, two landmark names and a focusable scroller (extra.css,
overrides/main.html, the d2l-site plugin); nothing is hidden to pass.
"""
from __future__ import annotations

import pytest

from browser import PAGES


@pytest.fixture(scope="module")
def axe_results(browser, server):
    from axe_playwright_python.sync_playwright import Axe

    axe, results = Axe(), {}
    for scheme in ("light", "dark"):
        for width in WIDTHS:
            ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            pg = ctx.new_page()
            for path in PAGES:
                pg.goto(server + path, wait_until="networkidle")
                shown = pg.evaluate("document.body.getAttribute('data-md-color-scheme')")
                results[scheme, width, path] = shown, axe.run(pg).response["violations"]
            ctx.close()
    return results


WIDTHS = [1280, 412]  # a desktop, and a phone (Lighthouse's): wide formulas and figures scroll there


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violation(axe_results, path, scheme, width):
    shown, violations = axe_results[scheme, width, path]
    assert shown == {"light": "default", "dark": "slate"}[scheme]  # the scheme really applied
    assert [(v["id"], [n["target"] for n in v["nodes"]][:5]) for v in violations] == []


def test_axe_would_see_a_violation(browser, server):
    """The check can fail: an image with no text alternative is reported."""
    from axe_playwright_python.sync_playwright import Axe

    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.goto(server, wait_until="networkidle")
    pg.evaluate("document.querySelector('article').append(Object.assign("
                "document.createElement('img'), {src: 'x.png'}))")
    ids = [v["id"] for v in Axe().run(pg).response["violations"]]
    ctx.close()
    assert "image-alt" in ids
