"""Turn a note page into a Jupyter notebook with outputs (used by build_hooks.py; reloaded with it).

mkdocs-jupyter renders notebooks but cannot make one from a Markdown page, so this
module builds the .ipynb from the page and its snippet files. Its outputs are the
page's own: what each block printed when the page's blocks ran (exec_cache.py), so
the build runs every block once and starts no Jupyter kernel. The test suite runs
every published notebook in a fresh kernel and compares (tests/site/test_notebooks.py).

It also renders a notebook in a renderer process (`render_html`, mkdocs-jupyter's own
function; `warm_up` first) and cuts JupyterLab's stylesheet to what the notebook pages can
match (`css_rules`, `used_css`).
"""
from __future__ import annotations

import base64
import functools
import html
import re

import markdown
import nbformat

FENCE_OPEN = re.compile(r"^```python\s+(?P<attrs>.*)$")
INCLUDE = re.compile(r'^--8<-- "(?P<target>snippets/[^"]+)"$')
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+"(?P<title>[^"]*)")?\s*$')
BLOCK_ANCHOR = re.compile(r"^\{: #(?P<id>[\w-]+) \}$")  # obsidian.py's block id line
MD_LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?P<anchor>#[^)\s]*)?\)")


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5:]
    return text


def _cell(cell_type: str, source: str) -> nbformat.NotebookNode:
    """A cell as nbformat.v4.new_code_cell / new_markdown_cell make it, less their check of each
    cell (~0.15 ms, 0.4 s at 32 notes): the whole notebook is checked when it is written."""
    extra = {"execution_count": None, "outputs": []} if cell_type == "code" else {}
    return nbformat.from_dict({"cell_type": cell_type, "metadata": {}, "source": source, **extra})


def page_to_cells(text: str, expand, link) -> list[nbformat.NotebookNode]:
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
            cells.append(_cell("markdown", MD_LINK.sub(link, body)))
        prose.clear()

    def walk(lines: list[str], quote: str):
        i = 0
        while i < len(lines):
            line = lines[i]
            fence = FENCE_OPEN.match(line)
            admonition = ADMONITION.match(line)
            if fence:
                end = lines.index("```", i + 1)
                body = [l for l in lines[i + 1:end] if l.strip()]
                include = INCLUDE.match(body[0]) if len(body) == 1 else None
                if include:
                    flush()
                    cell = _cell("code", expand(body[0]).rstrip("\n"))
                    cell.metadata["snippet"] = include["target"]
                    if "source=" not in fence["attrs"]:  # hidden on the page: set-up code
                        cell.metadata["tags"] = ["setup"]
                        cell.metadata["jupyter"] = {"source_hidden": True}
                    cells.append(cell)
                elif re.search(r'\bexec="(?:1|true|yes|on)"', fence["attrs"], re.I):
                    flush()
                    cell = _cell("markdown", "")
                    cell.metadata["page_output"] = "html" if re.search(
                        r'\bhtml="(?:1|true|yes|on)"', fence["attrs"], re.I) else "markdown"
                    cells.append(cell)
                i = end + 1
            elif admonition:
                j = i + 1
                while j < len(lines) and (not lines[j].strip() or lines[j].startswith("    ")):
                    j += 1
                prose.append(f"{quote}> **{admonition['title'] or ''}**")
                prose.append(f"{quote}>")
                walk([l[4:] for l in lines[i + 1:j]], quote + "> ")
                prose.append("")
                i = j
            elif BLOCK_ANCHOR.match(line) and prose:  # Obsidian block id: an anchor Jupyter keeps
                prose[-1] += f' <a id="{BLOCK_ANCHOR.match(line)["id"]}"></a>'
                i += 1
            else:
                prose.append(f"{quote}{line}".rstrip() if line.strip() else quote.rstrip())
                i += 1

    walk([re.sub(r"^\t+", lambda m: "    " * len(m[0]), line)  # callouts indent with tabs
          for line in _strip_front_matter(text).splitlines()], "")
    flush()
    return cells


def snippet_expander(mdx_configs: dict):
    """`expand(line)`: one `--8<--` line replaced by what pymdownx.snippets includes, as on the page."""
    snippets = markdown.Markdown(extensions=["pymdownx.snippets"],
                                 extension_configs={"pymdownx.snippets":
                                                    mdx_configs.get("pymdownx.snippets", {})})
    # one expansion per distinct line and build: pages and their notebooks share them
    return functools.lru_cache(maxsize=None)(
        lambda line: "\n".join(snippets.preprocessors["snippet"].run([line])))


def build_notebook(page_text: str, expand, link) -> nbformat.NotebookNode:
    """The notebook of one page (its Markdown source, Obsidian syntax rendered), without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.cells = page_to_cells(page_text, expand, link)
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
    assert len(cells) == len(outputs)
    count = 0
    for cell, text in zip(cells, outputs):
        if cell.cell_type == "markdown":
            cell.source, cell.attachments = output_to_markdown(text or "", cell.metadata["page_output"])
            continue
        count += 1
        cell.execution_count = count
        if text is None:  # the block raised: the page shows the traceback, the build fails
            cell.outputs = [nbformat.v4.new_output("stream", name="stderr",
                                                   text="构建时这段代码出错，见网页上的报错。\n")]
        else:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
    nb.cells = [c for c in nb.cells if c.cell_type == "code" or c.source.strip()]
    for cell in nb.cells:
        if not cell.get("attachments"):
            cell.pop("attachments", None)
    return nb


# -- what a page-only block showed, as notebook Markdown ----------------------------

FIGURE = re.compile(r'<figure class="chain-figure[^"]*" id="(?P<id>[^"]+)"[^>]*>(?P<svg><svg.*?</svg>)'
                    r"<figcaption>(?P<caption>.*?)</figcaption></figure>", re.S)
DERIVATION = re.compile(r'<div class="derivation">(?P<body>.*?)</div>', re.S)
STEP = re.compile(r"<p><strong>(?P<title>.*?)</strong></p>|<math alttext=\"(?P<tex>[^\"]*)\".*?</math>", re.S)
TABLE = re.compile(r'<div class="snippet-table"[^>]*>(?P<table><table>.*?</table>)</div>', re.S)
EXPLORER = re.compile(r'<div class="tied-explorer".*?</script></div>', re.S)
# page_helpers' figures are coloured by extra.css; as a standalone image they carry their own
SVG_STYLE = ("<style>svg{background:#fff}text{fill:#212121;font-family:sans-serif}"
             ".value{fill:#f5f5f5;stroke:#212121}.layer{fill:#4051b524;stroke:#4051b5;stroke-width:1.5}"
             ".sum{fill:none;stroke:#c2410c;stroke-width:1.5;stroke-dasharray:6 3}"
             ".fwd{stroke:#212121;stroke-width:1.5;fill:none}.fwd-head{fill:#212121}"
             ".back{stroke:#c2410c;stroke-width:1.5;stroke-dasharray:5 3;fill:none}"
             ".back-head,.grad{fill:#c2410c}.axis{stroke:#212121}.bar{fill:#4051b5;fill-opacity:.7}"
             ".curve{fill:none;stroke:#c2410c;stroke-width:2}</style>")


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
            lines.append(f"**{html.unescape(step['title'])}**" if step["title"] is not None
                         else f"$$\n{html.unescape(step['tex'])}\n$$")
        return "\0" + "\n\n".join(lines) + "\0"

    text = EXPLORER.sub("", text)
    text = FIGURE.sub(figure, text)
    text = DERIVATION.sub(derivation, text)
    text = TABLE.sub(lambda m: "\0" + m[0] + "\0", text)  # the div: the site styles it alike
    parts = [p.strip() for p in text.split("\0") if p.strip()]
    return "\n\n".join(parts), attachments


def render_html(path: str, options: dict) -> str:
    """In a renderer: the notebook as mkdocs-jupyter renders it (its nb2html, its options)."""
    from mkdocs_jupyter import convert

    keep_compiled_templates(_templates_in_memory())
    return convert.nb2html(path, **options)


def warm_up(options: dict) -> None:
    """In the renderer, while it waits for the first page's sessions: render a two-cell
    notebook and parse the stylesheet nbconvert inlines, so that neither the first real render
    (imports, templates: ~0.2 s) nor css_rules (~0.5 s, memoized) waits at the end of a build."""
    import tempfile
    from pathlib import Path

    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(cells=[new_markdown_cell("# 预热"), new_code_cell(
        "print(1)", outputs=[new_output("stream", name="stdout", text="1\n")])])
    with tempfile.TemporaryDirectory(prefix="d2l-warm-up-") as folder:
        path = Path(folder) / "warm-up.ipynb"
        nbformat.write(nb, path)
        css_rules("\n".join(big_styles(render_html(str(path), options))))


STYLE = re.compile(r'<style type="text/css">\s*(?P<css>.*?)</style>', re.S)
BIG = 20000  # JupyterLab's stylesheet; a notebook's own small styles are shorter


def big_styles(html_text: str) -> list[str]:
    """The large stylesheets nbconvert inlines into a rendered notebook (the same for every
    notebook a build renders: they come from its template, not from the cells)."""
    return [m["css"] for m in STYLE.finditer(html_text) if len(m["css"]) >= BIG]


@functools.cache
def _templates_in_memory():
    """This process's compiled nbconvert templates: each render made a new Jinja environment
    and compiled its 11 templates again (0.13 s of a 0.22 s render)."""
    import jinja2

    class InMemory(jinja2.BytecodeCache):  # keyed by name and a checksum of the source
        def __init__(self):
            self.codes: dict[str, bytes] = {}

        def load_bytecode(self, bucket):
            if bucket.key in self.codes:
                bucket.bytecode_from_string(self.codes[bucket.key])

        def dump_bytecode(self, bucket):
            self.codes[bucket.key] = bucket.bytecode_to_string()

    return InMemory()


def keep_compiled_templates(cache) -> None:
    """Give every Jinja environment nbconvert makes this bytecode cache. nbconvert has no
    option for it, so its environment factory is wrapped (once per process)."""
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = TemplateExporter._create_environment
    if getattr(create, "keeps_compiled", False):
        return

    def create_with_cache(self):
        env = create(self)
        env.bytecode_cache = cache
        return env

    create_with_cache.keeps_compiled = True
    TemplateExporter._create_environment = create_with_cache


# -- the notebook pages' stylesheet -----------------------------------------------------

NEEDED_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
NEVER_MATCHES = re.compile(r"\.jupyter-wrapper\s+(:root|html|body)\b")  # nothing is inside these


def used_css(css: str, classes: set[str], rules: list | None = None) -> str:
    """The rules of `css` that can match a page whose elements carry `classes`.

    A selector is dropped when it needs a class no such page has (outside :not()), or when
    nothing can match it; Material's md-* classes count as present (its JS adds them).
    JupyterLab's stylesheet drops from 575 kB to 37 kB: less to download and parse on a
    phone (Lighthouse's blocking time did not change measurably; Material's start-up is that).
    `rules` is `css_rules(css)`, if a worker has parsed it already."""

    def kept(nodes) -> list[str]:
        out = []
        for kind, head, body in nodes:
            if kind == "rule":
                selectors = [text for text, needed, never in head if set(needed) <= classes and not never]
                if selectors:
                    out.append(",".join(selectors) + "{" + body + "}")
            elif kind == "group":
                inner = kept(body)
                if inner:
                    out.append(f"{head}{{{''.join(inner)}}}")
            else:
                out.append(head)
        return out

    return "".join(kept(css_rules(css) if rules is None else rules))


@functools.lru_cache(maxsize=1)  # warm_up parses it before the build asks
def css_rules(css: str) -> list:
    """A stylesheet as plain data (parsing 575 kB takes ~0.5 s: a clean build does it in the
    renderer, ahead of time): ("rule", [(selector, classes it needs, can never match)],
    body), ("group", "@media …", [its rules]), or ("keep", an at-rule kept as it is)."""
    import tinycss2  # builds only: serve keeps the whole sheet

    def selector(tokens: list) -> tuple:
        text = tinycss2.serialize(t for t in tokens if not (t.type == "function" and t.lower_name == "not"))
        needed = sorted({c for c in NEEDED_CLASS.findall(text) if not c.startswith("md-")})
        return tinycss2.serialize(tokens).strip(), needed, bool(NEVER_MATCHES.search(text))

    def parse(nodes) -> list:
        out = []
        for node in nodes:
            if node.type == "qualified-rule":
                selectors, current = [], []
                for token in node.prelude:  # split the selector list at its top-level commas
                    if token.type == "literal" and token.value == ",":
                        selectors.append(current)
                        current = []
                    else:
                        current.append(token)
                out.append(("rule", [selector(s) for s in selectors + [current]],
                            tinycss2.serialize(node.content)))
            elif node.type == "at-rule" and node.lower_at_keyword in ("media", "supports"):
                out.append(("group", f"@{node.at_keyword}{tinycss2.serialize(node.prelude)}",
                            parse(tinycss2.parse_rule_list(node.content or [], skip_whitespace=True,
                                                           skip_comments=True))))
            elif node.type == "at-rule":
                out.append(("keep", tinycss2.serialize([node]), None))
        return out

    return parse(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))
