"""Fixtures shared by the site tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import ROOT, build_site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """One clean strict build of the real project, shared by the site tests."""
    site = tmp_path_factory.mktemp("site")
    done = build_site(ROOT, site)
    assert done.returncode == 0, done.stdout + done.stderr
    return site
