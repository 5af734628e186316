"""The site on the exec-cache engine: what only this site's pages, helpers and notebooks can show.

The engine's own properties (key, store, reads, parallel = serial, serve) are tested on a tiny
project of its own, without torch: tests/exec_cache/.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import build_site, digests, free_port, mini_project, page, project_env, wait_for

MINI_PAGE = "index.html"
HELPERS = "src/d2l_site/page_helpers.py"


# -- builds of a one-page project ------------------------------------------------------

def fast_build(project: Path, **env) -> subprocess.CompletedProcess:
    """`make build-fast`: a strict build that reads and writes .cache/exec/ (blocks run while
    rendering here: the one-page project needs no worker; the real site's tests use them)."""
    return build_site(project, project / "site",
                      env={"D2L_EXEC_CACHE": "true", "D2L_EXEC_WORKERS": "0", **env})


def shown(project: Path) -> tuple[str, str]:
    soup = page(project / "site", MINI_PAGE)
    return soup.select_one("div.result pre code").get_text().rstrip("\n"), soup.select_one("#fig").get_text()


@pytest.fixture(scope="module")
def mini_built(tmp_path_factory) -> Path:
    project = mini_project(tmp_path_factory.mktemp("mini") / "mini")
    done = fast_build(project)
    assert done.returncode == 0, done.stdout + done.stderr
    return project


@pytest.fixture
def mini(mini_built, tmp_path) -> Path:
    """The one-page project after a build-fast: its site and its .cache/exec/, a copy per test."""
    return Path(shutil.copytree(mini_built, tmp_path / "mini"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("damage", ["truncated", "edited"])
def test_a_damaged_notebook_stylesheet_entry_is_made_again(mini_built, mini, damage):
    """`make build-fast` keeps the cut notebook stylesheet in .cache/notebook-css/; a damaged
    file there is never published: the cut is made again, and the site equals the first build's."""
    [entry] = (mini / ".cache/notebook-css").glob("*.json")
    text = entry.read_text(encoding="utf-8")
    edited = {**json.loads(text), "css": ".jp-Cell{display:none}"}  # its checksum is the old one
    entry.write_text(text[: len(text) // 2] if damage == "truncated" else json.dumps(edited), encoding="utf-8")
    done = fast_build(mini)
    assert done.returncode == 0, done.stderr
    assert f"ignored an unreadable cache entry (it was made again): {entry}" in done.stderr
    assert "notebook stylesheet parsed by this process" in done.stderr
    assert digests(mini / "site") == digests(mini_built / "site")
    assert json.loads(entry.read_text(encoding="utf-8"))["css"] == (
        mini_built / "site/assets/stylesheets/jupyter.css").read_text(encoding="utf-8")  # written anew


def test_a_changed_page_helper_changes_the_figure(mini):
    before = shown(mini)
    edit(mini / HELPERS, 'return f"{round(float(value), 6):g}"', 'return f"{float(value):.2f}"')
    done = fast_build(mini)
    assert done.returncode == 0, done.stderr
    after = shown(mini)
    assert after[0] == before[0] and after[1] != before[1]
    assert re.fullmatch(r"w = \d\.\d\d", after[1])


def test_a_cached_build_shows_a_changed_figure_in_the_notebook_too(mini):
    """The notebook page is drawn from the .ipynb as it is when mkdocs-jupyter's on_pre_page runs;
    the new outputs must be in it by then, or the page shows the figure as it was before. The
    project's cache holds every block, and its notebook, as they were before the edit."""
    import base64

    edit(mini / "src/d2l_site/charts.py", "(560 / 72, 260 / 72), 13\n", "(560 / 72, 260 / 72), 15\n")  # text size
    done = fast_build(mini)
    assert done.returncode == 0, done.stderr
    assert "font-size: 15px" in str(page(mini / "site", MINI_PAGE).select_one("figure#mini-chart svg"))
    notebook = page(mini / "site", "notebooks/index.html")  # index.ipynb: its folder's index page
    image = notebook.find("img", alt="w 减半两次的折线图")["src"].split(",", 1)[1]
    svg = base64.b64decode(image).decode()
    assert "font-size: 15px" in svg and "font-size: 13px" not in svg


def test_a_truncated_notebook_render_in_the_cache_is_made_again(mini):
    """mkdocs-jupyter writes its cache entries non-atomically; on d16244c a truncated one failed
    every later cached build with a JSONDecodeError."""
    import json

    [entry] = (mini / ".cache/mkdocs-jupyter").rglob("*.json")
    whole = entry.read_text(encoding="utf-8")
    entry.write_text(whole[: len(whole) // 2], encoding="utf-8")
    done = fast_build(mini)
    assert done.returncode == 0, done.stderr
    assert f"ignored an unreadable cache entry (it is made again): {entry}" in done.stderr
    assert json.loads(entry.read_text(encoding="utf-8"))["content"] == json.loads(whole)["content"]


def test_plain_serve_draws_a_changed_notebook_in_a_worker_and_never_shows_it_stale(mini, tmp_path):
    """Plain `mkdocs serve` renders every page on each edit: a notebook whose blocks changed is
    drawn by a worker; one drawn from the same .ipynb bytes before is not drawn again; a prose
    edit is drawn here (mkdocs-jupyter), with the current outputs."""
    import time

    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                                  cwd=mini, env=project_env(mini), stdout=log, stderr=subprocess.STDOUT)
    notebook = f"http://127.0.0.1:{port}/notebooks/"
    builds = lambda: log_path.read_text("utf-8").split("Building documentation")[1:]  # noqa: E731
    drawn = lambda: [re.search(r"notebooks drawn by workers: (\d+) of", b)[1] for b in builds()]  # noqa: E731
    old_output = re.compile(r"w = 0\.8444(?!\d)")  # the figure's "w = 0.844422" stays

    def wait_for_build(n):
        deadline = time.time() + 60
        while len([b for b in builds() if "notebooks drawn" in b]) < n and time.time() < deadline:
            time.sleep(0.1)

    try:
        wait_for(notebook, lambda h: old_output.search(h), server)
        edit(mini / "snippets/demo/seeded.py", 'print(f"w = {w:.4f}")', 'print(f"w 是 {w:.4f}")')
        wait_for(notebook, lambda h: "w 是 0.8444" in h and not old_output.search(h), server)
        wait_for_build(2)
        (mini / "docs/unrelated.txt").write_text("改动与这一页无关\n", encoding="utf-8")
        wait_for_build(3)
        assert "w 是 0.8444" in wait_for(notebook, lambda h: True, server)
        edit(mini / "docs/index.md", "# 演示", "# 演示（改过）")  # its prose is in the notebook too
        wait_for(notebook, lambda h: "演示（改过）" in h and "w 是 0.8444" in h and not old_output.search(h), server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log_path.read_text(encoding="utf-8")
    assert drawn()[1:3] == ["1", "0"], text  # the block edit: by a worker; the unrelated edit: not again
    assert "Converting notebook" not in builds()[2], text  # nor here: the worker's drawing was reused


def test_make_serve_keeps_the_zip_current(mini, tmp_path):
    """`make serve` (--dirty) writes the zip of snippets and notebooks again on every rebuild: after a
    block edit it holds the new snippet and the notebook's new output, after a prose edit the
    notebook's new prose."""
    import io
    import zipfile

    from d2l_site.page_helpers import ARCHIVE

    port = free_port()
    temp = tmp_path / "tmp"  # where `mkdocs serve` makes its site folder
    temp.mkdir()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=mini, env=project_env(mini, {"TMPDIR": str(temp)}), stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT)

    def archive(ok) -> bytes:
        """The served zip once ok(its snippet, its notebook)."""
        def holds(data: bytes) -> bool:
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    return ok(z.read("snippets/demo/seeded.py").decode(), z.read("notebooks/index.ipynb").decode())
            except (zipfile.BadZipFile, KeyError):
                return False
        return wait_for(f"http://127.0.0.1:{port}/{ARCHIVE}", holds, server, binary=True)

    try:
        archive(lambda snippet, nb: 'print(f"w = {w:.4f}")' in snippet and "w = 0.8444" in nb)
        edit(mini / "snippets/demo/seeded.py", 'print(f"w = {w:.4f}")', 'print(f"w 是 {w:.4f}")')
        old_output = re.compile(r"w = 0\.8444(?!\d)")  # the figure's "w = 0.844422" stays
        archive(lambda snippet, nb: "w 是" in snippet and "w 是 0.8444" in nb and not old_output.search(nb))
        edit(mini / "docs/index.md", "# 演示", "# 演示（改过）")
        archive(lambda snippet, nb: "演示（改过）" in nb and "w 是 0.8444" in nb)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_notebook_folders_of_gone_processes_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    """A `mkdocs serve` ended by a signal cannot remove its notebook folder; the next build does,
    and never one whose process still runs."""
    import tempfile

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    from d2l_site.notebook_pages import temp_folder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    left = tmp_path / f"d2l-notebooks-{gone}-abc"
    running = tmp_path / f"d2l-notebooks-{os.getppid()}-def"
    for folder in (left, running):
        (folder / "notebooks").mkdir(parents=True)
    mine = temp_folder()
    assert mine.parent == tmp_path and mine.name.startswith(f"d2l-notebooks-{os.getpid()}-")
    assert not left.exists() and running.exists()


# -- the real site ---------------------------------------------------------------------

def test_the_clean_build_ran_every_block_in_a_worker(built_site_log):
    """Each block runs once per build, and not again while its page renders."""
    found = re.search(r"python blocks: (\d+) new, run by (\d+) workers; (\d+) run while rendering",
                      built_site_log)
    assert found and int(found[1]) >= 40 and found[3] == "0", built_site_log
    # and each notebook's HTML came from a worker too (nbconvert, while the pages rendered)
    assert re.search(r"notebooks drawn by workers: (\d+) of \1\b", built_site_log), built_site_log
    # and JupyterLab's stylesheet was parsed there too, for the cut made at the end
    assert "notebook stylesheet parsed by a worker" in built_site_log, built_site_log
    assert "Jupyter" not in built_site_log and "kernel" not in built_site_log.lower()
