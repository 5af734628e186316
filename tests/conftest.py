"""Fixtures shared by the site tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import ROOT, build_site


@pytest.fixture(scope="session")
def built_site_run(tmp_path_factory) -> tuple[Path, str]:
    """One clean strict build of the real project, shared by the site tests, and its log."""
    site = tmp_path_factory.mktemp("site")
    done = build_site(ROOT, site)
    assert done.returncode == 0, done.stdout + done.stderr
    return site, done.stderr


@pytest.fixture(scope="session")
def built_site(built_site_run) -> Path:
    return built_site_run[0]


@pytest.fixture(scope="session")
def built_site_log(built_site_run) -> str:
    return built_site_run[1]
