"""Fixtures shared by the tests: a snippet's run (ns, out, lines), the site as published, and a
second build to compare it with.

`built_site` is what the Pages workflow deploys: `make pdf` with SITE_URL, under a sub-path, its
pages linking to the PDF printed from it. CI builds it once and names it in D2L_TEST_SITE (and its
log in D2L_TEST_SITE_LOG), so the tests run on the very files it uploads; elsewhere the suite
builds it (without Chromium, as `make build` does: no PDF can be printed, so no page links to one).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from browser import CHROMIUM
from helpers import PDF, ROOT, SITE_URL, build_site, copy_project, made_once, print_pdf, run_snippet

# -- a snippet's tests: the module names its SNIPPET ----------------------------------------

@pytest.fixture(scope="module")
def snippet_run(request) -> tuple[dict, str]:
    """The module's SNIPPET run as `python snippets/<SNIPPET>` runs it, once per module, when a
    test first asks: a snippet that raises fails its own tests, and the rest of the suite runs."""
    return run_snippet(request.module.SNIPPET)


@pytest.fixture(scope="module")
def ns(snippet_run) -> dict:
    """The snippet's globals after it ran."""
    return snippet_run[0]


@pytest.fixture(scope="module")
def out(snippet_run) -> str:
    """What the snippet printed."""
    return snippet_run[1]


@pytest.fixture(scope="module")
def lines(out) -> list[str]:
    return out.splitlines()


# -- the published site ------------------------------------------------------------------------

def _given() -> Path | None:
    given = os.environ.get("D2L_TEST_SITE")
    return (ROOT / given).resolve() if given else None


@pytest.fixture(scope="session")
def published_env() -> dict[str, str]:
    """The environment the published site was built in (SITE_URL, D2L_PDF): another build
    compared with it file for file is made in the same one."""
    site = _given()
    if site is None:
        return {"SITE_URL": SITE_URL} | ({"D2L_PDF": "true"} if CHROMIUM else {})
    canonical = re.search(r'<link rel="canonical" href="([^"]*)"', (site / "index.html").read_text(encoding="utf-8"))
    return ({"SITE_URL": canonical[1]} if canonical else {}) | ({"D2L_PDF": "true"} if (site / PDF).is_file() else {})


@pytest.fixture(scope="session")
def built_site_run(tmp_path_factory, published_env) -> tuple[Path, str, Path]:
    """The published site (a clean strict build: no cache, a worker per core, then the PDF), its
    log, and the project it was built from; shared by the site tests."""
    site = _given()
    if site is not None:
        log = os.environ.get("D2L_TEST_SITE_LOG")
        return site, Path(log).read_text(encoding="utf-8") if log else "", ROOT

    def make(folder: Path) -> None:
        project = copy_project(folder / "project")
        done = build_site(project, folder / "site", env=published_env)
        assert done.returncode == 0, done.stdout + done.stderr
        log = done.stderr
        if "D2L_PDF" in published_env:
            print_pdf("site", published_env["SITE_URL"], folder)
        (folder / "log").write_text(log, encoding="utf-8")

    folder = made_once(tmp_path_factory, "built_site", make)
    return folder / "site", (folder / "log").read_text(encoding="utf-8"), folder / "project"


@pytest.fixture(scope="session")
def serial_run(tmp_path_factory, published_env) -> tuple[Path, Path, str]:
    """A second clean build, of another copy, in the published site's environment: serial (no
    worker process) and with the cache on, empty at first, so every block runs and is stored.
    Its project, site and log."""
    def make(folder: Path) -> None:
        project = copy_project(folder / "project")
        env = {**published_env, "D2L_EXEC_CACHE": "true", "D2L_EXEC_WORKERS": "0"}
        done = build_site(project, folder / "site", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        (folder / "log").write_text(done.stderr, encoding="utf-8")

    folder = made_once(tmp_path_factory, "serial", make)
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
    if not built_site_run[1]:
        pytest.fail("D2L_TEST_SITE is set without D2L_TEST_SITE_LOG: the build's log is not known", pytrace=False)
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
