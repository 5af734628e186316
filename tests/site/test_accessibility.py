"""The accessibility checks of test_pages.py can fail: axe (bundled by axe-playwright-python)
reports a planted violation, and the link-in-text-block check, which axe 4.12.1 lacks and
Lighthouse's axe has, reports a link coloured like the footer's was.
"""
from __future__ import annotations

from browser import UNRECOGNISABLE_LINKS, WIDTHS, violations, visit


def load(browser, server):
    """The home page, light, at a desktop's width."""
    ctx = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, color_scheme="light")
    return ctx, visit(ctx, server, "light")[0]


def test_axe_would_see_a_violation(browser, server):
    """The check can fail: an image with no text alternative is reported."""
    ctx, pg = load(browser, server)
    pg.evaluate("document.querySelector('article').append(Object.assign("
                "document.createElement('img'), {src: 'x.png'}))")
    ids = [v[0] for v in violations(pg)]
    ctx.close()
    assert "image-alt" in ids


def test_the_link_check_would_see_a_link_like_the_old_footers(browser, server):
    """The check can fail: a link coloured like the footer's was (white at 70 % in #a6a8ae
    text), with no underline, is reported."""
    ctx, pg = load(browser, server)
    pg.evaluate("""() => { const p = document.querySelector('.md-copyright');
        const a = Object.assign(document.createElement('a'), {href: '#', textContent: 'a link'});
        a.style.cssText = 'color: rgba(255,255,255,.7); text-decoration: none';
        p.append(' text around ', a, ' more text'); }""")
    found = pg.evaluate(UNRECOGNISABLE_LINKS)
    ctx.close()
    assert any(link.startswith("a link (") for link in found), found
