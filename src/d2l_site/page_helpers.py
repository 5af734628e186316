"""Build-time helpers called from the hidden markdown-exec blocks of the pages.

No plugin draws a figure or writes MathML from values computed in a markdown-exec
session, and none checks that a "the note was wrong here" remark is still true,
so these few functions do it. They only format: every number they show comes
from the snippet that ran just before them in the same session.
"""

from __future__ import annotations

import io
import re
import warnings
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
            f"{live!r}; remove this remark from the page"
        )
    return f'!!! warning "与笔记不同"\n\n    笔记里写的是 `{note}`，本页构建时 PyTorch 实际打印 `{live}`。{why}\n'


# -- numbers and formulas -------------------------------------------------------


def num(value: float) -> str:
    """A float as a reader writes it: 3.0 -> '3', 0.7000000001 -> '0.7'."""
    return f"{round(float(value), 6):g}"


def math(latex: str, *, block: bool = True) -> str:
    """LaTeX -> MathML at build time, so the page needs no math script at all.

    The LaTeX stays in `alttext`: the notebook gets it back as $$…$$ (page_notebooks.py)."""
    mathml = _latex_to_mathml(latex, display="block" if block else "inline")
    return mathml.replace("<math", f'<math alttext="{escape(latex)}"', 1)


def tied_derivation(ns: dict) -> str:
    """The chain rule per layer, then the sum, for w and b (values from tied_1d_by_hand.py)."""
    n = {k: num(ns[k]) for k in ("w", "b", "x", "y", "lr", "h", "out", "loss", "new_w", "new_b")}
    g = {k: num(v) for k, v in ns["per_layer"].items()}
    s = {k: num(v) for k, v in ns["grads"].items()}
    rows = [
        (
            "前向传播（两层参数相同）",
            [
                rf"h = w x + b = {n['w']} \times {n['x']} + {n['b']} = {n['h']}",
                rf"\mathrm{{out}} = w h + b = {n['w']} \times {n['h']} + {n['b']} = {n['out']}",
                rf"L = \mathrm{{out}} - y = {n['out']} - {n['y']} = {n['loss']}",
            ],
        ),
        (
            "先当作两组独立参数，逐层用链式法则",
            [
                rf"\frac{{\partial L}}{{\partial w_2}} = h = {g['w2']},\quad"
                rf"\frac{{\partial L}}{{\partial b_2}} = {g['b2']}",
                rf"\frac{{\partial L}}{{\partial w_1}} = \frac{{\partial L}}{{\partial h}}"
                rf"\frac{{\partial h}}{{\partial w_1}} = w_2 x = {g['w1']},\quad"
                rf"\frac{{\partial L}}{{\partial b_1}} = \frac{{\partial L}}{{\partial h}}"
                rf"\frac{{\partial h}}{{\partial b_1}} = w_2 = {g['b1']}",
            ],
        ),
        (
            "绑定后 w₁ = w₂ = w、b₁ = b₂ = b：两份梯度相加",
            [
                rf"\frac{{\partial L}}{{\partial w}} = \frac{{\partial L}}{{\partial w_2}}"
                rf" + \frac{{\partial L}}{{\partial w_1}} = {g['w2']} + {g['w1']} = {s['w']}",
                rf"\frac{{\partial L}}{{\partial b}} = \frac{{\partial L}}{{\partial b_2}}"
                rf" + \frac{{\partial L}}{{\partial b_1}} = {g['b2']} + {g['b1']} = {s['b']}",
            ],
        ),
        (
            f"SGD 一步（学习率 η = {n['lr']}）",
            [
                rf"w \leftarrow w - \eta \frac{{\partial L}}{{\partial w}} = {n['w']} - {n['lr']}"
                rf" \times {s['w']} = {n['new_w']}",
                rf"b \leftarrow b - \eta \frac{{\partial L}}{{\partial b}} = {n['b']} - {n['lr']}"
                rf" \times {s['b']} = {n['new_b']}",
            ],
        ),
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


class Markup(str):
    """A figure line that is already HTML (the explorer's <tspan>s): drawn as is, not escaped."""


def _text(x: float, y: float, line: str, cls: str = "", anchor: str = "middle") -> str:
    c = f' class="{cls}"' if cls else ""
    body = line if isinstance(line, Markup) else escape(line)
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{c}>{body}</text>'


def chain_figure(
    name: str,
    stages: list[tuple[str, list[str], list[str]]],
    *,
    footer: list[str],
    title: str,
    caption: str,
    decorative: bool = False,
) -> str:
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
            out.append(f'<rect class="layer" x="{cx - box_w / 2:g}" y="{y}" width="{box_w}" height="{h}" rx="6"/>')
        else:
            out.append(f'<rect class="value" x="{cx - 70}" y="{y}" width="140" height="{h}" rx="{h / 2:g}"/>')
        for j, line in enumerate(lines):
            out.append(_text(cx, y + pad / 2 + (j + 0.75) * _LINE, line))
        if notes:
            ny = y + h / 2 - (len(notes) - 1) * _LINE / 2
            out.append(
                f'<path class="back" d="M{cx + box_w / 2 + 70} {y + h / 2:g}'
                f' H{cx + box_w / 2 + 4}" marker-end="url(#{name}-back)"/>'
            )
            for j, note in enumerate(notes):
                out.append(_text(cx + box_w / 2 + 78, ny + j * _LINE + 5, note, "grad", "start"))
        y += h
        if i < len(stages) - 1:
            out.append(f'<path class="fwd" d="M{cx} {y + 2} V{y + 24}" marker-end="url(#{name}-fwd)"/>')
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
        f' d="M0 0 L10 5 L0 10 z"/></marker>'
        for kind in ("fwd", "back")
    )
    label = (
        ' aria-hidden="true"'
        if decorative  # the numbers are in the explorer's table too
        else f' role="img" aria-labelledby="{name}-title"'
    )
    svg = (
        f'<svg class="{"wide" if has_notes else "narrow"}" viewBox="0 0 {width} {height}"{label}'
        f' font-size="{_FONT}">'
        + ("" if decorative else f'<title id="{name}-title">{escape(title)}</title>')
        + f"<defs>{defs}</defs>"
        + "".join(out)
        + "</svg>"
    )
    return (
        f'<figure class="chain-figure" id="{name}" tabindex="0">{svg}'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


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
        "net-1d",
        stages,
        footer=[],
        title=(
            f"一元两层网络：x = {n['x']} 经过两个 nn.Linear(1, 1)（w = {n['w']}，b = {n['b']}）"
            f"得到 h = {n['h']}、out = {n['out']}，loss = {n['loss']}"
        ),
        caption="一个最简单的一元神经网络：两个 nn.Linear(1, 1) 串联，图中数值由构建时的前向计算生成",
    )


def tied_figure(ns: dict) -> str:
    """Picture 2: the two gradient contributions to the tied (w, b), their sum and the update."""
    n = {k: num(ns[k]) for k in ("w", "b", "x", "y", "lr", "h", "out", "loss", "new_w", "new_b")}
    g = {k: num(v) for k, v in ns["per_layer"].items()}
    s = {k: num(v) for k, v in ns["grads"].items()}
    stages = [
        ("value", [f"x = {n['x']}"], []),
        (
            "layer",
            ["共享层（第一次使用）", f"w = {n['w']}，b = {n['b']}"],
            [f"∂L/∂w = w·x = {g['w1']}", f"∂L/∂b = w = {g['b1']}"],
        ),
        ("value", [f"h = {n['h']}"], []),
        (
            "layer",
            ["共享层（第二次使用）", f"w = {n['w']}，b = {n['b']}"],
            [f"∂L/∂w = h = {g['w2']}", f"∂L/∂b = {g['b2']}"],
        ),
        ("value", [f"out = {n['out']}"], []),
        ("value", [f"L = out − y = {n['loss']}"], []),
    ]
    footer = [
        "同一组 (w, b) 收到两份梯度，按向量相加：",
        f"∂L/∂w = {g['w2']} + {g['w1']} = {s['w']}，∂L/∂b = {g['b2']} + {g['b1']} = {s['b']}",
        f"SGD（η = {n['lr']}）：w = {n['w']} − {n['lr']}×{s['w']} = {n['new_w']}，"
        f"b = {n['b']} − {n['lr']}×{s['b']} = {n['new_b']}",
    ]
    return chain_figure(
        "tied-1d",
        stages,
        footer=footer,
        title=(
            f"参数绑定下的梯度：共享层的 w 从两次使用中分别得到 {g['w1']} 和 {g['w2']}，"
            f"相加为 {s['w']}；b 得到 {g['b1']} 和 {g['b2']}，相加为 {s['b']}；"
            f"更新后 w = {n['new_w']}，b = {n['new_b']}"
        ),
        caption="参数绑定下的梯度计算：虚线箭头是反向传播送回共享参数的两份梯度，图中数值由构建时的计算生成",
    )


# -- 自己试一试: the tied-gradient explorer ---------------------------------------

EXPLORER_JS = Path(__file__).with_name("tied_explorer.js")
EXPLORER_FIELDS = [  # (name, label, slider min, max, step)
    ("w", "w（两层的初始权重）", -5, 5, 0.1),
    ("b", "b（两层的初始偏置）", -5, 5, 0.1),
    ("x", "x（输入）", -5, 5, 0.1),
    ("y", "y（目标）", -5, 5, 0.1),
    ("lr", "η（学习率）", 0, 1, 0.01),
]


def explorer_number(value: float) -> str:
    """4 decimals, trailing zeros dropped, a real minus sign: the same as format() in tied_explorer.js."""
    s = f"{value:.4f}".rstrip("0").rstrip(".")
    return ("0" if s == "-0" else s).replace("-", "\u2212")


def _q(name: str, values: dict, tag: str = "span") -> str:
    """One shown number of the explorer (the script rewrites it); empty when the mode has none."""
    shown = explorer_number(values[name]) if name in values else ""
    return f'<{tag} data-quantity="{name}">{shown}</{tag}>'


def _modes(tied: str, untied: str, tag: str = "span") -> str:
    """Text that differs between the tied and untied modes (CSS shows the current one)."""
    return f'<{tag} class="tied-only">{tied}</{tag}><{tag} class="untied-only">{untied}</{tag}>'


def tied_explorer(ns: dict) -> str:
    """The interactive explorer: inputs, a results table, a live summary and the chain diagram.

    The arithmetic runs in the browser (tied_explorer.js, inlined: one page uses it);
    its first state and every case the test drives come from ``CASES``/``results``,
    computed by autograd in snippets/parameters/tied_explorer.py.
    """
    import json

    first, q = ns["CASES"][0], ns["results"][0]
    assert first["tied"] and first["loss"] == "out - y", "the explorer opens on the note's example"
    fields = "".join(
        f'<div class="explorer-field"><label for="tx-{n}" id="tx-{n}-label">{escape(label)}</label>'
        f'<input type="number" id="tx-{n}" name="{n}" value="{num(first[n])}" step="any" inputmode="decimal">'
        f'<input type="range" aria-labelledby="tx-{n}-label" data-for="{n}" min="{lo}" max="{hi}"'
        f' step="{step}" value="{num(first[n])}"></div>'
        for n, label, lo, hi, step in EXPLORER_FIELDS
    )
    controls = (
        '<div class="explorer-field explorer-switch"><label>'
        '<input type="checkbox" name="tied" checked> 绑定（同一个 nn.Linear(1, 1) 用两次）</label></div>'
        '<div class="explorer-field"><label for="tx-loss">损失</label>'
        '<select id="tx-loss" name="loss"><option value="out - y" selected>out − y（笔记里的例子）</option>'
        '<option value="(out - y)^2">(out − y)²</option></select></div>'
        '<div class="explorer-field"><button type="reset" class="md-button">回到笔记里的例子</button></div>'
    )
    t = lambda tied, untied: _modes(tied, untied, "tspan")  # noqa: E731
    v = lambda name: _q(name, q, "tspan")  # noqa: E731
    inp = lambda name: f'<tspan data-input="{name}">{explorer_number(first[name])}</tspan>'  # noqa: E731
    wb = Markup(f"w = {inp('w')}，b = {inp('b')}")
    stages = [
        ("value", [Markup(f"x = {inp('x')}")], []),
        (
            "layer",
            [Markup(t("共享层（第一次使用）", "第一层")), wb],
            [Markup(f"∂L/∂w₁ = {v('grad_w1')}"), Markup(f"∂L/∂b₁ = {v('grad_b1')}")],
        ),
        ("value", [Markup(f"h = {v('h')}")], []),
        (
            "layer",
            [Markup(t("共享层（第二次使用）", "第二层")), wb],
            [Markup(f"∂L/∂w₂ = {v('grad_w2')}"), Markup(f"∂L/∂b₂ = {v('grad_b2')}")],
        ),
        ("value", [Markup(f"out = {v('out')}")], []),
        (
            "value",
            [
                Markup(
                    '<tspan class="linear-only">L = out − y = </tspan>'
                    f'<tspan class="squared-only">L = (out − y)² = </tspan>{v("loss")}'
                )
            ],
            [],
        ),
    ]
    footer = [
        Markup(t("同一组 (w, b) 收到两份梯度，按向量相加：", "两组参数，各自只收到自己那一份梯度：")),
        Markup(
            t(
                f"∂L/∂w = {v('grad_w')}，∂L/∂b = {v('grad_b')}",
                f"第一层：w₁ = {v('new_w1')}，b₁ = {v('new_b1')}（SGD 一步后）",
            )
        ),
        Markup(
            t(
                f"SGD 一步后：w = {v('new_w')}，b = {v('new_b')}",
                f"第二层：w₂ = {v('new_w2')}，b₂ = {v('new_b2')}（SGD 一步后）",
            )
        ),
    ]
    figure = chain_figure(
        "tied-explorer-figure",
        stages,
        footer=footer,
        title="",
        decorative=True,
        caption="链式图随输入重画：虚线箭头是反向传播送回参数的梯度",
    )
    rows = "".join(
        f'<tr><th scope="row">{head}</th><td>{_q(gw, q)}</td><td>{_q(gb, q)}</td></tr>'
        for head, gw, gb in [
            (_modes("第一次使用", "第一层"), "grad_w1", "grad_b1"),
            (_modes("第二次使用", "第二层"), "grad_w2", "grad_b2"),
        ]
    )
    rows += (
        f'<tr class="tied-only"><th scope="row">两份相加</th><td>{_q("grad_w", q)}</td><td>{_q("grad_b", q)}</td></tr>'
    )
    results = (
        f'<p class="explorer-forward">前向：h = {_q("h", q)}，out = {_q("out", q)}，'
        f'<span class="linear-only">L = out − y = </span><span class="squared-only">L = (out − y)² = </span>'
        f"{_q('loss', q)}</p>"
        '<div class="explorer-grads"><table><caption>反向传播：每一次使用（不绑定时：每一层）收到的梯度</caption>'
        f'<thead><tr><th scope="col">{_modes("使用", "层")}</th><th scope="col">∂L/∂w</th>'
        f'<th scope="col">∂L/∂b</th></tr></thead><tbody>{rows}</tbody></table></div>'
        '<p class="explorer-summary" role="status">'
        f'<span class="tied-only">绑定：w 只有一个，收到 {_q("grad_w1", q)} + {_q("grad_w2", q)} = '
        f"{_q('grad_w', q)}；SGD 一步后 w = {_q('new_w', q)}，b = {_q('new_b', q)}。</span>"
        '<span class="untied-only">不绑定：两层各自更新；SGD 一步后第一层 w₁ = '
        f"{_q('new_w1', q)}、b₁ = {_q('new_b1', q)}，第二层 w₂ = {_q('new_w2', q)}、b₂ = "
        f"{_q('new_b2', q)}。</span></p>"
    )
    cases = [{"inputs": c, "expect": r} for c, r in zip(ns["CASES"], ns["results"])]
    return (
        '<div class="tied-explorer" data-mode="tied" data-loss="linear" hidden>'
        '<form class="explorer-inputs" aria-label="参数绑定探索器的输入">'
        f"{fields}{controls}</form>"
        f'<div class="explorer-output">{results}{figure}</div>'
        '<script type="application/json" class="explorer-cases">'
        f"{json.dumps(cases, ensure_ascii=False, separators=(',', ':'))}</script>"
        f"<script>{EXPLORER_JS.read_text(encoding='utf-8')}</script></div>"
    )


# -- tables of results --------------------------------------------------------------


def _cell(value: float) -> str:
    """The snippet's own "{:.4f}", with a real minus sign and ∞."""
    return f"{value:.4f}".replace("-", "\u2212").replace("inf", "∞")


def init_table(ns: dict, snippet: str) -> str:
    """练习 2's init tour as an HTML table: theory next to this run's statistics, per initializer."""
    groups = [("均值", "mean"), ("标准差", "std"), ("最小值", "min"), ("最大值", "max")]
    head = (
        '<tr><th scope="col" rowspan="2">初始化</th>'
        + "".join(f'<th scope="colgroup" colspan="2">{g}</th>' for g, _ in groups)
        + "</tr><tr>"
        + '<th scope="col">理论</th><th scope="col">实测</th>' * len(groups)
        + "</tr>"
    )
    rows = "".join(
        f'<tr><th scope="row"><code>{escape(name)}</code></th>'
        + "".join(f"<td>{_cell(row[k + '*'])}</td><td>{_cell(row[k])}</td>" for _, k in groups)
        + "</tr>"
        for name, row in ns["stats"].items()
    )
    return (
        f'<div class="snippet-table" data-snippet="{escape(snippet)}"><table>'
        f"<caption>理论值与这次构建实测的统计量（nn.Linear({ns['fan_in']}, {ns['fan_out']}) 的权重，"
        f"共 {ns['n']} 个元素；正态分布没有界，记作 ±∞）</caption>"
        f"<thead>{head}</thead><tbody>{rows}</tbody></table></div>"
    )


# -- the 代码片段 page ------------------------------------------------------------

ARCHIVE = "downloads/d2l-notes-snippets-notebooks.zip"  # written by the d2l-site plugin
ARCHIVE_LINK = (
    f"[下载全部代码和 Notebook（.zip，供离线学习）](../{ARCHIVE}){{ .md-button .md-button--primary download }}"
)


def snippet_index(root: str | Path | None = None) -> str:
    """Markdown listing every snippet file, grouped by folder, in the order the pages show them.

    Each entry: a download link (the files are published with the site by the d2l-site
    plugin), the file's one-line docstring, and the command to run it.
    """
    import ast
    import os
    import re

    from exec_cache.scan import INCLUDE

    root = Path(root or os.environ.get("MKDOCS_CONFIG_DIR", "."))
    first_seen: dict[str, tuple[str, int]] = {}
    titles: dict[str, str] = {}
    for page in sorted((root / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", text, re.M)
        for n, line in enumerate(text.split("\n")):
            m = INCLUDE.match(line)
            if m and not m["escape"] and m["path"].startswith("snippets/"):
                rel = m["path"].removeprefix("snippets/")
                first_seen.setdefault(rel, (str(page), n))
                titles.setdefault(rel.split("/")[0], title[1] if title else "")
    files = sorted(
        (p.relative_to(root / "snippets").as_posix() for p in (root / "snippets").rglob("*.py")),
        key=lambda f: first_seen.get(f, ("~", 0)),
    )
    lines, folder = [], None
    for rel in files:
        top = rel.split("/")[0]
        if top != folder:
            folder = top
            lines += ["", f"## {titles.get(top, top)}", ""]
        doc = ast.get_docstring(ast.parse((root / "snippets" / rel).read_text(encoding="utf-8")))
        lines.append(
            f"- [`{rel}`](../snippets/{rel}){{ download }}：{(doc or '').splitlines()[0]}"
            f"<br>运行：`python snippets/{rel}`"
        )
    return "\n".join(lines).lstrip("\n") + "\n"


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
