"""The accessibility checks of test_pages.py can fail: axe (bundled by axe-playwright-python)
reports a planted violation, and the link-in-text-block check, which axe 4.12.1 lacks and
Lighthouse's axe has, reports a link coloured like the footer's was.
"""
from __future__ import annotations

from browser import UNRECOGNISABLE_LINKS, WIDTHS, violations, visit


def load(browser, server, path=""):
    """A page (the home page), light, at a desktop's width."""
    ctx = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, color_scheme="light")
    return ctx, visit(ctx, server + path, "light")[0]


def test_axe_would_see_a_violation(browser, server):
    """The check can fail: an image with no text alternative is reported."""
    ctx, pg = load(browser, server)
    pg.evaluate("document.querySelector('article').append(Object.assign("
                "document.createElement('img'), {src: 'x.png'}))")
    ids = [v[0] for v in violations(pg, "light")]
    ctx.close()
    assert "image-alt" in ids


# each about 1.1:1 on Material's light code background, and each a look of its own
PALE, PALER, PALEST = "color: #e8e8e8 !important", "color: #eeeeee !important", "color: #f0f0f0 !important"


def test_axe_still_sees_a_pale_code_token_though_it_checks_each_look_once(browser, server):
    """Each look of a code token is checked once per scheme (browser.SEEN_TOKENS). A token class
    made pale is still reported at a desktop's width, and one made pale at a phone's width only,
    after the desktop view has seen every token, is reported there."""
    ctx, pg = load(browser, server, "deep-learning-computation/parameters/")
    assert violations(pg, "light") == []
    common = pg.evaluate("""() => { const n = {};
        for (const el of document.querySelectorAll('pre span[class]'))  // axe skips punctuation-only text
          if (/[\\p{L}\\p{N}]/u.test(el.textContent)) n[el.className] = (n[el.className] || 0) + 1;
        return Object.entries(n).sort((a, b) => b[1] - a[1]).map(e => e[0]).slice(0, 2); }""")
    planted = {common[0]: f"pre span.{common[0]} {{ {PALE} }}",
               common[1]: f"@media (max-width: 600px) {{ pre span.{common[1]} {{ {PALER} }} }}"}
    pg.add_style_tag(content="\n".join(planted.values()))

    def pale() -> set[str]:  # the classes of the elements axe reports for colour contrast
        targets = [t[0] for t in dict(violations(pg, "light")).get("color-contrast", [])]
        return set(pg.evaluate("ts => ts.map(t => document.querySelector(t).className)", targets))

    at_desktop = pale()
    pg.set_viewport_size({"width": WIDTHS[1], "height": 900})
    at_phone = pale()
    # a look that first appears scrolled out of sight in a code block (axe does not judge such a
    # token), then in full sight further down: the one in sight is judged
    pg.evaluate(f"""() => {{
        const tokens = [...document.querySelectorAll('pre span')].filter(el => /[a-z]/.test(el.textContent));
        const edge = el => el.closest('pre').getBoundingClientRect().right;
        const away = tokens.find(el => el.getBoundingClientRect().left > edge(el));
        const seen = tokens.find(el => away.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING
            && el.getBoundingClientRect().right < edge(el) - 10);
        for (const el of [away, seen]) el.style.cssText = '{PALEST}';
        seen.classList.add('planted-in-sight'); }}""")
    in_sight = pale()
    ctx.close()
    assert at_desktop == {common[0]}, at_desktop
    assert at_phone == {common[1]}, at_phone  # the first class was seen pale at the desktop's width
    assert any("planted-in-sight" in c for c in in_sight), in_sight


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
