"""The executed notebook of the note page, its download, its headings, and the 代码片段 page."""
from __future__ import annotations

import ast
import base64
import re
import zipfile
from collections import defaultdict
from urllib.parse import unquote, urljoin
from xml.etree import ElementTree

import nbformat
import pytest
from bs4 import BeautifulSoup

from helpers import NOTE_PAGE, PDF, ROOT, SNIPPETS, execute_in_fresh_kernel, outputs_by_file, page

NB_PAGE = "notebooks/parameters/index.html"
NB_FILE = "notebooks/parameters/parameters.ipynb"


@pytest.fixture(scope="module")
def notebook(built_site) -> nbformat.NotebookNode:
    return nbformat.read(built_site / NB_FILE, as_version=4)


def stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def outputs_by_snippet(nb) -> dict[str, str]:
    found: dict[str, list[str]] = defaultdict(list)
    for cell in nb.cells:
        if cell.cell_type == "code":
            text = stream_text(cell).rstrip("\n")
            if text or "tags" not in cell.metadata:
                found[cell.metadata["snippet"].split(":")[0]].append(text)
    return {path: "\n".join(parts) for path, parts in found.items()}


def test_notebook_is_valid_and_executed(notebook):
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) >= 15
    assert all(c.execution_count for c in code)
    assert not any(o.output_type == "error" for c in code for o in c.outputs)
    assert sum(bool(stream_text(c)) for c in code) >= 14


def test_cells_come_from_the_snippet_files_in_page_order(notebook):
    order = [c.metadata["snippet"] for c in notebook.cells if c.cell_type == "code"]
    page_md = (ROOT / "docs/deep-learning-computation/parameters.md").read_text(encoding="utf-8")
    assert order == re.findall(r'^\s*--8<-- "([^"]+)"$', page_md, re.M)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            path, _, section = cell.metadata["snippet"].partition(":")
            text = (ROOT / path).read_text(encoding="utf-8")
            if section:
                text = text.split(f"# --8<-- [start:{section}]\n")[1].split(f"# --8<-- [end:{section}]")[0]
            assert cell.source.strip() == text.strip()


def test_prose_and_headings_are_markdown_cells(notebook):
    md = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    heads = re.findall(r"^(#+) (.+)$", md, re.M)
    assert [h for _, h in heads] == ["5.2 参数管理", "1. 参数访问", "2. 参数初始化", "2.1 内置初始化",
                                     "2.2 自定义初始化", "3. 参数绑定", "理解参数绑定下的反向传播",
                                     "自己试一试", "总结", "参考文献"]
    assert "> **要点**" in md and "```" not in md  # admonitions as quotes, no page-only blocks


def test_notebook_outputs_equal_the_page_outputs(built_site, notebook):
    assert outputs_by_snippet(notebook) == outputs_by_file(page(built_site, NOTE_PAGE))


# every content page and its notebook
NOTEBOOKS = {"parameters": "deep-learning-computation/parameters/index.html",
             "tied-gradients": "deep-learning-computation/tied-gradients/index.html",
             "parameters-exercises": "deep-learning-computation/parameters-exercises/index.html",
             "parameters-supplement": "deep-learning-computation/parameters-supplement/index.html"}


def read_notebook(site, name) -> nbformat.NotebookNode:
    return nbformat.read(site / f"notebooks/{name}/{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_downloaded_notebook_runs_in_a_fresh_kernel_with_the_same_outputs(built_site, name, tmp_path):
    """The build writes the page's outputs into the notebook; Jupyter must agree with them, in
    an empty folder, as a reader who downloaded it alone runs it."""
    nb = read_notebook(built_site, name)
    nbformat.validate(nb)
    fresh = execute_in_fresh_kernel(nb, tmp_path)
    assert outputs_by_snippet(fresh) == outputs_by_snippet(nb)


@pytest.mark.parametrize("name, rel", NOTEBOOKS.items())
def test_download_buttons_resolve(built_site, name, rel):
    for html in (rel, f"notebooks/{name}/index.html"):
        links = page(built_site, html).select("p.notebook-links a[download]")
        assert links, html
        targets = [built_site / unquote(urljoin(html, a["href"])) for a in links]
        assert all(t.is_file() for t in targets), targets
        assert f"{name}.ipynb" in {t.name for t in targets} <= {f"{name}.ipynb", PDF}, targets


@pytest.mark.parametrize("name, rel", NOTEBOOKS.items())
def test_each_notebook_teaches_what_its_page_shows(built_site, name, rel):
    """Figures (as SVG attachments), the derivation (as LaTeX), the 与笔记不同 remarks and the
    tables of the page are all in its notebook, and say the same."""
    soup, nb = page(built_site, rel), read_notebook(built_site, name)
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    text = "\n".join(c.source for c in md)
    figures = {f["id"]: f.select_one("figcaption").get_text()
               for f in soup.select("figure.chain-figure[id]") if f.find_parent(class_="tied-explorer") is None}
    attached = {k.removesuffix(".svg"): c for c in md for k in c.get("attachments", {})}
    assert set(figures) == set(attached)
    for fid, caption in figures.items():
        svg = base64.b64decode(attached[fid].attachments[f"{fid}.svg"]["image/svg+xml"]).decode()
        assert svg.startswith("<svg xmlns=") and f"*{caption}*" in attached[fid].source
        ElementTree.fromstring(svg)  # well-formed XML, or an <img> shows its alt text instead
        page_svg = soup.find(id=fid).select_one("svg")
        assert [t.get_text() for t in BeautifulSoup(svg, "html.parser").select("text")] == [
            t.get_text() for t in page_svg.select("text")]  # the same labels, the same numbers
    formulas = [m["alttext"] for m in soup.select("math[alttext]")]
    assert re.findall(r"\$\$\n(.+?)\n\$\$", text, re.S) == formulas
    remarks = [r for r in soup.select("div.admonition.warning")
               if r.select_one(".admonition-title").get_text() == "与笔记不同"]
    assert text.count("> **与笔记不同**") == len(remarks)
    for remark in remarks:  # the note's text and the live output, as the page quotes them
        note, live = (c.get_text() for c in remark.select("code")[:2])
        assert f"`{note}`" in text and f"`{live}`" in text
    assert text.count("<table>") == len(soup.select("div.snippet-table table"))
    assert "<script" not in text and "tied-explorer" not in text


def test_notebook_page_headings_have_unique_chinese_ids_and_the_toc_resolves(built_site):
    soup = page(built_site, NB_PAGE)
    ids = [h.get("id") for h in soup.select("article h1, article h2, article h3")]
    assert len(ids) == 9 and all(ids) and len(set(ids)) == len(ids)
    assert "1-参数访问" in ids and "理解参数绑定下的反向传播" in ids
    toc = [a["href"] for a in soup.select("nav.md-nav--secondary a.md-nav__link")]
    assert len(toc) >= 8
    for href in toc:
        assert soup.find(id=unquote(href[1:])), href


def test_notebook_page_loads_no_cdn_script(built_site):
    html = (built_site / NB_PAGE).read_text(encoding="utf-8")
    assert "cdnjs" not in html and 'src=""' not in html and "x-mathjax-config" not in html


def test_a_cell_that_fails_only_in_jupyter_fails_the_suite(tmp_path):
    """The build runs no kernel (markdown-exec is not Jupyter), so the fresh-kernel run above
    is what catches a cell that fails only there: it must fail, naming the snippet file. (A
    two-cell notebook: the check is of the runner, not of torch.)"""
    from nbformat.v4 import new_code_cell, new_notebook

    broken = new_notebook(cells=[
        new_code_cell("w = 2\nprint(w)", metadata={"snippet": "snippets/demo/fine.py"}),
        new_code_cell("import sys\nif 'ipykernel' in sys.modules:\n    raise RuntimeError('only the notebook breaks')",
                      metadata={"snippet": "snippets/demo/custom_init.py"})])
    with pytest.raises(AssertionError) as failed:
        execute_in_fresh_kernel(broken, tmp_path)
    message = str(failed.value)
    assert "snippets/demo/custom_init.py" in message and "only the notebook breaks" in message
    assert "fine.py" not in message


def test_snippets_page_lists_every_file_with_its_docstring_and_a_working_link(built_site):
    soup = page(built_site, "code/index.html")
    for path in sorted(SNIPPETS.rglob("*.py")):
        rel = path.relative_to(SNIPPETS).as_posix()
        link = soup.find("a", href=f"../snippets/{rel}")
        assert link is not None, rel
        assert (built_site / "snippets" / rel).read_bytes() == path.read_bytes()
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))).splitlines()[0]
        assert doc in link.parent.get_text()
        assert f"python snippets/{rel}" in link.parent.get_text()


def test_one_archive_holds_every_snippet_and_notebook(built_site):
    soup = page(built_site, "code/index.html")
    href = soup.find("a", href=re.compile(r"\.zip$"))["href"]
    with zipfile.ZipFile(built_site / unquote(urljoin("code/", href))) as archive:
        names = set(archive.namelist())
        assert archive.read("notebooks/parameters.ipynb") == (built_site / NB_FILE).read_bytes()
    assert names == ({f"snippets/{p.relative_to(SNIPPETS).as_posix()}" for p in SNIPPETS.rglob("*.py")}
                     | {f"notebooks/{name}.ipynb" for name in NOTEBOOKS})


ALLOWED_IMPORTS = {"torch", "numpy", "matplotlib", "copy", "math", "random", "collections"}


@pytest.mark.parametrize("path", sorted(p.relative_to(SNIPPETS).as_posix() for p in SNIPPETS.rglob("*.py")))
def test_snippet_needs_nothing_but_torch(path):
    tree = ast.parse((SNIPPETS / path).read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), "a one-line docstring says what it demonstrates"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert {n.split(".")[0] for n in names} <= ALLOWED_IMPORTS, names
    assert "manual_seed(" in (SNIPPETS / path).read_text(encoding="utf-8")
