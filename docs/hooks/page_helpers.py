"""Build-time helpers called from the hidden markdown-exec blocks of the pages.

No plugin draws a figure or writes MathML from values computed in a markdown-exec
session, and none checks that a "the note was wrong here" remark is still true,
so these few functions do it. They only format: every number they show comes
from the snippet that ran just before them in the same session.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from latex2mathml.converter import convert as _latex_to_mathml


# -- "the note says X, PyTorch prints Y" ---------------------------------------

def note_differs(note: str, live: str, why: str, *, still_differs: bool) -> str:
    """An admonition quoting the note next to the live output.

    ``still_differs`` is evaluated on the live objects by the caller; when the
    note's claim has become true, the remark is stale and the build stops.
    """
    if not still_differs:
        raise AssertionError(
            f"note_differs: the note's claim {note!r} now matches the live output "
            f"{live!r}; remove this remark from the page")
    return (
        '!!! warning "与笔记不同"\n\n'
        f"    笔记里写的是 `{note}`，本页构建时 PyTorch 实际打印 `{live}`。{why}\n"
    )


# -- numbers and formulas -------------------------------------------------------

def num(value: float) -> str:
    """A float as a reader writes it: 3.0 -> '3', 0.7000000001 -> '0.7'."""
    return f"{round(float(value), 6):g}"


def math(latex: str, *, block: bool = True) -> str:
    """LaTeX -> MathML at build time, so the page needs no math script at all."""
    return _latex_to_mathml(latex, display="block" if block else "inline")


def tied_derivation(ns: dict) -> str:
    """The chain rule per layer, then the sum, for w and b (values from tied_1d_by_hand.py)."""
    n = {k: num(ns[k]) for k in ("w", "b", "x", "y", "lr", "h", "out", "loss", "new_w", "new_b")}
    g = {k: num(v) for k, v in ns["per_layer"].items()}
    s = {k: num(v) for k, v in ns["grads"].items()}
    rows = [
        ("前向传播（两层参数相同）",
         [rf"h = w x + b = {n['w']} \times {n['x']} + {n['b']} = {n['h']}",
          rf"\mathrm{{out}} = w h + b = {n['w']} \times {n['h']} + {n['b']} = {n['out']}",
          rf"L = \mathrm{{out}} - y = {n['out']} - {n['y']} = {n['loss']}"]),
        ("先当作两组独立参数，逐层用链式法则",
         [rf"\frac{{\partial L}}{{\partial w_2}} = h = {g['w2']},\quad"
          rf"\frac{{\partial L}}{{\partial b_2}} = {g['b2']}",
          rf"\frac{{\partial L}}{{\partial w_1}} = \frac{{\partial L}}{{\partial h}}"
          rf"\frac{{\partial h}}{{\partial w_1}} = w_2 x = {g['w1']},\quad"
          rf"\frac{{\partial L}}{{\partial b_1}} = \frac{{\partial L}}{{\partial h}}"
          rf"\frac{{\partial h}}{{\partial b_1}} = w_2 = {g['b1']}"]),
        ("绑定后 w₁ = w₂ = w、b₁ = b₂ = b：两份梯度相加",
         [rf"\frac{{\partial L}}{{\partial w}} = \frac{{\partial L}}{{\partial w_2}}"
          rf" + \frac{{\partial L}}{{\partial w_1}} = {g['w2']} + {g['w1']} = {s['w']}",
          rf"\frac{{\partial L}}{{\partial b}} = \frac{{\partial L}}{{\partial b_2}}"
          rf" + \frac{{\partial L}}{{\partial b_1}} = {g['b2']} + {g['b1']} = {s['b']}"]),
        (f"SGD 一步（学习率 η = {n['lr']}）",
         [rf"w \leftarrow w - \eta \frac{{\partial L}}{{\partial w}} = {n['w']} - {n['lr']}"
          rf" \times {s['w']} = {n['new_w']}",
          rf"b \leftarrow b - \eta \frac{{\partial L}}{{\partial b}} = {n['b']} - {n['lr']}"
          rf" \times {s['b']} = {n['new_b']}"]),
    ]
    parts = ['<div class="derivation">']
    for title, formulas in rows:
        parts.append(f"<p><strong>{escape(title)}</strong></p>")
        parts.extend(math(f) for f in formulas)
    parts.append("</div>")
    return "\n".join(parts)


# -- figures: one vertical chain diagram, used for both pictures -----------------

_FONT = 15
_LINE = 20


def _text(x: float, y: float, line: str, cls: str = "", anchor: str = "middle") -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{c}>{escape(line)}</text>'


def chain_figure(name: str, stages: list[tuple[str, list[str], list[str]]], *,
                 footer: list[str], title: str, caption: str) -> str:
    """Draw a top-to-bottom chain of value pills and layer boxes as inline SVG.

    ``stages`` holds (kind, lines, notes): kind is "value" or "layer"; notes, if
    any, are drawn to the right of a layer box with a dashed backward arrow.
    Deterministic output: ids come from ``name``, coordinates from the layout.
    """
    has_notes = any(notes for _, _, notes in stages)
    width = 560 if has_notes else 300
    cx, box_w, pad = 150, 220, 12
    out, y = [], 16
    for i, (kind, lines, notes) in enumerate(stages):
        h = len(lines) * _LINE + pad
        if kind == "layer":
            out.append(f'<rect class="layer" x="{cx - box_w / 2:g}" y="{y}" width="{box_w}"'
                       f' height="{h}" rx="6"/>')
        else:
            out.append(f'<rect class="value" x="{cx - 70}" y="{y}" width="140" height="{h}"'
                       f' rx="{h / 2:g}"/>')
        for j, line in enumerate(lines):
            out.append(_text(cx, y + pad / 2 + (j + 0.75) * _LINE, line))
        if notes:
            ny = y + h / 2 - (len(notes) - 1) * _LINE / 2
            out.append(f'<path class="back" d="M{cx + box_w / 2 + 70} {y + h / 2:g}'
                       f' H{cx + box_w / 2 + 4}" marker-end="url(#{name}-back)"/>')
            for j, note in enumerate(notes):
                out.append(_text(cx + box_w / 2 + 78, ny + j * _LINE + 5, note, "grad", "start"))
        y += h
        if i < len(stages) - 1:
            out.append(f'<path class="fwd" d="M{cx} {y + 2} V{y + 24}"'
                       f' marker-end="url(#{name}-fwd)"/>')
            y += 28
    if footer:
        y += 14
        fh = len(footer) * _LINE + pad
        out.append(f'<rect class="sum" x="8" y="{y}" width="{width - 16}" height="{fh}" rx="6"/>')
        for j, line in enumerate(footer):
            out.append(_text(20, y + pad / 2 + (j + 0.75) * _LINE, line, "grad", "start"))
        y += fh
    height = y + 12
    defs = "".join(
        f'<marker id="{name}-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"'
        f' markerHeight="7" orient="auto-start-reverse"><path class="{kind}-head"'
        f' d="M0 0 L10 5 L0 10 z"/></marker>' for kind in ("fwd", "back"))
    svg = (f'<svg class="{"wide" if has_notes else "narrow"}" viewBox="0 0 {width} {height}" role="img"'
           f' aria-labelledby="{name}-title" font-size="{_FONT}">'
           f'<title id="{name}-title">{escape(title)}</title><defs>{defs}</defs>'
           + "".join(out) + "</svg>")
    return (f'<figure class="chain-figure" id="{name}">{svg}'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def net_figure(ns: dict) -> str:
    """Picture 1: the one-unit, two-layer net with its forward values."""
    n = {k: num(ns[k]) for k in ("w", "b", "x", "y", "h", "out", "loss")}
    stages = [
        ("value", [f"x = {n['x']}"], []),
        ("layer", ["第一层 nn.Linear(1, 1)", f"w₁ = {n['w']}，b₁ = {n['b']}"], []),
        ("value", [f"h = w₁x + b₁ = {n['h']}"], []),
        ("layer", ["第二层 nn.Linear(1, 1)", f"w₂ = {n['w']}，b₂ = {n['b']}"], []),
        ("value", [f"out = w₂h + b₂ = {n['out']}"], []),
        ("layer", [f"loss = out − y（y = {n['y']}）"], []),
        ("value", [f"loss = {n['loss']}"], []),
    ]
    return chain_figure(
        "net-1d", stages, footer=[],
        title=(f"一元两层网络：x = {n['x']} 经过两个 nn.Linear(1, 1)（w = {n['w']}，b = {n['b']}）"
               f"得到 h = {n['h']}、out = {n['out']}，loss = {n['loss']}"),
        caption="一个最简单的一元神经网络：两个 nn.Linear(1, 1) 串联，图中数值由构建时的前向计算生成")


def tied_figure(ns: dict) -> str:
    """Picture 2: the two gradient contributions to the tied (w, b), their sum and the update."""
    n = {k: num(ns[k]) for k in ("w", "b", "x", "y", "lr", "h", "out", "loss", "new_w", "new_b")}
    g = {k: num(v) for k, v in ns["per_layer"].items()}
    s = {k: num(v) for k, v in ns["grads"].items()}
    stages = [
        ("value", [f"x = {n['x']}"], []),
        ("layer", ["共享层（第一次使用）", f"w = {n['w']}，b = {n['b']}"],
         [f"∂L/∂w = w·x = {g['w1']}", f"∂L/∂b = w = {g['b1']}"]),
        ("value", [f"h = {n['h']}"], []),
        ("layer", ["共享层（第二次使用）", f"w = {n['w']}，b = {n['b']}"],
         [f"∂L/∂w = h = {g['w2']}", f"∂L/∂b = {g['b2']}"]),
        ("value", [f"out = {n['out']}"], []),
        ("value", [f"L = out − y = {n['loss']}"], []),
    ]
    footer = [
        f"同一组 (w, b) 收到两份梯度，按向量相加：",
        f"∂L/∂w = {g['w2']} + {g['w1']} = {s['w']}，∂L/∂b = {g['b2']} + {g['b1']} = {s['b']}",
        f"SGD（η = {n['lr']}）：w = {n['w']} − {n['lr']}×{s['w']} = {n['new_w']}，"
        f"b = {n['b']} − {n['lr']}×{s['b']} = {n['new_b']}",
    ]
    return chain_figure(
        "tied-1d", stages, footer=footer,
        title=(f"参数绑定下的梯度：共享层的 w 从两次使用中分别得到 {g['w1']} 和 {g['w2']}，"
               f"相加为 {s['w']}；b 得到 {g['b1']} 和 {g['b2']}，相加为 {s['b']}；"
               f"更新后 w = {n['new_w']}，b = {n['new_b']}"),
        caption="参数绑定下的梯度计算：虚线箭头是反向传播送回共享参数的两份梯度，图中数值由构建时的计算生成")


# -- the 代码片段 page ------------------------------------------------------------

ARCHIVE = "downloads/d2l-notes-snippets-notebooks.zip"  # written by build_hooks.on_post_build
ARCHIVE_LINK = (f'[下载全部代码和 Notebook（.zip，供离线学习）](../{ARCHIVE})'
                '{ .md-button .md-button--primary download }')

def snippet_index(root: str | Path | None = None) -> str:
    """Markdown listing every snippet file, grouped by folder, in the order the pages show them.

    Each entry: a download link (the files are published with the site by
    build_hooks.py), the file's one-line docstring, and the command to run it.
    """
    import ast
    import os
    import re

    root = Path(root or os.environ.get("MKDOCS_CONFIG_DIR", "."))
    first_seen: dict[str, tuple[str, int]] = {}
    titles: dict[str, str] = {}
    for page in sorted((root / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", text, re.M)
        for m in re.finditer(r'--8<-- "snippets/([^":]+)', text):
            first_seen.setdefault(m[1], (str(page), m.start()))
            titles.setdefault(m[1].split("/")[0], title[1] if title else "")
    files = sorted((p.relative_to(root / "snippets").as_posix()
                    for p in (root / "snippets").rglob("*.py")),
                   key=lambda f: first_seen.get(f, ("~", 0)))
    lines, folder = [], None
    for rel in files:
        top = rel.split("/")[0]
        if top != folder:
            folder = top
            lines += ["", f"## {titles.get(top, top)}", ""]
        doc = ast.get_docstring(ast.parse((root / "snippets" / rel).read_text(encoding="utf-8")))
        lines.append(f"- [`{rel}`](../snippets/{rel}){{ download }}：{(doc or '').splitlines()[0]}"
                     f"<br>运行：`python snippets/{rel}`")
    return "\n".join(lines).lstrip("\n") + "\n"


# -- charts: histograms and a line chart, as deterministic inline SVG ------------

# one frame for every chart: viewBox size, left axis, bottom axis, top of the plot area
CHART_W, CHART_H, LEFT, BOTTOM, PLOT_TOP = 560, 260, 56, 228, 24
PLOT_W, PLOT_H = CHART_W - LEFT - 8, BOTTOM - PLOT_TOP


def _chart(name: str, title: str, caption: str, body: list[str], *, x_labels, y_max: float,
           y_label: str) -> str:
    """Axes, ticks and frame shared by the histograms and the loss curve."""
    left, bottom, width, height = LEFT, BOTTOM, CHART_W, CHART_H
    parts = [f'<line class="axis" x1="{left}" y1="{bottom}" x2="{width - 8}" y2="{bottom}"/>',
             f'<line class="axis" x1="{left}" y1="{PLOT_TOP}" x2="{left}" y2="{bottom}"/>',
             _text(left - 6, PLOT_TOP + 5, num(y_max), anchor="end"),
             _text(left - 6, bottom, "0", anchor="end"),
             _text(left + 8, PLOT_TOP - 6, y_label, anchor="start")]
    for x, label in x_labels:
        anchor = "start" if x <= left else "end" if x >= width - 10 else "middle"
        parts.append(_text(x, bottom + 18, label, anchor=anchor))
    svg = (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" font-size="13"'
           f' aria-labelledby="{name}-title"><title id="{name}-title">{escape(title)}</title>'
           + "".join(parts + body) + "</svg>")
    return (f'<figure class="chain-figure chart-figure" id="{name}">{svg}'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def histogram(name: str, values, *, bins: int = 40, title: str, caption: str) -> str:
    """Histogram of a 1-D tensor; the bin counts come from torch.histc."""
    import torch

    lo, hi = float(values.min()), float(values.max())
    if hi == lo:
        hi = lo + 1.0
    counts = torch.histc(values.float(), bins=bins, min=lo, max=hi).tolist()
    left, bottom, plot_w, plot_h, top = LEFT, BOTTOM, PLOT_W, PLOT_H, max(counts)
    bar_w = plot_w / bins
    body = [f'<rect class="bar" x="{left + i * bar_w:.2f}" y="{bottom - c / top * plot_h:.2f}"'
            f' width="{bar_w - 1:.2f}" height="{c / top * plot_h:.2f}"/>'
            for i, c in enumerate(counts) if c]
    at = lambda v: left + (v - lo) / (hi - lo) * plot_w  # noqa: E731
    ticks = [(at(lo), num(round(lo, 4))), (at(hi), num(round(hi, 4)))]
    if lo < 0 < hi and min(at(0) - at(lo), at(hi) - at(0)) > 40:
        ticks.append((at(0), "0"))
    return _chart(name, title, caption, body, x_labels=ticks, y_max=top, y_label="个数")


def line_chart(name: str, ys, *, title: str, caption: str, x_label: str = "步") -> str:
    """A polyline of ys against 1..len(ys)."""
    left, bottom, plot_w, plot_h, top = LEFT, BOTTOM, PLOT_W, PLOT_H, max(ys)
    step = plot_w / max(len(ys) - 1, 1)
    points = " ".join(f"{left + i * step:.2f},{bottom - y / top * plot_h:.2f}" for i, y in enumerate(ys))
    body = [f'<polyline class="curve" points="{points}"/>']
    ticks = [(left, "1"), (left + plot_w, f"{len(ys)} {x_label}")]
    return _chart(name, title, caption, body, x_labels=ticks, y_max=round(top, 3), y_label="损失")
