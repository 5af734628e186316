"""Build-time helpers called from the hidden markdown-exec blocks of the pages: remarks, numbers,
formulas, tables and the 代码片段 page. (Figures: figures.py, explorer.py, charts.py.)

No plugin writes MathML from values computed in a markdown-exec session, or checks that a
"the note was wrong here" remark is still true, so these few functions do it. They only
format: every number they show comes from the snippet that ran just before them in the
same session.
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
