"""The execution cache (docs/hooks/exec_cache.py) may make a build faster, never staler.

Unit tests of the key and the store, then builds of a one-page project (fast), then the
real site (test_reproducible.py: a serial build and a cached one equal the clean build).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import (BUILD_ENV, MKDOCS, ROOT, build_site, fetch, free_port, mini_project, page,
                     run_file_fresh)

sys.path.insert(0, str(ROOT / "docs/hooks"))
import exec_cache  # noqa: E402

MINI_PAGE = "index.html"
SNIPPET = "snippets/demo/seeded.py"
HELPERS = "docs/hooks/page_helpers.py"


# -- the key ------------------------------------------------------------------------

def keys(*codes):
    """The keys a new build gives a session of these blocks (a build reads the modules once)."""
    exec_cache.new_build()
    return exec_cache.session_keys(list(codes), [{}] * len(codes))


def test_key_covers_every_earlier_block_of_the_session():
    setup, show = "import torch\ntorch.manual_seed(0)", "print(torch.rand(1))"
    assert keys(setup, show)[1] != keys("import torch\ntorch.manual_seed(1)", show)[1]
    assert keys(setup, show)[0] == keys(setup)[0]  # a later block changes no earlier key
    assert keys(setup, show) == keys(setup + "\n", "\n" + show)  # blank edges change nothing


def test_key_covers_the_source_of_a_local_module_it_imports(tmp_path, monkeypatch):
    module = tmp_path / "helper_mod.py"
    module.write_text("def f():\n    return 1\n", encoding="utf-8")
    monkeypatch.setattr(exec_cache, "LOCAL_MODULE_DIRS", [tmp_path])
    code = "from helper_mod import f\nprint(f())"
    before = keys(code)
    assert keys(code) == before
    module.write_text("def f():\n    return 2\n", encoding="utf-8")
    assert keys(code) != before
    assert keys("import torch\nprint(1)") == keys("import torch\nprint(1)")  # torch is not local


def test_key_covers_python_torch_and_numpy_versions():
    env = exec_cache.environment()
    for name in ("python", "torch", "numpy", "markdown-exec"):
        assert re.search(rf"\b{name} \d", env), env


# -- the store ----------------------------------------------------------------------

def stored(tmp_path) -> tuple[exec_cache.Store, str, Path]:
    store = exec_cache.Store(tmp_path / "exec")
    key = keys("print('hi')")[0]
    store.put(key, exec_cache.Entry("hi\n"), about={"page": "p.md", "session": "", "code": "x"})
    return store, key, store._path(key)


def test_an_entry_is_a_readable_json_file(tmp_path):
    store, key, path = stored(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["output"] == "hi\n" and data["page"] == "p.md" and data["key"] == key
    assert exec_cache.Store(tmp_path / "exec").get(key).output == "hi\n"  # a new process reads it
    assert not list(path.parent.glob("*.tmp*"))  # written atomically


@pytest.mark.parametrize("damage", ["truncated", "not json", "output edited", "another key", "empty"])
def test_a_damaged_entry_is_ignored(tmp_path, damage):
    _, key, path = stored(tmp_path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    path.write_text({
        "truncated": text[: len(text) // 2],
        "not json": "\x00\x01 garbage",
        "output edited": json.dumps({**data, "output": "STALE\n"}),
        "another key": json.dumps({**data, "key": "0" * 64}),
        "empty": "",
    }[damage], encoding="utf-8")
    fresh = exec_cache.Store(tmp_path / "exec")
    assert fresh.get(key) is None
    assert fresh.ignored == [str(path)]


def test_a_damaged_html_entry_is_ignored(tmp_path):
    store = exec_cache.Store(tmp_path / "exec")
    store.put_html("ab" * 32, {"html": "<p>hi</p>", "conversions": 1})
    assert exec_cache.Store(tmp_path / "exec").get_html("ab" * 32)["html"] == "<p>hi</p>"
    path = next((tmp_path / "exec/html").rglob("*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "html": "<p>STALE</p>"}), encoding="utf-8")
    fresh = exec_cache.Store(tmp_path / "exec")
    assert fresh.get_html("ab" * 32) is None and fresh.ignored == [str(path)]


def test_an_entry_whose_files_changed_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setattr(exec_cache, "ROOT", tmp_path)
    monkeypatch.setattr(exec_cache, "CONTENT_DIRS", [tmp_path / "docs"])
    (tmp_path / "docs").mkdir()
    page_md = tmp_path / "docs" / "a.md"
    page_md.write_text("# A", encoding="utf-8")
    output, reads = exec_cache.run_code(
        f"from pathlib import Path\nprint(Path({str(page_md)!r}).read_text())", {}, "reads")
    assert output == "# A\n" and list(reads) == ["docs/a.md"]
    entry = exec_cache.Entry(output, reads)
    assert entry.is_current()
    page_md.write_text("# B", encoding="utf-8")
    assert not entry.is_current()


def test_a_helpers_asset_is_a_read_file_and_its_module_source_is_not(tmp_path, monkeypatch):
    """page_helpers.tied_explorer inlines tied_explorer.js: editing the script must re-render
    the explorer (a read file), while the helper's .py is in the key already (not a read)."""
    hooks = tmp_path / "docs/hooks"
    hooks.mkdir(parents=True)
    (hooks / "widget.js").write_text("let a = 1;", encoding="utf-8")
    (hooks / "helper.py").write_text("X = 1\n", encoding="utf-8")
    monkeypatch.setattr(exec_cache, "ROOT", tmp_path)
    monkeypatch.setattr(exec_cache, "CONTENT_DIRS", [tmp_path / "docs"])
    monkeypatch.setattr(exec_cache, "LOCAL_MODULE_DIRS", [hooks])
    code = (f"from pathlib import Path\nprint(Path({str(hooks / 'widget.js')!r}).read_text())\n"
            f"Path({str(hooks / 'helper.py')!r}).read_text()")
    output, reads = exec_cache.run_code(code, {}, "asset")
    assert list(reads) == ["docs/hooks/widget.js"]
    entry = exec_cache.Entry(output, reads)
    (hooks / "widget.js").write_text("let a = 2;", encoding="utf-8")
    assert not entry.is_current()


def test_notebook_folders_of_gone_processes_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    """A `mkdocs serve` ended by a signal cannot remove its notebook folder; the next build does,
    and never one whose process still runs."""
    import tempfile

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(exec_cache, "_notebooks", [])
    left = tmp_path / f"d2l-notebooks-{gone}-abc"
    running = tmp_path / f"d2l-notebooks-{os.getppid()}-def"
    for folder in (left, running):
        (folder / "notebooks").mkdir(parents=True)
    mine = exec_cache.notebook_dir()
    assert mine.parent == tmp_path and mine.name.startswith(f"d2l-notebooks-{os.getpid()}-")
    assert not left.exists() and running.exists()


def test_a_block_error_names_the_block_and_shows_its_line():
    with pytest.raises(exec_cache.BlockError) as error:
        exec_cache.run_code("x = 1\nraise ValueError('boom')", {}, "snippets/demo/bad.py")
    assert "snippets/demo/bad.py" in error.value.trace and "raise ValueError('boom')" in error.value.trace


def test_scan_finds_the_blocks_as_the_fence_receives_them():
    text = ('```python exec="1" session="s" title="t"\n--8<-- "a.py:setup"\n```\n\n'
            '!!! note\n\n    ```python exec="1" session="s"\n    print(x)\n    ```\n\n'
            '````markdown\n```python exec="1"\nprint("example, not run")\n```\n````\n')
    blocks = exec_cache.scan(text, lambda line: "x = 1" if "a.py" in line else line)
    assert [(b.session, b.code, b.include) for b in blocks] == [
        ("s", "x = 1", "a.py:setup"), ("s", "print(x)", None)]


@pytest.mark.parametrize("rel", ["deep-learning-computation/parameters.md", "code.md",
                                 "deep-learning-computation/parameters-exercises.md"])
def test_fence_options_are_what_the_formatter_receives(rel):
    """A worker renders a block's HTML with the options exec_cache guesses from its fence line;
    they must be those pymdownx.superfences and markdown-exec's validator give the formatter."""
    import markdown
    import markdown_exec

    received = []

    def capture(source, language, css_class, options, md, **kwargs):
        received.append(options)
        return ""

    text = (ROOT / "docs" / rel).read_text(encoding="utf-8")
    fences = {"name": "python", "class": "python", "validator": markdown_exec.validator, "format": capture}
    markdown.markdown(text, extensions=["admonition", "pymdownx.details", "pymdownx.superfences"],
                      extension_configs={"pymdownx.superfences": {"custom_fences": [fences]}})
    guessed = [exec_cache.fence_options(b) for b in exec_cache.scan(text, lambda line: line)]
    assert guessed and guessed == received


# -- builds of a one-page project ------------------------------------------------------

def fast_build(project: Path, **env) -> subprocess.CompletedProcess:
    """`make build-fast`: a strict build that reads and writes .cache/exec/ (blocks run while
    rendering here: the one-page project needs no worker; the real site's tests use them)."""
    return build_site(project, project / "site",
                      env={"D2L_EXEC_CACHE": "1", "D2L_EXEC_WORKERS": "0", **env})


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


def test_a_cached_rebuild_executes_nothing_and_shows_the_same(mini):
    before = shown(mini)
    done = fast_build(mini)
    assert done.returncode == 0
    assert "python blocks: 0 new" in done.stderr and "0 run while rendering" in done.stderr
    assert shown(mini) == before


def test_a_changed_hidden_seed_changes_the_later_outputs(mini):
    first = shown(mini)
    assert first[0] == run_file_fresh(mini / SNIPPET).rstrip("\n")
    edit(mini / SNIPPET, "random.seed(0)", "random.seed(1)")
    done = fast_build(mini)
    assert done.returncode == 0, done.stderr
    second = shown(mini)
    assert second[0] == run_file_fresh(mini / SNIPPET).rstrip("\n") != first[0]
    assert second[1] != first[1]  # the figure block reads the session's globals: new values too


def test_a_changed_page_helper_changes_the_figure(mini):
    before = shown(mini)
    edit(mini / HELPERS, 'return f"{round(float(value), 6):g}"', 'return f"{float(value):.2f}"')
    done = fast_build(mini)
    assert done.returncode == 0, done.stderr
    after = shown(mini)
    assert after[0] == before[0] and after[1] != before[1]
    assert re.fullmatch(r"w = \d\.\d\d", after[1])


def test_a_corrupted_entry_is_executed_again_and_the_page_is_right(mini):
    before = shown(mini)
    entries = sorted((mini / ".cache/exec").rglob("*.json"))
    assert entries
    for path in entries:
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**data, "output": "STALE OUTPUT\n"}), encoding="utf-8")
    done = fast_build(mini)
    assert done.returncode == 0, done.stderr
    assert shown(mini) == before
    assert "ignored an unreadable cache entry" in done.stderr


def test_a_cached_build_shows_a_changed_figure_in_the_notebook_too(tmp_path):
    """mkdocs-jupyter keys its cache on the .ipynb as it is when its on_pre_page runs; the
    outputs must be in it by then, or the notebook page shows the figure as it was before."""
    import base64

    project = mini_project(tmp_path / "site-copy", full=True)
    assert fast_build(project).returncode == 0
    edit(project / HELPERS, "(560 / 72, 260 / 72), 13\n", "(560 / 72, 260 / 72), 15\n")  # chart text size
    done = fast_build(project)
    assert done.returncode == 0, done.stderr
    on_page = page(project / "site", "deep-learning-computation/parameters-exercises/index.html")
    assert "font-size: 15px" in str(on_page.select_one("figure#loss-shared-mlp svg"))
    notebook = page(project / "site", "notebooks/parameters-exercises/index.html")
    image = notebook.find("img", alt=re.compile("训练损失"))["src"].split(",", 1)[1]
    svg = base64.b64decode(image).decode()
    assert "font-size: 15px" in svg and "font-size: 13px" not in svg


def test_mkdocs_build_never_reads_the_cache_but_a_fast_build_does(mini):
    """Plant entries that look valid but say STALE: only `make build-fast` may show them."""
    shutil.rmtree(mini / ".cache/exec/html")  # else the fast build shows the HTML it kept
    for path in (mini / ".cache/exec").rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["output"].startswith("w = "):
            output = "STALE OUTPUT\n"
            path.write_text(json.dumps({**data, "output": output, "output_sha256":
                                        hashlib.sha256(output.encode()).hexdigest()}),
                            encoding="utf-8")
    clean = build_site(mini, mini / "clean", env={"D2L_EXEC_WORKERS": "0"})
    assert clean.returncode == 0, clean.stderr
    assert "STALE" not in (mini / "clean" / MINI_PAGE).read_text(encoding="utf-8")
    assert fast_build(mini).returncode == 0
    assert "STALE OUTPUT" in (mini / "site" / MINI_PAGE).read_text(encoding="utf-8")


def test_a_raising_block_fails_the_build_even_when_its_session_was_cached(mini):
    edit(mini / SNIPPET, 'print(f"w = {w:.4f}")', 'print(f"w = {w:.4f}")\nraise RuntimeError("坏了")')
    done = fast_build(mini)
    assert done.returncode != 0
    assert SNIPPET in done.stderr and "坏了" in done.stderr


# -- serve ----------------------------------------------------------------------------

def wait_for(url: str, ok, server, timeout: float = 120) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert server.poll() is None, "mkdocs serve exited"
        try:
            html = fetch(url)
            if ok(html):
                return html
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never showed what was expected")


def test_serve_shows_an_error_not_the_old_output_and_recovers(tmp_path):
    project = mini_project(tmp_path / "mini")
    port = free_port()
    log = open(tmp_path / "serve.log", "w")
    server = subprocess.Popen([*MKDOCS, "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=project, env=BUILD_ENV, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        first = wait_for(url, lambda h: "w = " in h, server)
        old = re.search(r"w = [\d.]+", first)[0]
        # a prose edit: the page changes, no block runs
        edit(project / "docs/index.md", "隐藏的 setup", "隐藏的 setup（改过）")
        wait_for(url, lambda h: "（改过）" in h, server)
        # the snippet starts raising: the page shows the error, never the old output
        edit(project / SNIPPET, 'print(f"w = {w:.4f}")', 'raise RuntimeError("坏了")\nprint(f"w = {w:.4f}")')
        broken = wait_for(url, lambda h: "坏了" in h, server)
        assert old not in broken and "RuntimeError" in broken
        # fixed: the page is right again
        edit(project / SNIPPET, 'raise RuntimeError("坏了")\n', "")
        wait_for(url, lambda h: old in h and "坏了" not in h, server)
        # a page helper changes: the figure it draws changes too (a rebuild reads the helpers'
        # source anew, though one build reads it once)
        figure = lambda h: BeautifulSoup(h, "html.parser").select_one("#fig").get_text()  # noqa: E731
        edit(project / HELPERS, 'return f"{round(float(value), 6):g}"', 'return f"{float(value):.2f}"')
        wait_for(url, lambda h: re.fullmatch(r"w = \d\.\d\d", figure(h)), server)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    text = (tmp_path / "serve.log").read_text(encoding="utf-8")
    builds = re.findall(r"python blocks: (\d+) new, .*?; (\d+) run while rendering", text)
    assert builds[1] == ("0", "0"), text  # the prose edit executed no block
    # ended by SIGTERM (no clean-up runs), its forkserver and workers (torch loaded) leave too
    deadline = time.time() + 10
    while _started_by(server.pid) and time.time() < deadline:
        time.sleep(0.2)
    assert _started_by(server.pid) == []


def _started_by(pid: int) -> list[int]:
    """The live processes whose environment names `pid` as the MkDocs that started them."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if f"D2L_EXEC_PARENT={pid}".encode() in environ and state != "Z":
            found.append(int(proc.name))
    return found


def test_serve_polls_every_tenth_second(tmp_path):
    """build_hooks wraps MkDocs' (internal) LiveReloadServer: fail loudly if that stops working."""
    sys.path.insert(0, str(ROOT / "docs/hooks"))
    import build_hooks
    from mkdocs.livereload import LiveReloadServer

    build_hooks._watch_every(0.1)
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(),
                              root=str(tmp_path))
    assert server.observer.timeout == 0.1


# -- the real site ---------------------------------------------------------------------

def test_the_clean_build_ran_every_block_in_a_worker(built_site_log):
    """Each block runs once per build, and not again while its page renders."""
    found = re.search(r"python blocks: (\d+) new, run by (\d+) workers; (\d+) run while rendering",
                      built_site_log)
    assert found and int(found[1]) >= 40 and found[3] == "0", built_site_log
    # the workers also made the blocks' HTML (all but those whose HTML is not cacheable)
    made = re.search(r"HTML made ahead \(by a worker, or cached\): (\d+) of (\d+)", built_site_log)
    assert made and int(made[1]) >= 0.8 * int(made[2]), built_site_log
    # and each notebook's HTML came from a worker too (nbconvert, while the pages rendered)
    assert re.search(r"notebooks rendered by workers: (\d+) of \1\b", built_site_log), built_site_log
    # and JupyterLab's stylesheet was parsed there too, for the cut made at the end
    assert "notebook stylesheet parsed by a worker" in built_site_log, built_site_log
    assert "Jupyter" not in built_site_log and "kernel" not in built_site_log.lower()
