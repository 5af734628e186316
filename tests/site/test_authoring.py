"""`make note` on raw Obsidian notes (tests/fixtures/raw_notes, written for these tests).

The 5.3 note uses every Obsidian form the guide promises, with Chinese names and headings:
callouts (one foldable), ==highlights==, wikilinks to a page, a heading, a block and an
alias, to the book and to an unpublished note, a block id, an image embed with alignment
and width, pasted outputs (trailing comments, an output fence after "输出："), a bare last
expression, and two independent groups of blocks. Imported into a copy of the project it
must build strictly and render to the expected HTML; bad input must leave the copy as it was.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

from helpers import ROOT, SOURCE_DIRS, broken_links, build_site, copy_project, outputs_by_file, page, project_env

RAW = ROOT / "tests/fixtures/raw_notes"
NOTE = RAW / "5.3 延后初始化.md"
PAGE = "deep-learning-computation/deferred-init/index.html"
SNIPPET_DIR = "snippets/deferred_init"
CACHED = {"D2L_EXEC_CACHE": "true"}  # make build-fast: a cached build, the same bytes as a clean one


def new_project(dest: Path, cache: Path) -> Path:
    """A copy of the project (with its src/: the copy's importer and plugins run) and a warm
    cache: the import's strict build runs only the new note's blocks."""
    return copy_project(dest, cache)


def import_note(project: Path, note: Path, *args: str) -> subprocess.CompletedProcess:
    """What `make note SRC=... ASSETS=... FORCE=1` runs (the Makefile adds only the set-up)."""
    return subprocess.run(
        [sys.executable, "-m", "d2l_site.import_note", str(note), *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=project_env(project, CACHED),
    )


def snapshot(project: Path) -> dict[str, str]:
    """Every source file of the project and its hash: "the repo exactly as it was"."""
    files = [
        p for d in SOURCE_DIRS for p in (project / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ] + [project / "mkdocs.yml"]
    return {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def practice(tmp_path_factory, warm_cache):
    """The raw 5.6 note (no code) imported without a build, then the raw 5.3 note, by the command,
    which ends with its own strict build: the site it built is kept (--site-dir) to inspect."""
    project = new_project(tmp_path_factory.mktemp("practice"), warm_cache)
    site = project / "site"
    gpu = import_note(project, RAW / "5.6 GPU.md", "--no-build")  # a note without code: built below, with 5.3
    assert gpu.returncode == 0, gpu.stdout + gpu.stderr
    done = import_note(project, NOTE, "--assets", str(RAW / "attachments"), "--site-dir", str(site))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (site / PAGE).is_file()
    return project, site, done.stdout


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


def test_every_snippet_runs_alone_and_prints_what_the_page_shows(practice):
    project, site, _ = practice
    shown = outputs_by_file(page(site, PAGE))
    files = sorted(p.relative_to(project).as_posix() for p in (project / SNIPPET_DIR).glob("*.py"))
    assert files == [f"{SNIPPET_DIR}/layer.py", f"{SNIPPET_DIR}/net.py"]  # two independent sessions
    for rel in files:
        run = subprocess.run([sys.executable, rel], cwd=project, capture_output=True, text=True, check=True)
        assert shown[rel] == run.stdout.rstrip("\n")
    assert shown[f"{SNIPPET_DIR}/net.py"].splitlines() == ["<UninitializedParameter>", "torch.Size([256, 20])"]
    assert shown[f"{SNIPPET_DIR}/layer.py"] == "torch.Size([1, 3])"  # the bare last expression


def test_each_file_seeds_torch_before_its_code_and_keeps_the_notes_blocks_as_sections(practice):
    text = (practice[0] / SNIPPET_DIR / "net.py").read_text(encoding="utf-8")
    setup = text.split("# --8<-- [start:setup]\n")[1].split("# --8<-- [end:setup]")[0]
    assert setup.rstrip().endswith("torch.manual_seed(0)") and "import torch" in setup
    assert "# --8<-- [start:block1]" in text and "# --8<-- [start:block2]" in text
    assert "net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))" in text


def test_pasted_outputs_are_gone_and_listed_next_to_the_live_ones(practice):
    project, _, report = practice
    md = (project / "docs/deep-learning-computation/deferred-init.md").read_text(encoding="utf-8")
    snippet = (project / SNIPPET_DIR / "net.py").read_text(encoding="utf-8")
    assert "输出：" not in md and "# <UninitializedParameter>" not in snippet
    assert "# torch.Size" not in snippet
    assert "    note: torch.Size([256, 20])\n    live: torch.Size([256, 20])" in report
    assert "strict build: passed" in report


def test_the_page_and_its_notebook_are_in_the_nav_in_book_order(practice):
    nav = (practice[0] / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n")[1]
    entries = [line.strip() for line in nav.splitlines()]
    at = entries.index("- 5.3 延后初始化: deep-learning-computation/deferred-init.md")
    assert entries[at + 1] == "- 5.3 延后初始化（Notebook）: notebooks/deferred-init.ipynb"
    assert entries[at - 1].startswith("- 补充（Notebook）")
    assert entries[at + 2 :][:2] == ["- 5.6 GPU: deep-learning-computation/use-gpu.md", "- 代码片段: code.md"]
    assert (practice[1] / "notebooks/deferred-init/deferred-init.ipynb").is_file()
    assert broken_links(practice[1]) == []


def test_importing_the_same_note_again_changes_nothing(practice, tmp_path):
    project = Path(shutil.copytree(practice[0], tmp_path / "p", ignore=shutil.ignore_patterns("site")))
    before = snapshot(project)
    done = import_note(project, NOTE, "--assets", str(RAW / "attachments"), "--no-build")
    assert done.returncode == 0, done.stderr
    assert "nothing changed" in done.stdout and snapshot(project) == before


def test_an_edited_note_updates_the_page_and_its_snippets(practice, tmp_path):
    project = Path(shutil.copytree(practice[0], tmp_path / "p", ignore=shutil.ignore_patterns("site")))
    text = NOTE.read_text(encoding="utf-8").replace("LazyLinear(256)", "LazyLinear(128)")
    note = tmp_path / NOTE.name
    note.write_text(text.split("## 另一个独立的例子")[0], encoding="utf-8")
    done = import_note(project, note, "--assets", str(RAW / "attachments"), "--no-build")  # practice builds one
    assert done.returncode == 0, done.stdout + done.stderr
    assert "LazyLinear(128)" in (project / SNIPPET_DIR / "net.py").read_text(encoding="utf-8")
    assert not (project / SNIPPET_DIR / "layer.py").exists()  # its block left the note
    assert "layer.py" not in (project / "docs/deep-learning-computation/deferred-init.md").read_text(encoding="utf-8")


def test_a_snippet_edited_by_hand_is_not_overwritten_without_force(practice, tmp_path):
    project = Path(shutil.copytree(practice[0], tmp_path / "p", ignore=shutil.ignore_patterns("site")))
    snippet = project / SNIPPET_DIR / "net.py"
    snippet.write_text(snippet.read_text(encoding="utf-8") + "# 我的修改\n", encoding="utf-8")
    before = snapshot(project)
    done = import_note(project, NOTE, "--assets", str(RAW / "attachments"), "--no-build")
    assert done.returncode == 1 and "edited by hand" in done.stderr and "FORCE=1" in done.stderr
    assert snapshot(project) == before
    forced = import_note(project, NOTE, "--assets", str(RAW / "attachments"), "--no-build", "--force")
    assert forced.returncode == 0 and "我的修改" not in snippet.read_text(encoding="utf-8")


def _note(folder: Path, name: str, text: str) -> Path:
    folder = folder / f"note-{len(list(folder.glob('note-*')))}"  # each note in a folder (a vault) of its own
    folder.mkdir(parents=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.mark.parametrize(
    "case, message",
    [
        ("raises", "the python block at line 19 of the note raises"),
        ("gbk", "not UTF-8"),
        ("missing image", "![[延后初始化 示意图.svg]]: no such file"),
        ("no heading", "no '# title' heading"),
        ("hand-made page", "exists and was not made by make note"),
        ("same title as another page", "already has this title"),
        ("runs past the time limit", "5.4 自定义层.md: the python block at line 3 of the note raises:\nsnippets/"),
        ("not a section of the book", "无关笔记.md: line 3: 《3.99 不存在的一节》 is not a section of the book"),
        ("an IPython magic", "5.4 自定义层.md: line 4: `%matplotlib inline` is an IPython magic, not Python"),
        ("an unclosed fence", "5.4 自定义层.md: line 3: a ``` fence that never closes"),
        (
            "an embed of a note not in the vault",
            "5.4 自定义层.md: line 3: ![[不在库里的笔记]] embeds a note that is not",
        ),
        ("no ASSETS folder", "ASSETS="),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(tmp_path, warm_cache, case, message):
    project = new_project(tmp_path / "project", warm_cache)
    note = {
        "raises": RAW / "5.4 自定义层.md",
        "gbk": RAW / "5.5 读写文件 (GBK).md",
        "missing image": NOTE,
        "no heading": _note(tmp_path, "无标题.md", "只有正文，没有标题。\n"),
        "hand-made page": _note(tmp_path, "5.2 参数管理.md", "# 5.2 参数管理\n\n重写。\n"),
        "same title as another page": None,
        "runs past the time limit": _note(
            tmp_path,
            "5.4 自定义层.md",
            "# 5.4 自定义层\n\n```python\nimport time\n\nwhile True:\n    time.sleep(1)\n```\n",
        ),
        "not a section of the book": _note(tmp_path, "无关笔记.md", "\ufeff\r\n\r\n# 3.99 不存在的一节\r\n"),
        "an IPython magic": _note(tmp_path, "5.4 自定义层.md", "# 5.4 自定义层\n\n```python\n%matplotlib inline\n```"),
        "an unclosed fence": _note(tmp_path, "5.4 自定义层.md", "# 5.4 自定义层\n\n```python\nx = 1\n"),
        "an embed of a note not in the vault": _note(
            tmp_path, "5.4 自定义层.md", "# 5.4 自定义层\n\n![[不在库里的笔记#总结]]"
        ),
        "no ASSETS folder": NOTE,
    }[case]
    if case == "runs past the time limit":  # the page's limit, from mkdocs.yml
        config = project / "mkdocs.yml"
        limited = config.read_text(encoding="utf-8").replace("timeout: 120", "timeout: 6")  # each set-up has its own
        config.write_text(limited, encoding="utf-8")
    if note is None:  # a second page titled 5.3 延后初始化 elsewhere in the site
        other = project / "docs/deep-learning-computation/other.md"
        other.write_text("# 5.3 延后初始化\n", encoding="utf-8")
        note = NOTE
    before = snapshot(project)
    assets = ["--assets", str(tmp_path / "no such folder")] if case == "no ASSETS folder" else []
    done = import_note(project, note, "--no-build", *assets)
    assert done.returncode == 1
    assert message in done.stderr and "Nothing was changed." in done.stderr
    assert snapshot(project) == before
    if case == "runs past the time limit":
        assert "stopped after its time limit of 6 s" in done.stderr
    if case == "raises":  # the error itself, with the line of code that raised
        assert "RuntimeError: shape '[4, 4]' is invalid" in done.stderr
        assert "Y.reshape(4, 4)" in done.stderr


def test_a_note_without_code_is_a_page_without_snippets(practice):
    project, site, _ = practice
    md = (project / "docs/deep-learning-computation/use-gpu.md").read_text(encoding="utf-8")
    assert md.startswith("---\nimported: true") and "notebook" not in md.split("---")[1]
    assert not (project / "snippets/use_gpu").exists()
    assert (site / "deep-learning-computation/use-gpu/index.html").is_file()  # built strictly, with 5.3
    assert not (site / "notebooks/use-gpu").exists()


def test_make_note_runs_the_command_with_assets_and_force():
    dry = subprocess.run(
        ["make", "-n", "note", "SRC=a b.md", "ASSETS=x", "FORCE=1"], cwd=ROOT, capture_output=True, text=True
    )
    assert 'd2l-import-note "a b.md" --assets "x" --force' in dry.stdout
    usage = subprocess.run(["make", "note"], cwd=ROOT, capture_output=True, text=True)
    assert usage.returncode != 0 and "usage: make note SRC=" in usage.stderr


def test_a_wikilink_to_a_missing_heading_fails_the_build(practice, tmp_path):
    project = Path(shutil.copytree(practice[0], tmp_path / "project"))  # with its .cache/exec/
    note = project / "docs/deep-learning-computation/deferred-init.md"
    note.write_text(
        note.read_text(encoding="utf-8").replace(
            "[[5.2 参数管理#3. 参数绑定|参数绑定]]", "[[5.2 参数管理#9. 没有这一节|参数绑定]]"
        ),
        encoding="utf-8",
    )
    done = build_site(project, tmp_path / "site", env={"D2L_EXEC_CACHE": "true"})
    assert done.returncode != 0
    assert "deferred-init.md" in done.stdout + done.stderr and "9-没有这一节" in done.stdout + done.stderr
