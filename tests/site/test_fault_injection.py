"""A broken snippet, include, link or derivation must fail `mkdocs build --strict`, naming the file.

Four independent faults share one build of a copy of the site (each must still be named
in its log); a missing include stops the build early, so it has a build of its own. The copies
start with a warm cache (conftest.warm_cache): only the broken blocks run, and a cached block
never hides a fault (tests/exec_cache/test_plugin.py shows it for every kind of build).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_site, copy_project

NOTE = Path("docs/deep-learning-computation/parameters.md")


def broken_build(project: Path, site: Path, env: dict | None = None) -> str:
    done = build_site(project, site, env)
    log = done.stdout + done.stderr
    assert done.returncode != 0, f"the build should have failed:\n{log}"
    return log


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CACHED = {"D2L_EXEC_CACHE": "true"}


@pytest.fixture(scope="module")
def log(tmp_path_factory, warm_cache) -> str:
    tmp = tmp_path_factory.mktemp("faults")
    p = copy_project(tmp / "project", warm_cache)
    replace_in(p / "snippets/parameters/custom_init.py", "net.apply(my_init)\n",
               "net.apply(my_init)\nraise RuntimeError('snippet broke on purpose')\n")
    replace_in(p / NOTE, "## 总结\n", "## 总结\n\n见 [5.3 延后初始化](deferred-init.md)。\n\n"
                                      "见 [上文](#4-没有这一节)。\n")
    replace_in(p / "snippets/parameters/tied_1d_by_hand.py", '"w1": w2 * x,', '"w1": w2 * x / 2,')
    return broken_build(p, tmp / "site", CACHED)


def test_a_snippet_that_raises(log):
    assert "snippets/parameters/custom_init.py" in log
    assert "snippet broke on purpose" in log


def test_a_broken_internal_link(log):
    assert "deep-learning-computation/parameters.md" in log and "deferred-init.md" in log


def test_a_broken_anchor(log):
    assert "deep-learning-computation/parameters.md" in log and "#4-没有这一节" in log


def test_a_wrong_hand_derivation(log):
    assert "snippets/parameters/tied_1d_by_hand.py" in log
    assert "autograd" in log


def test_an_include_of_a_missing_file(tmp_path):  # it stops before any block runs: no cache needed
    p = copy_project(tmp_path / "project")
    replace_in(p / NOTE, '--8<-- "snippets/parameters/mlp.py"',
               '--8<-- "snippets/parameters/no_such_file.py"')
    log = broken_build(p, tmp_path / "site", {"D2L_EXEC_WORKERS": "0"})
    assert "no_such_file.py" in log and "deep-learning-computation/parameters.md" in log
