"""Every way to build the site gives the same bytes as the clean build (built_site):
another clean build, serial (no worker process), and a cached one (`make build-fast`), with
its cache empty and then full.
"""
from __future__ import annotations

import json

import pytest

from helpers import build_site, copy_project, digests


def same_files(site, built_site):
    first, second = digests(built_site), digests(site)
    assert first.keys() == second.keys()
    assert sorted(name for name in first if first[name] != second[name]) == []
    assert any(n.endswith(".ipynb") for n in first) and any(n.endswith(".zip") for n in first)


@pytest.fixture(scope="module")
def again(tmp_path_factory):
    """A second clean build, serial (`D2L_EXEC_WORKERS=0 make build`), in a copy of the project."""
    tmp = tmp_path_factory.mktemp("again")
    project = copy_project(tmp / "project")
    done = build_site(project, tmp / "site", env={"D2L_EXEC_WORKERS": "0"})
    assert done.returncode == 0, done.stderr
    return project, tmp / "site", done.stderr


def test_two_clean_builds_are_byte_identical_and_parallel_equals_serial(again, built_site,
                                                                       built_site_log):
    _, site, log = again
    assert "run by 0 workers" in log and "run by 0 workers" not in built_site_log
    assert "notebooks drawn by renderer processes: 0 of 4" in log
    same_files(site, built_site)
    assert not (again[0] / ".cache").exists()  # a clean build keeps nothing


def test_a_cached_build_equals_a_clean_one(again, built_site, tmp_path):
    project = again[0]
    first = build_site(project, tmp_path / "first", env={"D2L_EXEC_CACHE": "true"})  # fills the cache
    assert first.returncode == 0, first.stderr
    assert "0 new" not in first.stderr  # its cache started empty: every block ran
    done = build_site(project, tmp_path / "fast", env={"D2L_EXEC_CACHE": "true"})
    assert done.returncode == 0, done.stderr
    assert "python blocks: 0 new" in done.stderr and "0 run while rendering" in done.stderr
    same_files(tmp_path / "first", built_site)
    same_files(tmp_path / "fast", built_site)


def test_a_vault_drawn_by_two_renderers_equals_its_serial_build(tmp_path):
    """From 9 notebooks a clean build draws them in two renderer processes (each warmed up on
    its own); what they draw is what a serial build, with no renderer, makes."""
    from bench import make_vault  # the vault `make bench` measures: copies of the note page

    project = make_vault(tmp_path / "vault", 6)  # 6 notes and 3 more pages: 9 notebooks
    parallel = build_site(project, tmp_path / "parallel")
    assert parallel.returncode == 0, parallel.stderr
    assert "notebooks drawn by renderer processes: 9 of 9 (2 renderer processes)" in parallel.stderr
    serial = build_site(project, tmp_path / "serial", env={"D2L_EXEC_WORKERS": "0"})
    assert serial.returncode == 0, serial.stderr
    assert "notebooks drawn by renderer processes: 0 of 9" in serial.stderr
    same_files(tmp_path / "parallel", tmp_path / "serial")


@pytest.mark.parametrize("damage", ["truncated", "edited"])
def test_a_damaged_notebook_stylesheet_entry_is_made_again(again, built_site, tmp_path, damage):
    """`make build-fast` keeps the cut notebook stylesheet in .cache/notebook-css/; a damaged
    file there is never published: the cut is made again, and the site equals a clean build."""
    project = again[0]
    if not list((project / ".cache/notebook-css").glob("*.json")):
        assert build_site(project, tmp_path / "fill", env={"D2L_EXEC_CACHE": "true"}).returncode == 0
    [entry] = (project / ".cache/notebook-css").glob("*.json")
    text = entry.read_text(encoding="utf-8")
    edited = {**json.loads(text), "css": ".jp-Cell{display:none}"}  # its checksum is the old one
    entry.write_text(text[: len(text) // 2] if damage == "truncated" else json.dumps(edited),
                     encoding="utf-8")
    done = build_site(project, tmp_path / "fast", env={"D2L_EXEC_CACHE": "true"})
    assert done.returncode == 0, done.stderr
    assert f"ignored an unreadable cache entry (it was made again): {entry}" in done.stderr
    assert "notebook stylesheet parsed by this process" in done.stderr
    same_files(tmp_path / "fast", built_site)
    assert json.loads(entry.read_text(encoding="utf-8"))["css"] == (
        built_site / "assets/stylesheets/jupyter.css").read_text(encoding="utf-8")  # written anew
