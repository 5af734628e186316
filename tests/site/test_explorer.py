"""自己试一试 (the tied-gradient explorer): its JavaScript arithmetic, driven in Chromium,
equals what autograd computed at build time, case by case; and every reader can use it.

The interface these tests drive is the one the authoring guide documents: inputs named
w, b, x, y, lr; a checkbox tied; a select loss; numbers in [data-quantity] elements.
"""
from __future__ import annotations

import json

import pytest

from browser import ARTIFACTS, visit
from helpers import run_snippet

NOTE = "deep-learning-computation/parameters/"
EXPLORER = ".tied-explorer"
SNIPPET = "parameters/tied_explorer.py"  # run by the fixture ns (tests/conftest.py)


@pytest.fixture(scope="module")
def by_hand():
    return run_snippet("parameters/tied_1d_by_hand.py")[0]

# every visible number of the explorer, as (quantity, text)
SHOWN = """root => [...root.querySelectorAll('[data-quantity]')]
    .filter(el => el.getClientRects().length > 0)
    .map(el => [el.dataset.quantity, el.textContent])"""


def value(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def drive(pg, inputs: dict) -> list[tuple[str, str]]:
    """Set the explorer's controls as a reader would and read every number it shows."""
    for name in ("w", "b", "x", "y", "lr"):
        pg.fill(f"{EXPLORER} input[name={name}]", f"{inputs[name]:g}")
    pg.set_checked(f"{EXPLORER} input[name=tied]", inputs["tied"])
    pg.select_option(f"{EXPLORER} select[name=loss]", inputs["loss"])
    return pg.locator(EXPLORER).evaluate(SHOWN)


def mismatches(pg, cases: list[dict]) -> list:
    """Every shown number must equal torch's to 4 decimals, and every quantity must be shown."""
    bad = []
    for case in cases:
        shown, expect = drive(pg, case["inputs"]), case["expect"]
        if {q for q, _ in shown} != set(expect):
            bad.append((case["inputs"], "shows", sorted({q for q, _ in shown} ^ set(expect))))
        for q, text in shown:
            if q not in expect or abs(value(text) - expect[q]) > 5e-5 + 1e-9 * abs(expect[q]):
                bad.append((case["inputs"], q, text, expect.get(q)))
    return bad


@pytest.fixture(scope="module")
def note(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg, errors, hosts, _ = visit(ctx, server + NOTE)
    yield pg, errors
    ctx.close()


@pytest.fixture(scope="module")
def cases(note):
    pg, _ = note
    return json.loads(pg.locator(f"{EXPLORER} script.explorer-cases").text_content())


def test_the_page_embeds_autograds_results_for_a_grid_that_covers_the_hard_cases(ns, cases):
    assert cases == [{"inputs": c, "expect": r} for c, r in zip(ns["CASES"], ns["results"])]
    inputs = [c["inputs"] for c in cases]
    numbers = [c[k] for c in inputs for k in ("w", "b", "x", "y", "lr")]
    assert any(v < 0 for v in numbers) and 0 in numbers and any(v != int(v) for v in numbers)
    assert {(c["tied"], c["loss"]) for c in inputs} == {
        (t, loss) for t in (True, False) for loss in ("out - y", "(out - y)^2")}


def test_its_first_state_is_the_notes_example_and_matches_the_static_figure(by_hand, note, cases):
    pg, errors = note
    assert errors == []
    first = cases[0]["inputs"]
    assert (first["w"], first["b"], first["x"], first["y"], first["lr"]) == tuple(
        by_hand[k] for k in ("w", "b", "x", "y", "lr"))
    assert first["tied"] and first["loss"] == "out - y"
    shown = dict(pg.locator(EXPLORER).evaluate(SHOWN))
    assert value(shown["grad_w"]) == pytest.approx(by_hand["grads"]["w"])
    assert value(shown["grad_w1"]) == pytest.approx(by_hand["per_layer"]["w1"])
    assert value(shown["new_w"]) == pytest.approx(by_hand["new_w"])
    figure = pg.locator("#tied-1d").inner_text()
    for q in ("grad_w", "grad_b", "new_w", "new_b"):  # the static figure shows the same numbers
        assert shown[q] in figure, q
    pg.locator(EXPLORER).screenshot(path=str(ARTIFACTS / "explorer.png"))


def test_every_number_equals_torchs_on_every_case_of_the_grid(note, cases):
    pg, errors = note
    assert mismatches(pg, cases) == []
    assert errors == []


def test_a_wrong_formula_in_the_script_fails(browser, server, cases):
    """The check above can fail: averaging the two gradients instead of summing them is caught."""
    ctx = browser.new_context()

    def wrong(route):
        body = route.fetch().text()
        assert "q.grad_w1 + q.grad_w2" in body
        route.fulfill(body=body.replace("q.grad_w1 + q.grad_w2", "(q.grad_w1 + q.grad_w2) / 2"),
                      content_type="text/html")

    ctx.route("**/" + NOTE, wrong)
    pg, *_ = visit(ctx, server + NOTE)
    bad = mismatches(pg, cases[:3])
    ctx.close()
    assert {m[1] for m in bad} >= {"grad_w", "new_w"}


def test_keyboard_labels_and_a_live_region(ns, note, cases):
    pg, _ = note
    ex = pg.locator(EXPLORER)
    for role, count in (("spinbutton", 5), ("slider", 5), ("checkbox", 1), ("combobox", 1)):
        controls = ex.get_by_role(role)
        assert controls.count() == count, role
        for i in range(count):  # each has an accessible name from its <label>
            assert controls.nth(i).evaluate("el => el.labels?.length || el.getAttribute('aria-labelledby')")
    drive(pg, cases[0]["inputs"])
    slider = ex.locator("input[type=range][data-for=w]")
    slider.focus()
    pg.keyboard.press("ArrowRight")  # one step: w 2 -> 2.1
    assert ex.locator("input[name=w]").input_value() == "2.1"
    status = ex.get_by_role("status")
    assert status.count() == 1
    expected = ns["tied_case"](2.1, *(cases[0]["inputs"][k] for k in ("b", "x", "y", "lr")))
    assert status.inner_text().count("=") >= 3
    assert f"w = {expected['new_w']:.4f}".rstrip("0").replace("-", "\u2212") in status.inner_text()
    ex.locator("input[name=tied]").focus()
    pg.keyboard.press("Space")  # the switch works from the keyboard
    assert ex.get_attribute("data-mode") == "untied"
    ex.locator("input[name=x]").fill("")  # half-typed input: marked, old results kept
    assert ex.locator("input[name=x]").get_attribute("aria-invalid") == "true"
    ex.locator("button[type=reset]").click()
    assert value(dict(ex.evaluate(SHOWN))["new_w"]) == pytest.approx(cases[0]["expect"]["new_w"])
    assert ex.get_attribute("data-mode") == "tied"
    assert ex.locator("input[type=range][data-for=w]").input_value() == f"{cases[0]['inputs']['w']:g}"


def test_without_javascript_the_static_figure_and_derivation_still_teach(browser, server):
    ctx = browser.new_context(java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto(server + NOTE)
    assert pg.locator(EXPLORER).is_hidden()
    assert pg.locator("#tied-1d svg").is_visible()
    assert pg.locator(".derivation math").count() == 9
    ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_it_works_on_a_375px_phone(browser, server, cases, scheme):
    ctx = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                              has_touch=True, device_scale_factor=2, color_scheme=scheme)
    pg, errors, *_ = visit(ctx, server + NOTE, scheme)
    ex = pg.locator(EXPLORER)
    ex.scroll_into_view_if_needed()
    assert mismatches(pg, cases[6:8]) == []  # an untied case and a tied one
    box = ex.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    for control in ex.locator("input, select, button").all():
        b = control.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 375 and b["height"] >= 20
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    ex.screenshot(path=str(ARTIFACTS / f"explorer-phone-{scheme}.png"))
    ctx.close()
    assert errors == []


def test_the_script_is_small_plain_and_only_on_its_page(built_site):
    from helpers import ROOT

    script = (ROOT / "src/d2l_site/tied_explorer.js").read_bytes()
    assert len(script) < 15_000
    assert not any(s in script for s in (b"http", b"import ", b"fetch(", b"require("))
    pages = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
             if b'class="tied-explorer"' in p.read_bytes()]
    assert pages == [NOTE + "index.html"]
    assert not list(built_site.rglob("tied_explorer.js"))  # inlined, not shipped to every page


def test_the_notebook_says_how_to_reproduce_it_with_the_snippet(built_site):
    import nbformat

    nb = nbformat.read(built_site / "notebooks/parameters/parameters.ipynb", as_version=4)
    prose = [c.source for c in nb.cells if c.cell_type == "markdown" and "tied_case(" in c.source]
    code = [c for c in nb.cells if c.cell_type == "code"
            and c.metadata.get("snippet") == "snippets/parameters/tied_explorer.py"]
    assert prose and "Notebook" in prose[0]
    assert len(code) == 1 and "def tied_case(" in code[0].source
    assert "<script" not in "".join(c.source for c in nb.cells)  # no inert widget in the .ipynb
