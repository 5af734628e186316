"""Fixtures shared by the site tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import build_site, copy_project, made_once


def _build_a_copy(env: dict):
    def make(folder: Path) -> None:
        project = copy_project(folder / "project")
        done = build_site(project, folder / "site", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        (folder / "log").write_text(done.stderr, encoding="utf-8")
    return make


@pytest.fixture(scope="session")
def built_site_run(tmp_path_factory) -> tuple[Path, str]:
    """One clean strict build (`make build`: no cache, a worker per core) of a copy of the real
    project, shared by the site tests, and its log."""
    folder = made_once(tmp_path_factory, "built_site", _build_a_copy({}))
    return folder / "site", (folder / "log").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def serial_run(tmp_path_factory) -> tuple[Path, Path, str]:
    """A second clean build, of another copy: serial (no worker process) and with the cache on,
    empty at first, so every block runs and is stored. Its project, site and log."""
    folder = made_once(tmp_path_factory, "serial", _build_a_copy({"D2L_EXEC_CACHE": "true", "D2L_EXEC_WORKERS": "0"}))
    return folder / "project", folder / "site", (folder / "log").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def warm_cache(serial_run) -> Path:
    """The .cache/ that the serial build filled: a copy of the project that starts with it runs only
    the blocks its own edits changed. For tests whose point is a fault or an import."""
    return serial_run[0] / ".cache"


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
