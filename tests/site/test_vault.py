"""`make note SRC=<vault folder>` on a vault as Obsidian saves it (tests/fixtures/vault): a
chapter-3 note with a BOM, CRLF line endings and properties that uses every item of Obsidian's
syntax, a note that is refused (an IPython magic), a daily note and an index note (skipped).
Imported into a copy of the project, built strictly by the command (with SITE_URL, as published),
and read back: the page, its notebook, the tags page, the search index, and in Chromium; and every
published notebook must stand on its own (images inside, only Jupyter's own syntax)."""
from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT, SITE_URL, SOURCE_DIRS, copy_project, page, project_env

VAULT = ROOT / "tests/fixtures/vault"
PAGE = "linear-networks/linear-regression-scratch/index.html"
NOTEBOOK = "notebooks/linear-regression-scratch/"
PRIVATE = ("私密", "还没想清楚")  # the note's %% comments %%


def import_vault(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "d2l_site.import_note", str(VAULT), "--assets",
                           str(VAULT / "attachments"), *args], cwd=project, capture_output=True, text=True,
                          env=project_env(project, {"D2L_EXEC_CACHE": "true", "SITE_URL": SITE_URL}))


@pytest.fixture(scope="module")
def vault(tmp_path_factory, warm_cache):
    project = copy_project(tmp_path_factory.mktemp("vault") / "project", warm_cache)
    done = import_vault(project, "--site-dir", str(project / "site"))
    assert (project / "site" / PAGE).is_file(), done.stdout + done.stderr
    return project, project / "site", done


def test_the_folder_is_imported_note_by_note_in_book_order_with_a_table(vault):
    project, _, done = vault
    assert done.returncode == 1  # one note was refused
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows[0] == "| note | page | snippets | pasted outputs that differ from the live ones |"
    assert rows[2] == ("| 3.2 线性回归的从零开始实现.md | docs/linear-networks/linear-regression-scratch.md "
                       "| true_w.py | line 44: torch.Size([999]) |")  # its other pasted output matched the live one
    assert rows[3].startswith("| 3.3 线性回归的简洁实现.md | refused |  | line 4: `%matplotlib inline` is an "
                              "IPython magic")
    assert rows[4:] == ["| 2024-03-01.md | skipped |  | 《2024-03-01》 is not a section of the book |",
                        "| 索引.md | skipped |  | no '# title' heading |"]
    assert "strict build: passed" in done.stdout
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    entry = "      - 3.2 线性回归的从零开始实现: linear-networks/linear-regression-scratch.md"
    assert f"  - 第 3 章 线性神经网络:\n{entry}" in config
    assert not (project / "docs/linear-networks/linear-regression-concise.md").exists()  # the refused one


def test_importing_the_vault_again_changes_nothing(vault, tmp_path):
    project = vault[0]
    files = lambda: {p: hashlib.sha256(p.read_bytes()).hexdigest() for d in SOURCE_DIRS  # noqa: E731
                     for p in (project / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    before = files()
    again = import_vault(project, "--no-build")
    assert again.returncode == 1 and "nothing changed (already imported)" in again.stdout
    assert files() == before


def test_no_comment_is_published_anywhere(vault):
    project, site, _ = vault
    for path in [*site.rglob("*"), *(project / "snippets").rglob("*"), *(project / "docs").rglob("*.md"),
                 *(project / "tests/linear_regression_scratch").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".zip":
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            assert not any(word.encode() in data for word in PRIVATE), path


def test_the_page_renders_obsidian_syntax(vault):
    soup = page(vault[1], PAGE)
    article = soup.select_one("article")
    text = article.get_text()
    assert "\ufeff" not in str(soup) and "aliases" not in text and "created" not in text  # properties: not text
    assert len(article.select("math")) == 2 and article.select_one('math[display="block"]')
    assert article.select_one("div.footnote li#fn\\:1") and article.select_one("sup#fnref\\:1")
    boxes = article.select("li.task-list-item input[type=checkbox]")
    assert len(boxes) == 4 and all(b.has_attr("disabled") for b in boxes)
    assert article.select_one("del").get_text() == "直接求解析解"
    assert article.select_one("pre.mermaid code").get_text().startswith("graph LR")
    assert article.select_one("details.todo:not([open])") and article.select_one("details.tip[open]")
    assert article.select_one("div.admonition.abstract")  # [!summary]: Obsidian's alias of abstract
    embed = article.select_one("div.note-embed")
    assert "参数绑定下的梯度" in embed.get_text()  # the 总结 section of 5.2, a page of this site
    assert embed.select_one("a")["href"] == "../../deep-learning-computation/parameters/#总结"
    tag = article.select_one("a.obsidian-tag")
    assert tag.get_text() == "#线性回归" and tag["href"] == "../../tags/"
    alias = [a for a in article.select("a") if a.get_text() == "线性回归从零实现"]
    assert alias and alias[0]["href"] == "#"  # [[alias]] resolves to this very page


def test_the_tags_page_lists_the_notes_tags(vault):
    tags = page(vault[1], "tags/index.html").select_one("article")
    for tag in ("线性回归", "从零实现"):
        section = tags.find("h2", id=f"tag:{tag}")
        assert section and "3.2 线性回归的从零开始实现" in section.find_next("ul").get_text()


def test_the_notebook_keeps_latex_for_jupyter_and_its_page_shows_mathml(vault):
    site = vault[1]
    nb = json.loads((site / NOTEBOOK / "linear-regression-scratch.ipynb").read_text(encoding="utf-8"))
    prose = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "$\\hat{y} = Xw + b$" in prose and "$$" in prose
    assert "%%" not in prose and "\ufeff" not in prose
    assert '<div class="note-embed">\n\n嵌入自 [5.2 参数管理 > 总结](https://' in prose  # rendered, and absolute
    assert "[^1]" not in prose and "<sup>1</sup> 平方损失的系数" in prose  # a footnote Jupyter can show
    notebook = page(site, NOTEBOOK + "index.html").select_one("article")
    assert len(notebook.select("math")) >= 2 and "$\\hat" not in notebook.get_text()


def test_the_generated_snippet_test_runs_and_checks_the_recorded_output(vault):
    project = vault[0]
    test = project / "tests/linear_regression_scratch/test_true_w.py"
    assert '"torch.Size([10, 2])",' in test.read_text(encoding="utf-8")  # the note's pasted output that matched
    assert "torch.Size([999])" not in test.read_text(encoding="utf-8")  # the one that did not
    for helper in ("pyproject.toml", "tests/helpers.py"):  # what a test of this project runs with
        shutil.copy(ROOT / helper, project / helper)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", str(test.parent)],
                          cwd=project, capture_output=True, text=True, env=project_env(project), timeout=300)
    assert done.returncode == 0 and "2 passed" in done.stdout, done.stdout + done.stderr
    from test_mirror import missing

    assert not [m for m in missing(project) if "linear_regression_scratch" in m]


def test_the_page_and_its_notebook_load_with_nothing_from_elsewhere(vault, browser):
    from browser import serve, visit

    with serve(vault[1]) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            for path in (PAGE.removesuffix("index.html"), NOTEBOOK):
                pg, errors, hosts, failed = visit(context, url + path)
                assert set(hosts) == {url.split("/")[2]} and failed == [] and errors == [], (path, hosts, failed)
                if path == NOTEBOOK:
                    continue
                # drawn by the site's own mermaid: Material puts the drawing in a closed shadow root
                drawn = pg.wait_for_selector("div.mermaid", timeout=30_000)
                assert drawn.bounding_box()["height"] > 50 and pg.locator("pre.mermaid").count() == 0
                assert pg.evaluate("[...document.images].every(i => i.naturalWidth > 0)")
            pg, *_ = visit(context, url)
            pg.locator("input.md-search__input").click()
            pg.locator("input.md-search__input").type("平方损失")
            pg.keyboard.press("End")
            result = pg.locator(".md-search-result__item a").first
            result.wait_for(state="visible", timeout=30_000)
            assert "linear-regression-scratch" in result.get_attribute("href")
        finally:
            context.close()


# what only MkDocs reads: attr_lists, snippet includes, admonitions, wikilinks
MKDOCS_ONLY = re.compile(r"\{:?\s*[.#][\w-]|\{[^}\n]*\w=\"[^}\n]*\}|--8<--|^\s*(?:!!!|\?\?\?)|\[\[", re.M)
LINK = re.compile(r"\]\((?P<md>[^)\s]+)|(?:href|src)=\"(?P<html>[^\"]+)\"")


def test_every_published_notebook_stands_on_its_own(vault):
    """On d16244c an imported note's image was a relative path the notebook page asked for in the
    wrong folder (a 404) and the download did not hold, with `{ .align-center width="500" }` as text."""
    from d2l_site.obsidian import DISPLAY_MATH, INLINE_MATH

    notebooks = sorted(vault[1].rglob("*.ipynb"))
    assert len(notebooks) == 5
    images = 0
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            text = "".join(cell["source"])
            code = re.compile(r"^(`{3,}|~{3,}).*?^\1|`[^`\n]+`", re.S | re.M)  # code shows what it shows
            prose = INLINE_MATH.sub("", DISPLAY_MATH.sub("", code.sub("", text)))
            assert not MKDOCS_ONLY.search(prose), (path.name, MKDOCS_ONLY.search(prose)[0], text)
            for m in LINK.finditer(text):
                target = m["md"] or m["html"]
                assert target.startswith(("http://", "https://", "#", "attachment:", "data:")), (path.name, target)
                if target.startswith("attachment:"):
                    images += 1
                    assert target.removeprefix("attachment:") in cell["attachments"], (path.name, target)
    scratch = (vault[1] / NOTEBOOK / "linear-regression-scratch.ipynb").read_text(encoding="utf-8")
    assert '<div align=\\"center\\"><img src=\\"attachment:' in scratch and 'width=\\"300\\"' in scratch
    assert images >= 5  # the figures of the 5.2 pages and the imported note's image


def test_every_notebook_page_loads_whole_with_nothing_from_elsewhere(vault, browser):
    from browser import serve, visit

    with serve(vault[1]) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            for path in sorted(vault[1].glob("notebooks/*/index.html")):
                rel = path.parent.relative_to(vault[1]).as_posix() + "/"
                pg, errors, hosts, failed = visit(context, url + rel)
                assert set(hosts) == {url.split("/")[2]} and failed == [], (rel, hosts, failed)
                pg.wait_for_load_state("load")
                sizes = pg.evaluate("[...document.querySelectorAll('article img')].map(i => i.naturalWidth)")
                assert all(w > 0 for w in sizes), (rel, sizes)
                if "linear-regression-scratch" in rel:
                    assert len(sizes) == 1 and pg.locator("article img").get_attribute("width") == "300"
                    drawn = pg.wait_for_selector("div.mermaid", timeout=30_000)  # its diagram, by the site's mermaid
                    pg.wait_for_function("document.querySelector('div.mermaid').getBoundingClientRect().height > 50")
                    assert drawn.is_visible()
                pg.close()
        finally:
            context.close()
