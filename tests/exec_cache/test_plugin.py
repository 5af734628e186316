"""The exec-cache MkDocs plugin on the tiny project: builds in seconds, no torch, no site."""
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
import tiny_project as tiny

from helpers import digests, free_port, started_by, wait_for


@pytest.fixture(scope="module")
def cached(tmp_path_factory) -> Path:
    project = tiny.make(tmp_path_factory.mktemp("tiny") / "tiny")
    done = tiny.build(project, EXEC_CACHE="true")
    assert done.returncode == 0, done.stderr
    return project


@pytest.fixture
def project(cached, tmp_path) -> Path:
    """The tiny project after a cached build: its site and its .cache/exec/, a copy per test."""
    return Path(shutil.copytree(cached, tmp_path / "tiny"))


def counts(log: str) -> tuple[int, int, int]:
    m = re.search(r"python blocks: (\d+) new, run by (\d+) workers; (\d+) run while rendering", log)
    assert m, log
    return int(m[1]), int(m[2]), int(m[3])


def test_parallel_serial_and_cached_builds_are_byte_identical(project):
    parallel = tiny.build(project, "parallel", EXEC_WORKERS="2")
    serial = tiny.build(project, "serial", EXEC_WORKERS="0")
    again = tiny.build(project, "cached", EXEC_CACHE="true")
    assert parallel.returncode == serial.returncode == again.returncode == 0, parallel.stderr + serial.stderr
    assert counts(parallel.stderr) == (5, 2, 0)  # every block ran in a worker
    assert counts(serial.stderr) == (5, 0, 5)  # every block ran as its page rendered
    assert counts(again.stderr)[0::2] == (0, 0)  # nothing ran (EXEC_WORKERS=2 starts workers all the same)
    assert "HTML from the cache: 5 of 5" in again.stderr
    assert digests(project / "parallel") == digests(project / "serial") == digests(project / "cached")
    assert tiny.shown(project, "parallel")["output"] == "w = 0.8444"


def test_mkdocs_build_never_reads_the_cache_but_a_cached_build_does(project):
    """Plant entries that look valid but say STALE: only a build with `cache: true` may show them."""
    shutil.rmtree(project / ".cache/exec/html")  # else the cached build shows the HTML it kept
    for path in (project / ".cache/exec").rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["output"].startswith("w = "):
            output = "STALE OUTPUT\n"
            path.write_text(json.dumps({**data, "output": output, "output_sha256":
                                        hashlib.sha256(output.encode()).hexdigest()}), encoding="utf-8")
    assert tiny.build(project, "clean").returncode == 0
    assert "STALE" not in (project / "clean/index.html").read_text(encoding="utf-8")
    assert tiny.build(project, EXEC_CACHE="true").returncode == 0
    assert "STALE OUTPUT" in (project / "site/index.html").read_text(encoding="utf-8")


def test_a_raising_block_fails_the_build_naming_the_file_even_when_cached(project):
    show = 'print(f"w = {w:.4f}")'
    tiny.edit(project / "snippets/seeded.py", show, show + '\nraise RuntimeError("坏了")')
    for env in ({"EXEC_CACHE": "true"}, {"EXEC_WORKERS": "2"}, {"EXEC_WORKERS": "0"}):
        done = tiny.build(project, **env)
        assert done.returncode != 0, env
        assert "snippets/seeded.py" in done.stderr and "坏了" in done.stderr, env


def test_a_missing_include_fails_the_build_naming_the_page(project):
    tiny.edit(project / "docs/other.md", "total = sum(range(4))", '--8<-- "snippets/gone.py"')
    done = tiny.build(project)
    assert done.returncode != 0 and "other.md" in done.stderr and "snippets/gone.py" in done.stderr


# -- serve ---------------------------------------------------------------------------------

def test_serve_shows_errors_follows_edits_and_leaves_nothing_behind(project, tmp_path):
    # the engine's own code inside the project, first on the path: an edit to it is seen
    shutil.copytree(Path(__file__).parents[2] / "src/exec_cache", project / "src/exec_cache",
                    ignore=shutil.ignore_patterns("__pycache__"))
    tiny.edit(project / "mkdocs.yml", "  - lib\n", "  - lib\n  - src\n")
    port = free_port()
    log = open(tmp_path / "serve.log", "w")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project / "src")}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    figure = lambda h: re.search(r'<p id="fig">(.*?)</p>', h)[1]  # noqa: E731
    try:
        first = wait_for(url, lambda h: "w = 0.8444" in h, server)
        assert figure(first) == "w = 0.844"
        # a prose edit: the page changes, no block runs
        tiny.edit(project / "docs/index.md", "# Tiny", "# Tiny（改过）")
        wait_for(url, lambda h: "（改过）" in h, server)
        # the snippet starts raising: the page shows the error, never the old output
        show = 'print(f"w = {w:.4f}")'
        tiny.edit(project / "snippets/seeded.py", show, 'raise RuntimeError("坏了")\n' + show)
        broken = wait_for(url, lambda h: "坏了" in h, server)
        assert "w = 0.8444" not in broken and "RuntimeError" in broken
        # fixed: the page is right again
        tiny.edit(project / "snippets/seeded.py", 'raise RuntimeError("坏了")\n', "")
        wait_for(url, lambda h: "w = 0.8444" in h and "坏了" not in h, server)
        # a local module two imports away changes: the figure it draws changes too
        tiny.edit(project / "lib/tinyfmt.py", "{value:.3f}", "{value:.1f}")
        wait_for(url, lambda h: figure(h) == "w = 0.8", server)
        # the plugin's own code changes: the log says a restart is needed
        with open(project / "src/exec_cache/store.py", "a", encoding="utf-8") as f:
            f.write("# edited\n")
        deadline = time.time() + 30
        while "restart" not in (tmp_path / "serve.log").read_text(encoding="utf-8") and time.time() < deadline:
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    text = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "src/exec_cache/store.py changed since `mkdocs serve` started" in text and "restart" in text, text
    builds = re.findall(r"python blocks: (\d+) new, .*?; (\d+) run while rendering", text)
    assert builds[1] == ("0", "0"), text  # the prose edit executed no block
    # ended by SIGTERM (no clean-up runs), its forkserver and workers leave too
    deadline = time.time() + 10
    while started_by(server.pid) and time.time() < deadline:
        time.sleep(0.2)
    assert started_by(server.pid) == []
