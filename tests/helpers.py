"""Test helpers: run a snippet as a reader would, build the site, copy the project."""
from __future__ import annotations

import contextlib
import io
import os
import runpy
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"
MKDOCS = [sys.executable, "-m", "mkdocs"]
BUILD_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def run_snippet(relpath: str) -> tuple[dict, str]:
    """Run snippets/<relpath> like `python snippets/<relpath>`; return its globals and stdout."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        namespace = runpy.run_path(str(SNIPPETS / relpath), run_name="__main__")
    return namespace, out.getvalue()


def run_snippet_fresh(relpath: str) -> str:
    """Run a snippet in a fresh interpreter, as a reader would, and return its stdout."""
    done = subprocess.run([sys.executable, str(SNIPPETS / relpath)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def build_site(project: Path, site_dir: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the project at `project` into `site_dir`."""
    return subprocess.run([*MKDOCS, "build", "--strict", "--site-dir", str(site_dir)],
                          cwd=project, env=BUILD_ENV, capture_output=True, text=True,
                          timeout=900)


def copy_project(dest: Path) -> Path:
    """A throw-away copy of the sources a build reads (for fault injection)."""
    for name in ("docs", "snippets"):
        shutil.copytree(ROOT / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest




NOTE_PAGE = "deep-learning-computation/parameters/index.html"


def page(site, rel=NOTE_PAGE) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def outputs_by_file(soup: BeautifulSoup) -> dict[str, str]:
    """The printed output under every code block titled with a snippet path, joined per file."""
    found: dict[str, list[str]] = defaultdict(list)
    for title in soup.select("div.highlight > span.filename"):
        block = title.parent
        result = block.find_next_sibling("div", class_="result")
        assert result is not None, f"no output under a block of {title.text}"
        found[title.text].append(result.select_one("pre code").get_text().rstrip("\n"))
    return {path: "\n".join(parts) for path, parts in found.items()}
