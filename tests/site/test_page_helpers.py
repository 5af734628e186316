"""The build-time helpers: remarks that go stale stop the build; figures are deterministic."""
from __future__ import annotations

import pytest

from d2l_site import charts, figures, page_helpers

SNIPPET = "parameters/tied_1d_by_hand.py"  # run by the fixture ns (tests/conftest.py)


def test_a_note_remark_that_became_true_stops_the_build():
    with pytest.raises(AssertionError, match="remove this remark"):
        page_helpers.note_differs("tensor([[1.8000]])", "tensor([[1.8000]])", "", still_differs=False)


def test_a_note_remark_quotes_both_sides():
    text = page_helpers.note_differs("tensor(1.8000)", "tensor([[1.8000]])", "形状不同。",
                                     still_differs=True)
    assert text.startswith('!!! warning "与笔记不同"')
    assert "`tensor(1.8000)`" in text and "`tensor([[1.8000]])`" in text


def test_numbers_print_as_a_reader_writes_them():
    assert [page_helpers.num(v) for v in (3.0, 1 - 0.1 * 3, 1.5, -2.25)] == ["3", "0.7", "1.5", "-2.25"]


def in_a_fresh_interpreter(code: str) -> str:
    """What `code` prints in a new Python process: the same bytes there are the same bytes in any build."""
    import subprocess
    import sys

    from helpers import ROOT, project_env

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env=project_env(ROOT, {"PYTHONPATH": str(ROOT / "tests")}), timeout=120, check=True)
    return done.stdout


def test_figures_are_byte_identical_and_carry_the_live_numbers(ns):
    a = figures.tied_figure(ns)
    assert a == in_a_fresh_interpreter(
        "from d2l_site import figures\nfrom helpers import run_snippet\n"
        "print(figures.tied_figure(run_snippet('parameters/tied_1d_by_hand.py')[0]), end='')")
    for shown in ("∂L/∂w = 3 + 2 = 5", "∂L/∂b = 1 + 2 = 3", "w = 1.5", "b = 0.7"):
        assert shown in a
    net = figures.net_figure(ns)
    for shown in ("x = 1", "= 3", "= 7", "loss = 4"):
        assert shown in net
    assert "<title" in net and "<figcaption>" in net


def test_derivation_is_mathml_with_the_live_numbers(ns):
    html = page_helpers.tied_derivation(ns)
    assert html.count("<math") == 9 and "$" not in html
    assert "<mn>5</mn>" in html and "<mn>1.5</mn>" in html and "<mn>0.7</mn>" in html


def test_a_histogram_is_matplotlibs_svg_in_the_pages_colours_with_a_bar_per_nonempty_bin():
    import re

    import torch

    values = torch.tensor([-1.0] * 3 + [0.0] * 5 + [2.0] * 2)
    svg = charts.histogram("h", values, bins=6, title="标题", caption="说明")
    assert svg == in_a_fresh_interpreter(  # the same bytes in another process: matplotlib's hashsalt, no date
        "import torch\nfrom d2l_site import charts\n"
        "values = torch.tensor([-1.0] * 3 + [0.0] * 5 + [2.0] * 2)\n"
        "print(charts.histogram('h', values, bins=6, title='标题', caption='说明'), end='')")
    assert re.findall(r'id="h-bar-(\d+)"', svg) == ["0", "2", "5"]  # torch.histc's non-empty bins
    assert svg.count('id="h-bar-') == 3
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert len(ids) == len(set(ids)) and all(i == "h" or i.startswith("h-") for i in ids)
    for stand_in in charts.PAGE_COLOURS:
        assert stand_in not in svg
    assert "<style" not in svg and "font-family" not in svg and "<metadata" not in svg
    assert '<title id="h-title">标题</title>' in svg and "<figcaption>说明</figcaption>" in svg
    assert {"个数", "值"} <= set(re.findall(r"<text[^>]*>([^<]+)</text>", svg))


def test_a_line_chart_follows_its_values():
    import re

    svg = charts.line_chart("l", [4.0, 2.0, 1.0], title="t", caption="c")
    path = re.search(r'<path d="M ([^"]+)"[^>]*stroke: var\(--grad-color', svg)[1]
    points = [tuple(map(float, p.split())) for p in path.split("L")]
    ys = [y for _, y in points]
    assert len(points) == 3 and ys[0] < ys[1] < ys[2]  # falling loss: larger SVG y each step
    assert {"损失", "步", "1", "3"} <= set(re.findall(r"<text[^>]*>([^<]+)</text>", svg))
