"""Every page of the site, loaded once and seen in both colour schemes at two widths, and what a
reader's browser must find on it: no console error, failed request or third-party request; no axe
violation; every link in a line of text recognisable as a link; the live outputs visible; on a
notebook page, every rule of JupyterLab's stylesheet that matches the page kept by the cut.

Each page is a class of its own: the suite runs with `--dist loadscope`, which hands each class to a
worker. The class loads its page once and looks at it as a reader who switches it: light and dark
(the header's toggle), at a desktop's and at a phone's width (Lighthouse's, 412 px). The checks that
show axe and the link check can fail are in test_accessibility.py; the fixes are colours, an
underline, two landmark names and a focusable scroller (extra.css, overrides/main.html, the d2l-site
plugin): nothing is hidden to pass.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from browser import (
    ARTIFACTS,
    PAGES,
    SCHEMES,
    TOGGLE,
    UNRECOGNISABLE_LINKS,
    WIDTHS,
    shot,
    violations,
    visit,
    wait_for_scheme,
)

DESKTOP, PHONE = WIDTHS
VIEWS = [("light", DESKTOP), ("dark", DESKTOP), ("dark", PHONE), ("light", PHONE)]  # in the order a reader goes
SETTLED = "document.getAnimations().every(a => a.playState !== 'running')"  # transitions done


def probe(pg, loaded, scheme) -> dict:
    """What the checks need of the page as it is now, in `scheme`."""
    _, errors, hosts, failed = loaded
    return {"errors": list(errors), "hosts": set(hosts), "failed": list(failed),
            "h1": pg.locator("article h1").first.is_visible(),
            "axe": violations(pg, scheme), "links": pg.evaluate(UNRECOGNISABLE_LINKS)}


class _Page:
    path = ""

    @pytest.fixture(scope="class")
    @classmethod
    def views(cls, request, browser, server):
        """The page in one load, as a reader who switches its scheme and width: loaded light at a
        desktop's width, switched to dark with the header's toggle, narrowed to a phone's width,
        switched back to light; each view probed (axe, links, errors so far...). Then the page is
        widened again, light at a desktop's width, for the checks that look at it."""
        ctx = browser.new_context(viewport={"width": DESKTOP, "height": 900}, color_scheme="light")
        loaded = visit(ctx, server + cls.path, "light")
        pg, found, width = loaded[0], {}, DESKTOP
        shot(pg, "page-" + (cls.path.strip("/").replace("/", "-") or "home"), full_page=False)
        for scheme, w in VIEWS:
            if w != width:
                pg.set_viewport_size({"width": w, "height": 900})
                width = w
            if pg.evaluate("document.body.getAttribute('data-md-color-scheme')") != SCHEMES[scheme]:
                pg.locator(TOGGLE).click()
                wait_for_scheme(pg, scheme)
            pg.wait_for_function(SETTLED, timeout=15_000)  # Material fades colours: axe must see the end
            found[scheme, w] = probe(pg, loaded, scheme) | cls.more(request, pg)
        pg.set_viewport_size({"width": DESKTOP, "height": 900})
        yield pg, found
        ctx.close()

    @classmethod
    def more(cls, request, pg) -> dict:
        return {}

    @pytest.mark.parametrize("scheme, width", VIEWS)
    def test_it_renders_with_no_error_and_no_third_party_request(self, views, server, scheme, width):
        found = views[1][scheme, width]
        assert found["errors"] == []
        assert found["failed"] == []
        local = urlparse(server).netloc
        assert found["hosts"] == {local}, f"requests to other hosts: {found['hosts'] - {local}}"
        assert found["h1"]

    @pytest.mark.parametrize("scheme, width", VIEWS)
    def test_axe_finds_no_violation(self, views, scheme, width):
        assert views[1][scheme, width]["axe"] == []

    @pytest.mark.parametrize("scheme, width", VIEWS)
    def test_every_link_in_a_line_of_text_looks_like_a_link(self, views, scheme, width):
        assert views[1][scheme, width]["links"] == []  # at a phone's width too (probed there, unasserted before)


class _NotePage(_Page):
    """A page of the note, or its notebook: it shows live outputs."""

    def test_live_outputs_are_visible(self, views):
        out = views[0].locator("div.result pre, .jp-OutputArea-output pre").first
        assert out.is_visible()
        assert out.inner_text().strip()
        assert out.bounding_box()["height"] > 10


def _jupyterlab_stylesheet() -> str:
    """What nbconvert inlines into a notebook page, before d2l_site.notebook_css.used_css cuts it."""
    import mkdocs_jupyter

    return (Path(mkdocs_jupyter.__file__).parent / "templates/mkdocs_html/assets/index.css"
            ).read_text(encoding="utf-8")


MATCHING_RULES = """(sheets) => {
  // each stylesheet's rules, one per selector, whose selector matches an element of this page
  // (as if hovered and focused, pseudo-elements as their element; an unparsable one counts as matching)
  const split = text => {
    const parts = [];
    let depth = 0, start = 0;
    for (let i = 0; i < text.length; i++) {
      if ("([".includes(text[i])) depth++;
      else if (")]".includes(text[i])) depth--;
      else if (text[i] === "," && depth === 0) { parts.push(text.slice(start, i).trim()); start = i + 1; }
    }
    return [...parts, text.slice(start).trim()];
  };
  const matches = selector => {
    const always = ":not(.__none__)";  // true of any element, valid in any position
    const bare = selector
      .replace(/::?(before|after|placeholder|selection|marker|first-line|first-letter|-webkit-[\\w-]+|-moz-[\\w-]+|-ms-[\\w-]+)(\\([^)]*\\))?/g, always)
      .replace(/:not\\(:(hover|focus-visible|focus-within|focus|active|visited)\\)/g, always)
      .replace(/:(hover|focus-visible|focus-within|focus|active|visited)/g, always);
    try { return document.querySelector(bare || "*") !== null; } catch { return true; }
  };
  const walk = (rules, media, out) => {
    for (const rule of rules) {
      if (rule.selectorText !== undefined)
        for (const selector of split(rule.selectorText))
          if (matches(selector)) out.push(media + " | " + selector + " { " + rule.style.cssText + " }");
      if (rule.cssRules && rule.media) walk(rule.cssRules, media + rule.media.mediaText, out);
    }
    return out;
  };
  return sheets.map(text => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    return walk(sheet.cssRules, "", []);
  });
}"""  # noqa: E501 - a JavaScript regex, kept on one line


@pytest.fixture(scope="module")
def stylesheets(built_site) -> tuple[str, str, str]:
    """JupyterLab's stylesheet, the cut one the site publishes, and the cut one less one rule."""
    full = _jupyterlab_stylesheet()
    published = (built_site / "assets/stylesheets/jupyter.css").read_text(encoding="utf-8")
    return full, published, re.sub(r"[^{}]*jp-InputPrompt[^{}]*\{[^{}]*\}", "", published, count=1)


def test_the_notebook_stylesheet_is_cut(stylesheets):
    full, published, _ = stylesheets
    assert len(published) * 5 < len(full)  # the rules no notebook page can match are gone


class _NotebookPage(_NotePage):
    @classmethod
    def more(cls, request, pg) -> dict:
        full, published, one_rule_less = request.getfixturevalue("stylesheets")
        return {"rules": pg.evaluate(MATCHING_RULES, [full, published, one_rule_less])}

    @pytest.mark.parametrize("scheme, width", VIEWS)
    def test_the_notebook_stylesheet_keeps_every_rule_that_matches_the_page(self, views, scheme, width):
        """d2l_site.notebook_css cuts JupyterLab's stylesheet by class names; Chromium's own selector
        engine checks the cut: in both schemes and at both widths, the rules that match are the same."""
        in_full, in_published, in_one_rule_less = views[1][scheme, width]["rules"]
        assert len(in_full) > 50
        assert in_published == in_full
        assert in_one_rule_less != in_full  # the check sees a lost rule


class _TiedSection:
    def test_tied_section_shows_drawn_figures_and_rendered_math(self, views):
        pg = views[0]
        for fig in ("#net-1d svg", "#tied-1d svg"):
            box = pg.locator(fig).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 200, fig
        formulas = pg.locator(".derivation math")
        assert formulas.count() == 9
        for i in range(formulas.count()):
            box = formulas.nth(i).bounding_box()
            assert box and box["height"] > 10
        text = pg.locator("article").inner_text()
        assert "\\frac" not in text and "$" not in text
        pg.locator("#tied-1d").scroll_into_view_if_needed()
        pg.locator("#tied-1d").screenshot(path=str(ARTIFACTS / "tied-figure.png"))


class _InitTour:
    def test_the_init_tour_is_a_table_whose_columns_all_fit_at_desktop_width(self, views):
        pg = views[0]
        table = pg.locator("div.snippet-table table")
        assert table.locator("tbody tr").count() == 13
        assert table.locator("tbody tr").first.locator("td").count() == 8
        wrap = pg.locator("div.snippet-table .md-typeset__scrollwrap")
        assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # nothing behind a scroll


EXTRA = {"deep-learning-computation/parameters/": (_TiedSection,),
         "deep-learning-computation/parameters-exercises/": (_InitTour,)}

for _path in PAGES:
    _kind = _NotebookPage if _path.startswith("notebooks/") else _NotePage if _path.startswith("deep") else _Page
    _name = "TestPage_" + re.sub(r"\W", "_", _path.strip("/") or "home")
    globals()[_name] = type(_name, (*EXTRA.get(_path, ()), _kind), {"path": _path})
