"""Every way to build the site gives the same bytes as the clean build (built_site):
another clean build, serial (no worker process), and a cached one (`make build-fast`), with
its cache empty and then full.
"""
from __future__ import annotations

import json
import re

import pytest

from helpers import build_site, copy_project, digests


def same_files(site, built_site):
    first, second = digests(built_site), digests(site)
    assert first.keys() == second.keys()
    assert sorted(name for name in first if first[name] != second[name]) == []
    assert any(n.endswith(".ipynb") for n in first) and any(n.endswith(".zip") for n in first)


@pytest.fixture(scope="session")
def again(tmp_path_factory):
    """A second clean build, serial (`D2L_EXEC_WORKERS=0 make build`), in a copy of the project;
    made once per run and shared by the workers (each test below is a class: they spread)."""
    import os

    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") \
        else tmp_path_factory.getbasetemp()
    with FileLock(str(shared / "again.lock")):
        project, site, log = shared / "again/project", shared / "again/site", shared / "again/log"
        if not log.exists():
            copy_project(project)
            done = build_site(project, site, env={"D2L_EXEC_WORKERS": "0"})
            assert done.returncode == 0, done.stderr
            log.write_text(done.stderr, encoding="utf-8")
        return project, site, log.read_text(encoding="utf-8")


class TestClean:
    def test_two_clean_builds_are_byte_identical_and_parallel_equals_serial(self, again, built_site,
                                                                            built_site_log):
        _, site, log = again
        assert "run by 0 workers" in log and "run by 0 workers" not in built_site_log
        assert "notebooks drawn by workers: 0 of 4" in log
        same_files(site, built_site)
        assert not (again[0] / ".cache").exists()  # a clean build keeps nothing


class TestCached:
    def test_a_cached_build_equals_a_clean_one(self, built_site, tmp_path):
        project = copy_project(tmp_path / "project")
        first = build_site(project, tmp_path / "first", env={"D2L_EXEC_CACHE": "true", "D2L_EXEC_WORKERS": "2"})
        assert first.returncode == 0, first.stderr  # its cache started empty: every block ran
        assert re.search(r"python blocks: [1-9]\d* new, run by 2 workers; 0 run while rendering", first.stderr)
        done = build_site(project, tmp_path / "fast", env={"D2L_EXEC_CACHE": "true"})
        assert done.returncode == 0, done.stderr
        assert "python blocks: 0 new" in done.stderr and "0 run while rendering" in done.stderr
        same_files(tmp_path / "first", built_site)
        same_files(tmp_path / "fast", built_site)

    @pytest.mark.parametrize("damage", ["truncated", "edited"])
    def test_a_damaged_notebook_stylesheet_entry_is_made_again(self, warm_cache, built_site, tmp_path, damage):
        """`make build-fast` keeps the cut notebook stylesheet in .cache/notebook-css/; a damaged
        file there is never published: the cut is made again, and the site equals a clean build."""
        project = copy_project(tmp_path / "project", warm_cache)
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
