"""自己试一试: the tied-gradient explorer of the 5.2 page, its controls and static first state
drawn at build time, with autograd's results for a grid of cases; tied_explorer.js computes the rest."""

from __future__ import annotations

from html import escape
from pathlib import Path

from d2l_site.figures import Markup, chain_figure
from d2l_site.page_helpers import num

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
    if not (first["tied"] and first["loss"] == "out - y"):
        raise ValueError("the explorer must open on the note's example (tied, loss out - y): CASES[0]")
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
