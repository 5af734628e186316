"""The site in a real browser (Playwright + Chromium), served under a sub-path: what readers do
(copy, switch the scheme, search, read on a phone). The checks every page gets are in test_pages.py.

Without a browser these tests skip with the reason; with REQUIRE_BROWSER=1 (CI)
a missing browser is a failure, so they can never silently stop running.
Fixtures: tests/site/conftest.py; helpers: tests/browser.py (shared with the
explorer and accessibility tests).
"""
from __future__ import annotations

import time
from urllib.parse import unquote, urlparse

import pytest

from browser import PAGES, SKIPPED_CELLS, TOGGLE, shot, visit, wait_for_cells
from helpers import SNIPPETS


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
    pg.locator(TOGGLE).click()
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
    widths, labels, cells = {}, {}, {}
    pg = ctx.new_page()
    for path in PAGES:
        pg.goto(server + path, wait_until="load")
        widths[path] = pg.evaluate("document.documentElement.scrollWidth")
        labels[path] = pg.evaluate(LABEL_SIZES)
        shot(pg, "phone-" + (path.strip("/").replace("/", "-") or "home"), full_page=False)
        wait_for_cells(pg)
        cells[path] = pg.evaluate(CUT_CELLS)
    ctx.close()
    return widths, labels, cells


# the smallest label of any figure on the page, in CSS px as drawn (font size × the SVG's scale)
LABEL_SIZES = """() => [...document.querySelectorAll("article svg text")]
    .filter(t => t.getClientRects().length > 0)
    .map(t => { const m = t.getScreenCTM();
                return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); })"""
SMALLEST_LABEL = f"() => Math.min(Infinity, ...({LABEL_SIZES})())"
# the pages with inline SVG figures (the notebook pages show them as images)
FIGURES = {"deep-learning-computation/parameters/", "deep-learning-computation/parameters-exercises/"}


@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_page_scroll_on_a_phone(phone_widths, path):
    assert phone_widths[0][path] <= 375


# a notebook page's cell count, and the boxes in its cells that cut off what is wider than them:
# a cell itself (while content-visibility skips it, it clips), or a box whose overflow is hidden
# (JupyterLab's input area is one)
CUT_CELLS = """() => { const cells = [...document.querySelectorAll(".jp-Notebook > .jp-Cell")];
    const cuts = el => el.scrollWidth > el.clientWidth + 1;
    const cut = cells.flatMap(c => [c, ...c.querySelectorAll("*")].filter(el =>
        (el === c || ["hidden", "clip"].includes(getComputedStyle(el).overflowX)) && cuts(el)));
    return [cells.length, cut.map(el => el.closest(".jp-Cell").id + " " + el.className)]; }"""


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("notebooks/")])
def test_no_notebook_cell_is_cut_off_on_a_phone(phone_widths, path):
    """A cell clips whatever is wider than it while it is skipped, and JupyterLab's input area
    always does: every wide thing scrolls in its own box."""
    count, cut = phone_widths[2][path]
    assert count > 0 and cut == []


def test_a_notebook_pages_cells_start_skipped_and_are_all_drawn_once_it_has_loaded(context, server):
    """Out of sight at first (its start-up is cheaper), then every cell drawn: find in page, anchors
    and a checker that scrolls (axe, Lighthouse) see the page as it would be without the rule."""
    pg = context.new_page()
    pg.set_viewport_size({"width": 412, "height": 823})  # Lighthouse's phone
    pg.goto(server + "notebooks/parameters/", wait_until="domcontentloaded")
    assert pg.evaluate(SKIPPED_CELLS) > 20  # before it has loaded
    wait_for_cells(pg)
    assert pg.evaluate(LAYOUT_SHIFT) < 0.01  # nothing in sight moved (the rule came after the cells: 0.71)


# the page's layout shift so far (Lighthouse's, with each shift counted)
LAYOUT_SHIFT = """() => new Promise(done => {
    new PerformanceObserver(list => done(list.getEntries().reduce((sum, shift) => sum + shift.value, 0)))
        .observe({type: "layout-shift", buffered: true});
    setTimeout(() => done(0), 1000);  // no shift, no entry
})"""


@pytest.mark.parametrize("path", PAGES)
def test_figure_labels_are_at_least_11px_on_a_phone(phone_widths, path):
    """On d16244c this passed on the 9 pages with no figure without looking at a label."""
    sizes = phone_widths[1][path]
    if path in FIGURES:
        assert sizes and min(sizes) >= 11, sizes
    else:
        assert sizes == [], f"{path} has figure labels now: add it to FIGURES"


def test_the_label_check_sees_a_squeezed_figure(context, server):
    pg, *_ = visit(context, server + "deep-learning-computation/parameters/")
    pg.set_viewport_size({"width": 375, "height": 812})
    pg.add_style_tag(content=".chain-figure svg.wide { min-width: 0 !important; }")
    assert pg.evaluate(SMALLEST_LABEL) < 11


SEARCHES = [("参数绑定", "deep-learning-computation/parameters/", "#3-参数绑定"),
            ("初始化", "deep-learning-computation/parameters/", "#2-参数初始化"),
            ("state_dict", "deep-learning-computation/parameters/", "#1-参数访问")]


# each search result's links, read in one go: Material draws the results again as the query's
# characters arrive and as its index worker answers (a link read one by one could be gone: a CI run
# waited 30 s on one)
RESULT_LINKS = """() => [...document.querySelectorAll("li.md-search-result__item")]
    .map(item => [...item.querySelectorAll("a")].map(a => a.getAttribute("href")))"""


def settled(pg, script: str, quiet: float = 0.5, timeout: float = 30):
    """What `script` returns once it has stayed the same for `quiet` seconds."""
    last, since, deadline = None, time.monotonic(), time.monotonic() + timeout
    while True:
        now = pg.evaluate(script)
        if now != last:
            last, since = now, time.monotonic()
        elif now and time.monotonic() - since >= quiet:
            return now
        if time.monotonic() > deadline:
            raise TimeoutError(f"still changing after {timeout} s: {now}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def searched(browser, server) -> dict[str, tuple[list[str], set]]:
    """Each query typed into the home page's search box, one after another, as a reader does:
    the pages found, in order, and every (page, #section) link of the results."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg, *_ = visit(ctx, server)
    base, found = urlparse(server).path, {}
    for query, _, _ in SEARCHES:
        if pg.locator("input.md-search__input").is_hidden():
            pg.locator("label.md-header__button[for='__search']").click()
        box = pg.locator("input.md-search__input")
        box.fill("")
        pg.keyboard.press("End")  # Material searches on keyup: the results of the last query go
        pg.locator(".md-search-result__item").first.wait_for(state="detached", timeout=30_000)
        box.click()
        box.type(query)
        pg.keyboard.press("End")  # typed CJK text fires no keyup
        result = pg.locator(".md-search-result__item a").first
        result.wait_for(state="visible", timeout=30_000)  # index built in a worker; slow under -n load
        groups = [[urlparse(href) for href in item] for item in settled(pg, RESULT_LINKS)]
        shot(pg, f"search-{query}")
        found[query] = ([g[0].path[len(base):] for g in groups],
                        {(u.path[len(base):], "#" + unquote(u.fragment)) for g in groups for u in g})
    ctx.close()
    return found


@pytest.mark.parametrize("query, page, section", SEARCHES)
def test_search_finds_the_right_page_and_section(searched, query, page, section):
    pages, links = searched[query]
    assert page in pages[:3], pages  # the note page is among the first pages found
    assert (page, section) in links, sorted(links)
