"""Turn a note page into an executed Jupyter notebook (used by build_hooks.py; reloaded with it).

mkdocs-jupyter renders notebooks but cannot make one from a Markdown page, and the
notebook it executes is not the one it offers for download, so this module builds
the .ipynb from the page and its snippet files and executes it with nbclient.
"""
from __future__ import annotations

import hashlib
import json
import platform
import re
from pathlib import Path

import markdown
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

FENCE_OPEN = re.compile(r"^```python\s+(?P<attrs>.*)$")
INCLUDE = re.compile(r'^--8<-- "(?P<target>snippets/[^"]+)"$')
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+"(?P<title>[^"]*)")?\s*$')
MD_LINK = re.compile(r"\]\((?P<target>[^)#\s]+\.md)(?P<anchor>#[^)\s]*)?\)")


class NotebookError(Exception):
    """A notebook cell raised: the message names the page and the snippet file."""


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


def build_notebook(page_text: str, mdx_configs: dict, link) -> nbformat.NotebookNode:
    """The notebook of one page (its Markdown source), not yet executed."""
    snippets = markdown.Markdown(extensions=["pymdownx.snippets"],
                                 extension_configs={"pymdownx.snippets":
                                                    mdx_configs.get("pymdownx.snippets", {})})
    expand = lambda line: "\n".join(snippets.preprocessors["snippet"].run([line]))  # noqa: E731
    nb = nbformat.v4.new_notebook()
    nb.cells = page_to_cells(page_text, expand, link)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for n, cell in enumerate(nb.cells):  # stable ids: builds stay byte-identical
        cell["id"] = f"cell-{n}"
    return nb


def code_key(nb: nbformat.NotebookNode) -> str:
    """Executed outputs depend only on the code cells (snippets import nothing local)."""
    import torch

    h = hashlib.sha256(f"{torch.__version__} {platform.python_version()}".encode())
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode() + b"\0")
    return h.hexdigest()


def execute(nb: nbformat.NotebookNode, cwd: Path, page: str, cache_dir: Path | None):
    """Run every cell in one fresh kernel; reuse outputs when only the prose changed."""
    cached = cache_dir / f"{code_key(nb)}.json" if cache_dir else None
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    if cached and cached.exists():
        for cell, (count, outputs) in zip(code_cells, json.loads(cached.read_text())):
            cell.execution_count = count
            cell.outputs = [nbformat.from_dict(o) for o in outputs]
        return nb
    # coalesce_streams: the kernel may flush one print in one or two messages; merged,
    # two builds write the same bytes
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=False,
                            coalesce_streams=True, resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute()
    except CellExecutionError as error:
        failed = next((c for c in code_cells
                       if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        where = failed.metadata.get("snippet", "?") if failed else "?"
        raise NotebookError(f"notebook of {page}: a cell from {where} raised\n{error}") from None
    for cell in code_cells:
        cell.metadata.pop("execution", None)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps([(c.execution_count, c.outputs) for c in code_cells]))
    return nb
