"""The chain figures of the 5.2 page (a two-layer net; the tied pair with its gradients), drawn
as inline SVG at build time from the values of the snippet that ran just before."""

from __future__ import annotations

from html import escape

from d2l_site.page_helpers import num

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
