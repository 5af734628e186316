"""The site in a real browser (Playwright + Chromium), served under a sub-path.

Without a browser these tests skip with the reason; with REQUIRE_BROWSER=1 (CI)
a missing browser is a failure, so they can never silently stop running.
Fixtures: tests/site/conftest.py; helpers: tests/browser.py (shared with the
explorer and accessibility tests).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browser import ARTIFACTS, PAGES, shot, visit
from helpers import SNIPPETS


@pytest.fixture(scope="module")
def desktop(browser, server):
    """Every page, loaded once at desktop width: the page and what it asked for."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    loaded = {}
    for path in PAGES:
        pg, errors, hosts, failed = visit(ctx, server + path)
        shot(pg, "page-" + (path.strip("/").replace("/", "-") or "home"))
        loaded[path] = (pg, errors, hosts, failed)
    yield loaded
    ctx.close()


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_with_no_errors_and_no_third_party_request(desktop, server, path):
    pg, errors, hosts, failed = desktop[path]
    local = urlparse(server).netloc
    assert errors == []
    assert failed == []
    assert set(hosts) == {local}, f"requests to other hosts: {set(hosts) - {local}}"
    assert pg.locator("article h1").first.is_visible()


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith(("deep", "notebooks"))])
def test_live_outputs_are_visible(desktop, path):
    pg = desktop[path][0]
    out = pg.locator("div.result pre, .jp-OutputArea-output pre").first
    assert out.is_visible()
    assert out.inner_text().strip()
    assert out.bounding_box()["height"] > 10


def test_copy_button_copies_exactly_the_snippet_code(context, server):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    pg, *_ = visit(context, server + "deep-learning-computation/parameters/")
    block = pg.locator("div.highlight:has(span.filename)").nth(1)  # param_access.py:state_dict
    block.hover()
    block.locator("button[data-md-type=copy]").click()
    copied = pg.evaluate("navigator.clipboard.readText()")
    text = (SNIPPETS / "parameters/param_access.py").read_text(encoding="utf-8")
    section = text.split("# --8<-- [start:state_dict]\n")[1].split("# --8<-- [end:state_dict]")[0]
    assert copied.strip() == section.strip()


def test_dark_mode_toggle_works_and_survives_a_reload(context, server):
    pg, *_ = visit(context, server + "deep-learning-computation/parameters/")
    scheme = lambda: pg.evaluate("document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    assert scheme() == "default"
    pg.locator("label.md-header__button[for^='__palette']:visible").click()
    assert scheme() == "slate"
    pg.reload(wait_until="networkidle")
    assert scheme() == "slate"
    pg.locator("[id='3-参数绑定']").scroll_into_view_if_needed()
    shot(pg, "dark-note")


@pytest.fixture(scope="module")
def phone_widths(browser, server):
    """Every page on a 375-px phone: the width of what it lays out."""
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                              has_touch=True, device_scale_factor=2)
    widths, labels = {}, {}
    pg = ctx.new_page()
    for path in PAGES:
        pg.goto(server + path, wait_until="load")
        widths[path] = pg.evaluate("document.documentElement.scrollWidth")
        labels[path] = pg.evaluate(SMALLEST_LABEL)
        shot(pg, "phone-" + (path.strip("/").replace("/", "-") or "home"), full_page=False)
    ctx.close()
    return widths, labels


# the smallest label of any figure on the page, in CSS px as drawn (font size × the SVG's scale)
SMALLEST_LABEL = """() => Math.min(Infinity, ...[...document.querySelectorAll("article svg text")]
    .filter(t => t.getClientRects().length > 0)
    .map(t => { const m = t.getScreenCTM();
                return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); }))"""


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_page_scroll_on_a_phone(phone_widths, path):
    assert phone_widths[0][path] <= 375


@pytest.mark.parametrize("path", PAGES)
def test_figure_labels_are_at_least_11px_on_a_phone(phone_widths, path):
    assert phone_widths[1][path] >= 11


def test_the_label_check_sees_a_squeezed_figure(context, server):
    pg, *_ = visit(context, server + "deep-learning-computation/parameters/")
    pg.set_viewport_size({"width": 375, "height": 812})
    pg.add_style_tag(content=".chain-figure svg.wide { min-width: 0 !important; }")
    assert pg.evaluate(SMALLEST_LABEL) < 11


@pytest.mark.parametrize("query, page, section", [
    ("参数绑定", "deep-learning-computation/parameters/", "#3-参数绑定"),
    ("初始化", "deep-learning-computation/parameters/", "#2-参数初始化"),
    ("state_dict", "deep-learning-computation/parameters/", "#1-参数访问"),
])
def test_search_finds_the_right_page_and_section(context, server, query, page, section):
    pg, *_ = visit(context, server)
    pg.locator("label.md-header__button[for='__search']").click() if pg.locator(
        "input.md-search__input").is_hidden() else None
    box = pg.locator("input.md-search__input")
    box.click()
    box.type(query)
    pg.keyboard.press("End")  # Material searches on keyup; typed CJK text fires none
    result = pg.locator(".md-search-result__item a").first
    result.wait_for(state="visible", timeout=30_000)  # index built in a worker; slow under -n load
    base = urlparse(server).path
    groups = [[urlparse(a.get_attribute("href")) for a in item.locator("a").all()]
              for item in pg.locator("li.md-search-result__item").all()]
    shot(pg, f"search-{query}")
    pages = [g[0].path[len(base):] for g in groups]
    assert page in pages[:3], pages  # the note page is among the first pages found
    links = {(u.path[len(base):], "#" + unquote(u.fragment)) for g in groups for u in g}
    assert (page, section) in links, sorted(links)


def test_tied_section_shows_drawn_figures_and_rendered_math(context, server):
    pg, *_ = visit(context, server + "deep-learning-computation/parameters/")
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


def test_the_init_tour_is_a_table_whose_columns_all_fit_at_desktop_width(desktop):
    pg = desktop["deep-learning-computation/parameters-exercises/"][0]
    table = pg.locator("div.snippet-table table")
    assert table.locator("tbody tr").count() == 13
    assert table.locator("tbody tr").first.locator("td").count() == 8
    wrap = pg.locator("div.snippet-table .md-typeset__scrollwrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # nothing behind a scroll


def _jupyterlab_stylesheet() -> str:
    """What nbconvert inlines into a notebook page, before page_notebooks.used_css cuts it."""
    import mkdocs_jupyter

    return (Path(mkdocs_jupyter.__file__).parent / "templates/mkdocs_html/assets/index.css"
            ).read_text(encoding="utf-8")


MATCHING_RULES = """([full, published]) => {
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
  return [full, published].map(text => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    return walk(sheet.cssRules, "", []);
  });
}"""  # noqa: E501 - a JavaScript regex, kept on one line


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_notebook_stylesheet_keeps_every_rule_that_matches_a_notebook_page(browser, server, built_site,
                                                                               scheme):
    """page_notebooks.used_css cuts JupyterLab's stylesheet by class names; Chromium's own selector
    engine checks the cut: on every notebook page, in both schemes, the rules that match are the same."""
    full = _jupyterlab_stylesheet()
    published = (built_site / "assets/stylesheets/jupyter.css").read_text(encoding="utf-8")
    assert len(published) * 5 < len(full)  # the rules no notebook page can match are gone
    one_rule_less = re.sub(r"[^{}]*jp-InputPrompt[^{}]*\{[^{}]*\}", "", published, count=1)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    for path in [p for p in PAGES if p.startswith("notebooks/")]:
        pg = visit(ctx, server + path, scheme)[0]  # waits until the scheme applies
        in_full, in_published = pg.evaluate(MATCHING_RULES, [full, published])
        assert len(in_full) > 50
        assert in_published == in_full, path
        assert pg.evaluate(MATCHING_RULES, [full, one_rule_less])[1] != in_full  # the check sees a lost rule
        pg.close()
    ctx.close()
