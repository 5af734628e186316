"""Turn a note page into a Jupyter notebook with outputs.

mkdocs-jupyter renders notebooks but cannot make one from a Markdown page, so this module
builds the .ipynb from the page and its snippet files. Its outputs are the page's own: what
each block printed when the page's blocks ran (the exec-cache plugin), so the build runs every
block once and starts no Jupyter kernel. The test suite runs every published notebook in a
fresh kernel and compares (tests/site/test_notebooks.py).
"""

from __future__ import annotations

import base64
import html
import re

import nbformat

from exec_cache.scan import PYTHON, TRUE, fence_at, is_include, lines_of

from .obsidian import in_prose

ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+"(?P<title>[^"]*)")?\s*$')
BLOCK_ANCHOR = re.compile(r"^\{: #(?P<id>[\w-]+) \}$")  # obsidian.py's block id line
MD_LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?P<anchor>#[^)\s]*)?\)")
# a Markdown image, its target in <…> or bare, and the attr_list MkDocs reads after it
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?:<(?P<quoted>[^>]+)>|(?P<bare>[^)\s]+))\)(?:\{(?P<attrs>[^}]*)\})?")
# MkDocs-only syntax Jupyter would print as text: attr_lists, md_in_html's markdown attribute
ATTR_LIST = re.compile(r"[ \t]*\{:?(?:\s*(?:[.#][\w:-]+|[\w-]+=(?:\"[^\"]*\"|[^\s}]+)))+\s*\}")
FOOTNOTE = re.compile(r"\[\^(?P<id>[^\]\s]+)\](?P<definition>:[ \t]*)?")  # Jupyter renders no [^1]
MD_IN_HTML = re.compile(r"(<(?:div|span|p|details)\b[^>]*?)\s+markdown(?:=\"[^\"]*\")?(?=[\s>])")
MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def for_jupyter(body: str, image) -> tuple[str, dict]:
    """A Markdown cell as Jupyter renders it: each image the page shows as a cell attachment
    (`image(target)`: the file it names, or None for one not on this site), its width and
    alignment as <img> attributes; no attr_list braces, no md_in_html attribute."""
    attachments: dict = {}

    def attach(m: re.Match) -> str:
        target, alt = m["quoted"] or m["bare"], m["alt"]
        path = image(target)
        if path is None:
            return f"![{alt}]({target})"
        name = re.sub(r"[^\w.-]", "_", path.name)
        attachments[name] = {MIME.get(path.suffix.lower(), "image/png"): base64.b64encode(path.read_bytes()).decode()}
        attrs = m["attrs"] or ""
        size = " ".join(f'{k}="{v}"' for k, v in re.findall(r'(width|height)="?(\d+)"?', attrs))
        if not size and ".align-" not in attrs:
            return f"![{alt}](attachment:{name})"
        tag = f'<img src="attachment:{name}" alt="{html.escape(alt)}"{" " + size if size else ""}>'
        align = re.search(r"\.align-(center|left|right)", attrs)
        return f'<div align="{align[1]}">{tag}</div>' if align else tag

    body = IMAGE.sub(attach, body)
    note = lambda m: f"<sup>{m['id']}</sup>" + (" " if m["definition"] else "")  # noqa: E731
    body = in_prose(body, lambda part: FOOTNOTE.sub(note, part))
    return MD_IN_HTML.sub(r"\1", ATTR_LIST.sub("", body)), attachments


def _cell(cell_type: str, source: str) -> nbformat.NotebookNode:
    """A cell as nbformat.v4.new_code_cell / new_markdown_cell make it, less their check of each
    cell (~0.15 ms, 0.4 s at 32 notes): the whole notebook is checked when it is written."""
    extra = {"execution_count": None, "outputs": []} if cell_type == "code" else {}
    return nbformat.from_dict({"cell_type": cell_type, "metadata": {}, "source": source, **extra})


def page_to_cells(text: str, expand, link, image=lambda target: None) -> list[nbformat.NotebookNode]:
    """Prose becomes Markdown cells; every fence that includes a snippet becomes a code cell.

    Admonitions become block quotes. A block that does not include a snippet (a figure,
    the derivation, a 与笔记不同 remark, a table) becomes an empty Markdown cell marked
    `page_output`: add_outputs fills it with what the block showed on the page.
    """
    cells: list[nbformat.NotebookNode] = []
    prose: list[str] = []

    def flush():
        body = "\n".join(prose).strip("\n")
        if body.strip("> \n"):
            source, attachments = for_jupyter(MD_LINK.sub(link, body), image)
            cells.append(_cell("markdown", source))
            if attachments:
                cells[-1]["attachments"] = attachments
        prose.clear()

    def walk(lines: list[str], quote: str):
        i = 0
        while i < len(lines):
            line = lines[i]
            fence = fence_at(lines, i)
            admonition = ADMONITION.match(line)
            if fence and fence.lang in PYTHON:  # every spelling the engine runs, at any indent
                attrs, include = fence.attrs, fence.include
                if include:
                    flush()
                    cell = _cell("code", expand(include[0]).rstrip("\n"))
                    cell.metadata["snippet"] = include["target"]
                    if "source" not in attrs:  # hidden on the page: set-up code
                        cell.metadata["tags"] = ["setup"]
                        cell.metadata["jupyter"] = {"source_hidden": True}
                    cells.append(cell)
                elif attrs.get("exec", "").lower() in TRUE:
                    flush()
                    cell = _cell("markdown", "")
                    cell.metadata["page_output"] = "html" if attrs.get("html", "").lower() in TRUE else "markdown"
                    cells.append(cell)
                i = fence.end + 1
            elif fence:  # shown as code: an included file's text, not its --8<-- line
                for inner in lines[i : fence.end + 1]:
                    text = expand(inner.strip()) if is_include(inner) else inner
                    prose.extend(f"{quote}{t}".rstrip() for t in text.split("\n"))
                i = fence.end + 1
            elif admonition:
                j = i + 1
                while j < len(lines) and (not lines[j].strip() or lines[j].startswith("    ")):
                    j += 1
                prose.append(f"{quote}> **{admonition['title'] or ''}**")
                prose.append(f"{quote}>")
                walk([l[4:] for l in lines[i + 1 : j]], quote + "> ")
                prose.append("")
                i = j
            elif BLOCK_ANCHOR.match(line) and prose:  # Obsidian block id: an anchor Jupyter keeps
                prose[-1] += f' <a id="{BLOCK_ANCHOR.match(line)["id"]}"></a>'
                i += 1
            else:
                prose.append(f"{quote}{line}".rstrip() if line.strip() else quote.rstrip())
                i += 1

    walk(lines_of("\n".join(text.splitlines())), "")  # callouts indent with tabs
    flush()
    return cells


def build_notebook(page_text: str, expand, link, image=lambda target: None) -> nbformat.NotebookNode:
    """The notebook of one page (its Markdown source, Obsidian syntax rendered), without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.cells = page_to_cells(page_text, expand, link, image)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for n, cell in enumerate(nb.cells):  # stable ids: builds stay byte-identical
        cell["id"] = f"cell-{n}"
    return nb


def add_outputs(nb: nbformat.NotebookNode, outputs: list[str | None]) -> nbformat.NotebookNode:
    """Give the page's blocks' outputs, in order, to their cells: a code cell gets what its
    block printed, as a kernel would; a `page_output` cell gets the figure, formulas, remark
    or table the block showed, in a form Jupyter renders offline. Empty ones are dropped."""
    cells = [c for c in nb.cells if c.cell_type == "code" or "page_output" in c.metadata]
    if len(cells) != len(outputs):
        raise ValueError(f"{len(outputs)} block outputs for {len(cells)} notebook cells")
    count = 0
    for cell, text in zip(cells, outputs):
        if cell.cell_type == "markdown":
            cell.source, cell.attachments = output_to_markdown(text or "", cell.metadata["page_output"])
            continue
        count += 1
        cell.execution_count = count
        if text is None:  # the block raised: the page shows the traceback, the build fails
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stderr", text="构建时这段代码出错，见网页上的报错。\n")
            ]
        else:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
    nb.cells = [c for c in nb.cells if c.cell_type == "code" or c.source.strip()]
    for cell in nb.cells:
        if not cell.get("attachments"):
            cell.pop("attachments", None)
    return nb


# -- what a page-only block showed, as notebook Markdown ----------------------------

FIGURE = re.compile(
    r'<figure class="chain-figure[^"]*" id="(?P<id>[^"]+)"[^>]*>(?P<svg><svg.*?</svg>)'
    r"<figcaption>(?P<caption>.*?)</figcaption></figure>",
    re.S,
)
DERIVATION = re.compile(r'<div class="derivation">(?P<body>.*?)</div>', re.S)
STEP = re.compile(r"<p><strong>(?P<title>.*?)</strong></p>|<math alttext=\"(?P<tex>[^\"]*)\".*?</math>", re.S)
TABLE = re.compile(r'<div class="snippet-table"[^>]*>(?P<table><table>.*?</table>)</div>', re.S)
EXPLORER = re.compile(r'<div class="tied-explorer".*?</script></div>', re.S)
# the pages' figures are coloured by extra.css; as a standalone image they carry their own
SVG_STYLE = (
    "<style>svg{background:#fff}text{fill:#212121;font-family:sans-serif}"
    ".value{fill:#f5f5f5;stroke:#212121}.layer{fill:#4051b524;stroke:#4051b5;stroke-width:1.5}"
    ".sum{fill:none;stroke:#c2410c;stroke-width:1.5;stroke-dasharray:6 3}"
    ".fwd{stroke:#212121;stroke-width:1.5;fill:none}.fwd-head{fill:#212121}"
    ".back{stroke:#c2410c;stroke-width:1.5;stroke-dasharray:5 3;fill:none}"
    ".back-head,.grad{fill:#c2410c}.axis{stroke:#212121}.bar{fill:#4051b5;fill-opacity:.7}"
    ".curve{fill:none;stroke:#c2410c;stroke-width:2}</style>"
)


def output_to_markdown(text: str, kind: str) -> tuple[str, dict]:
    """Markdown for Jupyter from a block's output: a figure becomes an SVG attachment, the
    derivation LaTeX in $$…$$ (from the MathML's alttext), a table stays an HTML table,
    an admonition a block quote. The explorer is left out: the page's prose says how to
    reproduce it with its snippet."""
    if kind == "markdown":
        cells = page_to_cells(text, lambda line: line, lambda m: m[0])
        return "\n\n".join(c.source for c in cells if c.cell_type == "markdown"), {}
    attachments, parts = {}, []

    def figure(m):
        name = f"{m['id']}.svg"
        svg = m["svg"].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
        svg = re.sub(r"(<svg[^>]*>)", lambda s: s[1] + SVG_STYLE, svg, count=1)
        attachments[name] = {"image/svg+xml": base64.b64encode(svg.encode()).decode()}
        caption = html.unescape(m["caption"])
        return f"\0![{caption}](attachment:{name})\n\n*{caption}*\0"

    def derivation(m):
        lines = []
        for step in STEP.finditer(m["body"]):
            lines.append(
                f"**{html.unescape(step['title'])}**"
                if step["title"] is not None
                else f"$$\n{html.unescape(step['tex'])}\n$$"
            )
        return "\0" + "\n\n".join(lines) + "\0"

    text = EXPLORER.sub("", text)
    text = FIGURE.sub(figure, text)
    text = DERIVATION.sub(derivation, text)
    text = TABLE.sub(lambda m: "\0" + m[0] + "\0", text)  # the div: the site styles it alike
    parts = [p.strip() for p in text.split("\0") if p.strip()]
    return "\n\n".join(parts), attachments
