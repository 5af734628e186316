"""Charts drawn by matplotlib at build time, as inline SVG in the page's colours (light and dark)."""

from __future__ import annotations

import io
import re
import warnings
from html import escape

# -- charts: drawn by matplotlib at build time, inline SVG in the page's colours -----------

# 560 x 260 SVG units with 13-unit text, as the page's other figures: at the CSS min-width
# of svg.chart (474 px) no label is under 11 px
CHART_INCHES, CHART_FONT = (560 / 72, 260 / 72), 13
# matplotlib knows no currentColor or CSS variable: draw in stand-in colours, then swap in
# the page's, so the charts follow light and dark mode (a standalone .svg gets the fallbacks)
INK, BAR, CURVE = "#010101", "#020202", "#030303"
PAGE_COLOURS = {INK: "currentColor", BAR: "var(--chart-bar, #3f51b5)", CURVE: "var(--grad-color, #e65100)"}
SVG_ROOT = re.compile(r"<svg [^>]*>")


def _plot(draw, *, x_label: str, y_label: str) -> str:
    """The SVG of a figure whose one axes `draw` fills: no top or right frame, no background."""
    import matplotlib

    matplotlib.use("svg")  # no GUI, no Agg: the SVG backend is the only one used
    import matplotlib.pyplot as plt

    style = {
        "svg.hashsalt": "d2l-notes",
        "svg.fonttype": "none",
        "font.size": CHART_FONT,
        "text.color": INK,
        "axes.edgecolor": INK,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.facecolor": "none",
        "axes.facecolor": "none",
    }
    with matplotlib.rc_context(style), warnings.catch_warnings():
        # CJK axis labels: matplotlib only measures them (DejaVu has no CJK); the browser draws them
        warnings.filterwarnings("ignore", "Glyph .* missing from")
        fig, ax = plt.subplots(figsize=CHART_INCHES)
        draw(ax)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        fig.tight_layout(pad=0.4)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return out.getvalue()


def _chart(svg: str, name: str, title: str, caption: str) -> str:
    """matplotlib's SVG inline in a <figure>, like the page's other figures: the same bytes
    every build (svg.hashsalt, no date, 2 decimals), ids prefixed by the chart's name (several
    charts share a page), the page's colours and font, a title for screen readers."""
    svg = svg[svg.index("<svg ") :]
    svg = re.sub(
        r"<metadata>.*?</metadata>|<style type=\"text/css\">.*?</style>", "", svg, flags=re.S
    )  # its <style> is a `*` rule: inline, it would restyle the whole page
    used = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))  # keep the ids something refers to
    svg = re.sub(r'\s\bid="([^"]+)"', lambda m: m[0] if m[1] in used or m[1].startswith("bar-") else "", svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"<[^>]+>", lambda tag: re.sub(r"(\.\d\d)\d+", r"\1", tag[0]), svg)  # 1/100 unit: < 1 px
    svg = re.sub(r'(href="#|url\(#)', rf"\1{name}-", svg).replace("xlink:href=", "href=")  # SVG 2
    for stand_in, colour in PAGE_COLOURS.items():
        svg = svg.replace(stand_in, colour)
    svg = re.sub(r"font-family: [^;\"]*;? ?", "", svg)  # the page's own font, which has CJK
    svg = re.sub(r' transform="rotate\(-0 [^"]*\)"', "", svg)
    view_box = re.search(r'viewBox="[^"]*"', svg)[0]
    svg = SVG_ROOT.sub(
        f'<svg class="chart" {view_box} role="img" aria-labelledby="{name}-title">'
        f'<title id="{name}-title">{escape(title)}</title>',
        svg,
        count=1,
    )
    svg = re.sub(r"\n\s*", "", svg)
    return (
        f'<figure class="chain-figure chart-figure" id="{name}" tabindex="0">{svg}'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def histogram(name: str, values, *, bins: int = 40, title: str, caption: str) -> str:
    """Histogram of a 1-D tensor; the bin counts come from torch.histc. An empty bin has no
    bar; each bar is `<name>-bar-<bin>` in the SVG."""
    import torch

    lo, hi = float(values.min()), float(values.max())
    if hi == lo:
        hi = lo + 1.0
    counts = torch.histc(values.float(), bins=bins, min=lo, max=hi).tolist()
    width = (hi - lo) / bins

    def draw(ax):
        for i, count in enumerate(counts):
            if count:
                ax.bar(lo + i * width, count, width=width * 0.92, align="edge", color=BAR, alpha=0.75, gid=f"bar-{i}")
        ax.set_xlim(lo, hi)

    return _chart(_plot(draw, x_label="值", y_label="个数"), name, title, caption)


def line_chart(name: str, ys, *, title: str, caption: str, x_label: str = "步") -> str:
    """A line of ys against 1..len(ys)."""

    def draw(ax):
        ax.plot(range(1, len(ys) + 1), ys, color=CURVE, linewidth=2)
        ax.set_xlim(1, len(ys))
        ax.set_ylim(bottom=0)

    return _chart(_plot(draw, x_label=x_label, y_label="损失"), name, title, caption)
