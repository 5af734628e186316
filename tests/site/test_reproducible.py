"""Every way to build the site gives the same bytes as the published one (built_site: a clean
build, less the PDF printed from it): another clean build, serial (no worker process) with the
cache on and empty, and a cached one (`make build-fast`) on the cache that build filled (conftest:
serial_run, warm_cache), each in the published site's environment.
"""
from __future__ import annotations

import re

from helpers import build_site, copy_project, digests


def same_files(site, built_site):
    first, second = digests(built_site), digests(site)
    assert first.keys() == second.keys()
    assert sorted(name for name in first if first[name] != second[name]) == []
    assert any(n.endswith(".ipynb") for n in first) and any(n.endswith(".zip") for n in first)


class TestClean:
    def test_two_clean_builds_are_byte_identical_and_parallel_equals_serial(self, serial_run, built_site,
                                                                            built_site_run, built_site_log):
        _, site, log = serial_run
        assert "run by 0 workers" in log and "run by 0 workers" not in built_site_log
        assert "notebooks drawn by workers: 0 of 4" in log
        same_files(site, built_site)
        assert not (built_site_run[2] / ".cache").exists()  # `make build` keeps nothing


class TestCached:
    def test_a_cached_build_equals_a_clean_one(self, built_site, serial_run, warm_cache, published_env, tmp_path):
        # the serial build had the cache on, empty at first: every block ran, and was stored
        assert re.search(r"python blocks: [1-9]\d* new, run by 0 workers; \d+ run while rendering", serial_run[2])
        project = copy_project(tmp_path / "project", warm_cache)
        done = build_site(project, tmp_path / "fast", env={**published_env, "D2L_EXEC_CACHE": "true"})
        assert done.returncode == 0, done.stderr
        assert "python blocks: 0 new" in done.stderr and "0 run while rendering" in done.stderr
        same_files(tmp_path / "fast", built_site)
