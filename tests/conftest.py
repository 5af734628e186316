"""Fixtures shared by the site tests."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from filelock import FileLock

from helpers import ROOT, build_site


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
def built_site(built_site_run) -> Path:
    return built_site_run[0]


@pytest.fixture(scope="session")
def built_site_log(built_site_run) -> str:
    return built_site_run[1]
