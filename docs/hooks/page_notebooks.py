"""Turn a note page into a Jupyter notebook with outputs (used by build_hooks.py; reloaded with it).

mkdocs-jupyter renders notebooks but cannot make one from a Markdown page, so this
module builds the .ipynb from the page and its snippet files. Its outputs are the
page's own: what each block printed when the page's blocks ran (exec_cache.py), so
the build runs every block once and starts no Jupyter kernel. The test suite runs
every published notebook in a fresh kernel and compares (tests/site/test_notebooks.py).
"""
from __future__ import annotations

import functools
import re

import markdown
import nbformat

FENCE_OPEN = re.compile(r"^```python\s+(?P<attrs>.*)$")
INCLUDE = re.compile(r'^--8<-- "(?P<target>snippets/[^"]+)"$')
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+"(?P<title>[^"]*)")?\s*$')
MD_LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?P<anchor>#[^)\s]*)?\)")


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5:]
    return text


def page_to_cells(text: str, expand, link) -> list[nbformat.NotebookNode]:
    """Prose becomes Markdown cells; every fence that includes a snippet becomes a code cell.

    Admonitions become block quotes; fences that do not include a snippet (figures,
    build-time checks) exist only on the web page and are left out.
    """
    cells: list[nbformat.NotebookNode] = []
    prose: list[str] = []

    def flush():
        body = "\n".join(prose).strip("\n")
        if body.strip("> \n"):
            cells.append(nbformat.v4.new_markdown_cell(MD_LINK.sub(link, body)))
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
                    cell = nbformat.v4.new_code_cell(expand(body[0]).rstrip("\n"))
                    cell.metadata["snippet"] = include["target"]
                    if "source=" not in fence["attrs"]:  # hidden on the page: set-up code
                        cell.metadata["tags"] = ["setup"]
                        cell.metadata["jupyter"] = {"source_hidden": True}
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
    """Give the code cells, in order, what their blocks printed on the page, as a kernel would."""
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code_cells) == len(outputs)
    for count, (cell, text) in enumerate(zip(code_cells, outputs), start=1):
        cell.execution_count = count
        if text is None:  # the block raised: the page shows the traceback, the build fails
            cell.outputs = [nbformat.v4.new_output("stream", name="stderr",
                                                   text="构建时这段代码出错，见网页上的报错。\n")]
        else:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
    return nb
