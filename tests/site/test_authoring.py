"""Follow the authoring guide on a practice note (tests/fixtures/practice_note, not published).

The note uses every Obsidian form the guide promises, with Chinese names and headings:
callouts (one foldable), ==highlights==, wikilinks to a page, a heading, a block and
an alias, to the book and to an unpublished note, a block id, and an image embed with
alignment and width. It must build strictly and render to the expected HTML.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

from helpers import BUILD_ENV, ROOT, broken_links, build_site, copy_project, outputs_by_file, page

FIXTURE = ROOT / "tests/fixtures/practice_note"
PAGE = "deep-learning-computation/deferred-init/index.html"


def add_practice_note(project: Path) -> Path:
    """What the guide says to do: page + image into docs/, code into snippets/, test into tests/, nav."""
    shutil.copytree(FIXTURE / "docs", project / "docs", dirs_exist_ok=True)
    shutil.copytree(FIXTURE / "snippets", project / "snippets", dirs_exist_ok=True)
    shutil.copytree(ROOT / "tests", project / "tests", ignore=shutil.ignore_patterns(
        "fixtures", "__pycache__"))
    shutil.copytree(FIXTURE / "tests", project / "tests", dirs_exist_ok=True)
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    anchor = "      - 深入：绑定参数的梯度: deep-learning-computation/tied-gradients.md\n"
    assert anchor in text
    config.write_text(text.replace(
        anchor, anchor + "      - 5.3 延后初始化: deep-learning-computation/deferred-init.md\n"),
        encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    """The practice note added and built strictly, as `make serve` would (its cache starts
    empty, so every block runs; test_reproducible.py shows a cached build is a clean one)."""
    project = add_practice_note(copy_project(tmp_path_factory.mktemp("practice")))
    site = project / "site"
    done = build_site(project, site, env={"D2L_EXEC_CACHE": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    return project, site


def test_callouts_become_admonitions_and_the_foldable_one_is_closed(practice):
    soup = page(practice[1], PAGE)
    abstract = soup.select_one("div.admonition.abstract")
    assert abstract.select_one(".admonition-title").get_text() == "要点"
    folded = soup.select_one("details.tip")
    assert folded is not None and not folded.has_attr("open")
    assert folded.select_one("summary").get_text() == "为什么要延后"


def test_highlight_is_a_mark(practice):
    assert page(practice[1], PAGE).select_one("mark").get_text() == "直到第一次前向传播"


def test_wikilinks_resolve_to_pages_headings_blocks_and_the_book(practice):
    site = practice[1]
    soup = page(site, PAGE)
    links = {a.get_text(): a["href"] for a in soup.select("article a:not(.headerlink)")}
    assert links["5.2 参数管理"] == "../parameters/"
    assert links["参数绑定"] == "../parameters/#3-参数绑定"
    assert links["2.1 数据操作"] == "https://zh.d2l.ai/chapter_preliminaries/ndarray.html"
    assert links["延后初始化的时机"] == "#延后初始化的时机"
    assert links["上面那句话"] == "#block-a1b2c3"
    # [[#^a1b2c3]] names no note: its text quotes the paragraph it points to
    assert links["“nn.LazyLinear 只指定输出维度，输入…”"] == "#block-a1b2c3"
    assert broken_links(site) == []  # every link has text, every internal target and anchor exists


def test_a_block_id_becomes_an_anchor_on_its_paragraph(practice):
    block = page(practice[1], PAGE).find(id="block-a1b2c3")
    assert block.name == "p" and "LazyLinear" in block.get_text() and "^a1b2c3" not in block.get_text()


def test_an_unpublished_note_is_marked_not_linked(practice):
    marker = page(practice[1], PAGE).select_one("span.unpublished-note")
    assert marker.get_text() == "9.9 尚未写完的笔记未发布"
    assert marker.find_parent("a") is None


def test_image_embed_keeps_width_and_alignment(practice):
    site = practice[1]
    img = page(site, PAGE).select_one("article img")
    assert img["width"] == "300" and "align-center" in img["class"]
    assert (site / unquote(urljoin(PAGE, img["src"]))).is_file()


def test_practice_snippet_output_on_the_page_equals_running_it(practice):
    project, site = practice
    shown = outputs_by_file(page(site, PAGE))["snippets/deferred_init/lazy_linear.py"]
    run = subprocess.run([sys.executable, "snippets/deferred_init/lazy_linear.py"], cwd=project,
                         capture_output=True, text=True, check=True)
    assert shown == run.stdout.rstrip("\n")


def test_the_practice_notes_own_test_passes(practice):
    project, _ = practice
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/deferred_init"],
                          cwd=project, capture_output=True, text=True, env=BUILD_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_a_wikilink_to_a_missing_heading_fails_the_build(practice, tmp_path):
    project = Path(shutil.copytree(practice[0], tmp_path / "project"))  # with its .cache/exec/
    note = project / "docs/deep-learning-computation/deferred-init.md"
    note.write_text(note.read_text(encoding="utf-8").replace(
        "[[5.2 参数管理#3. 参数绑定|参数绑定]]", "[[5.2 参数管理#9. 没有这一节|参数绑定]]"),
        encoding="utf-8")
    done = build_site(project, tmp_path / "site", env={"D2L_EXEC_CACHE": "1"})
    assert done.returncode != 0
    assert "deferred-init.md" in done.stdout + done.stderr and "9-没有这一节" in done.stdout + done.stderr
