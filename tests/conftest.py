"""Fixtures shared by the site tests."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from filelock import FileLock

from helpers import ROOT, build_site, copy_project


@pytest.fixture(scope="session")
def built_site_run(tmp_path_factory) -> tuple[Path, str]:
    """One clean strict build of the real project, shared by the site tests, and its log.

    Under pytest-xdist (`make test`) the workers share it: the first builds, the others
    wait for it (a file lock in the run's common temp folder).
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build(tmp_path_factory.mktemp("site"))
    shared = tmp_path_factory.getbasetemp().parent
    with FileLock(str(shared / "built_site.lock")):
        site, log = shared / "built_site", shared / "built_site.log"
        if not log.exists():
            log.write_text(_build(site)[1], encoding="utf-8")
        return site, log.read_text(encoding="utf-8")


def _build(site: Path) -> tuple[Path, str]:
    done = build_site(ROOT, site)
    assert done.returncode == 0, done.stdout + done.stderr
    return site, done.stderr


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory) -> Path:
    """The .cache/ of one cached build (`make build-fast`) of a copy of the project, shared by
    the workers: a copy that starts with it runs only the blocks its own edits changed. For
    tests whose point is a fault or an import, not a clean build (built_site is that)."""
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") \
        else tmp_path_factory.getbasetemp()
    with FileLock(str(shared / "warm_cache.lock")):
        project = shared / "warm_project"
        if not (project / ".cache/exec").is_dir():
            shutil.rmtree(project, ignore_errors=True)
            copy_project(project)
            done = build_site(project, project / "site", env={"D2L_EXEC_CACHE": "true"})
            assert done.returncode == 0, done.stdout + done.stderr
        return project / ".cache"


@pytest.fixture(scope="session")
def built_site(built_site_run) -> Path:
    return built_site_run[0]


@pytest.fixture(scope="session")
def built_site_log(built_site_run) -> str:
    return built_site_run[1]


# -- the last lines of `make test` --------------------------------------------------------

def pytest_terminal_summary(terminalreporter):
    """Say it in the last lines when the browser tests did not run, and how to make them run."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "chromium" in str(getattr(r, "longrepr", "")).lower()]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} browser tests SKIPPED: no Chromium on PATH", red=True)
        terminalreporter.write_line("Install it, then run make test again:")
        terminalreporter.write_line("  sudo apt-get install chromium fonts-noto-cjk   # Debian, Ubuntu")
        terminalreporter.write_line("  (elsewhere: .venv/bin/python -m playwright install chromium)")
