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

from d2l_site.pdf import PDF_NAME

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = ROOT / "snippets"
MKDOCS = [sys.executable, "-m", "mkdocs"]
BUILD_ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
SOURCE_DIRS = ("docs", "snippets", "overrides", "src")  # with mkdocs.yml: everything a build reads


def run_snippet(relpath: str) -> tuple[dict, str]:
    """Run snippets/<relpath> like `python snippets/<relpath>`; return its globals and stdout."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        namespace = runpy.run_path(str(SNIPPETS / relpath), run_name="__main__")
    return namespace, out.getvalue()


def run_snippets_fresh(relpaths: list[str]) -> dict[str, str]:
    """Run snippets as `python snippets/<relpath>` would, all in one fresh interpreter
    (tests/run_fresh.py: a fresh namespace and random state each); their stdout by path."""
    import json

    done = subprocess.run([sys.executable, str(ROOT / "tests/run_fresh.py"),
                           *(str(SNIPPETS / p) for p in relpaths)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return {p: out for p, out in zip(relpaths, json.loads(done.stdout).values())}


def run_snippet_fresh(relpath: str) -> str:
    """Run a snippet in a fresh interpreter, as a reader would, and return its stdout."""
    done = subprocess.run([sys.executable, str(SNIPPETS / relpath)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_file_fresh(path: Path) -> str:
    """`python <path>` in a fresh interpreter; its stdout."""
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def project_env(project: Path, env: dict | None = None) -> dict:
    """The environment of a command run in `project`: a copy's own src/ comes first, so its
    plugins and page helpers are the ones that run (the repo's are installed editable)."""
    path = [str(project / "src")] if (project / "src").is_dir() and project != ROOT else []
    return {**BUILD_ENV, "PYTHONPATH": os.pathsep.join(path + [os.environ.get("PYTHONPATH", "")]).strip(os.pathsep),
            **(env or {})}


def build_site(project: Path, site_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the project at `project` into `site_dir`."""
    return subprocess.run([*MKDOCS, "build", "--strict", "--site-dir", str(site_dir)],
                          cwd=project, env=project_env(project, env), capture_output=True,
                          text=True, timeout=900)


VOLATILE = {"search/search_index.json", "sitemap.xml", "sitemap.xml.gz"}
PDF = PDF_NAME  # printed from a built site by `make pdf`, not built by MkDocs
SITE_URL = "https://example.org/d2l-notes/"  # the suite's published address: a site under a sub-path, as on Pages


def print_pdf(site: str, site_url: str, cwd: Path) -> None:
    """`make pdf`'s second step: the site at `site` (relative to `cwd`, as make names it) printed."""
    done = subprocess.run([sys.executable, "-m", "d2l_site.pdf", site, "--site-url", site_url], cwd=cwd,
                          capture_output=True, text=True, env=project_env(cwd), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def digests(site: Path) -> dict[str, str]:
    """SHA-256 of every file MkDocs built into a site, by path (search index, sitemap and the
    PDF printed afterwards left out)."""
    import hashlib

    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()
            and p.relative_to(site).as_posix() not in VOLATILE | {PDF}}


def fetch(url: str, binary: bool = False) -> str | bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:
        data = response.read()
    return data if binary else data.decode("utf-8")


def wait_for(url: str, ok, server, timeout: float = 60, binary: bool = False) -> str | bytes:
    """The page (or, `binary`, the file) at `url` once `ok(it)`; fails if the server (a Popen) exits
    or time runs out."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        assert server.poll() is None, "mkdocs serve exited"
        try:
            html = fetch(url, binary)
            if ok(html):
                return html
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never showed what was expected")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MINI_PAGE = """\
---
notebook: true
---
# 演示

隐藏的 setup 固定随机种子，下面的输出和图都由它决定。

```python exec="1" session="seeded" title="snippets/demo/seeded.py"
--8<-- "snippets/demo/seeded.py:setup"
```

```python exec="1" source="block" result="text" session="seeded" title="snippets/demo/seeded.py"
--8<-- "snippets/demo/seeded.py:show"
```

```python exec="1" html="1" session="seeded" title="figure: w"
from d2l_site.page_helpers import num
print(f'<p id="fig">w = {num(w)}</p>')
```

```python exec="1" html="1" session="seeded" title="figure: chart"
from d2l_site.charts import line_chart
print(line_chart("mini-chart", [w, w / 2, w / 4], title="w 减半两次", caption="w 减半两次的折线图"))
```
"""

MINI_SNIPPET = '''\
"""演示：隐藏的 setup 固定随机种子，后面打印的数由它决定（不用 torch：测试构建更快）。"""
# --8<-- [start:setup]
import random

random.seed(0)
# --8<-- [end:setup]

# --8<-- [start:show]
w = random.random()
print(f"w = {w:.4f}")
# --8<-- [end:show]
'''


def mini_project(dest: Path) -> Path:
    """A project with this site's packages and config and one small page with a figure, a chart
    and its notebook: a fast build, without torch."""
    shutil.copytree(ROOT / "src", dest / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(ROOT / "docs/stylesheets", dest / "docs/stylesheets")
    shutil.copytree(ROOT / "overrides", dest / "overrides")
    (dest / "docs/index.md").write_text(MINI_PAGE, encoding="utf-8")
    (dest / "snippets/demo").mkdir(parents=True)
    (dest / "snippets/demo/seeded.py").write_text(MINI_SNIPPET, encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    if "preload: [torch, torch._dynamo]" not in config:
        raise AssertionError("mkdocs.yml's exec-cache preload changed: change mini_project too")
    config = config.replace("preload: [torch, torch._dynamo]", "preload: []")  # its page needs no torch
    nav = "\nnav:\n  - 演示: index.md\n  - 演示（Notebook）: notebooks/index.ipynb\n"
    (dest / "mkdocs.yml").write_text(config[:config.index("\nnav:\n")] + nav, encoding="utf-8")
    return dest


def made_once(tmp_path_factory, name: str, make) -> Path:
    """The folder `name`, made by `make(folder)` once per run: under pytest-xdist (`make test`)
    the workers share it (the first makes it, the others wait on a file lock)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    folder = shared / name
    from filelock import FileLock

    with FileLock(str(shared / f"{name}.lock")):
        if not (folder / ".done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".done").touch()
    return folder


def copy_project(dest: Path, cache: Path | None = None) -> Path:
    """A throw-away copy of the sources a build reads (for fault injection), with a copy of
    `cache` (a .cache/ folder: the conftest's warm_cache) if given."""
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    if cache is not None:
        shutil.copytree(cache, dest / ".cache")
    return dest




def execute_in_fresh_kernel(nb, cwd: Path):
    """Run a built notebook's code in a fresh Jupyter kernel, as a reader would; return the copy.

    A failing cell fails with the snippet it came from and the error.
    """
    import copy

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    fresh = copy.deepcopy(nb)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    try:
        NotebookClient(fresh, timeout=600, kernel_name="python3", allow_errors=False,
                       coalesce_streams=True, resources={"metadata": {"path": str(cwd)}}).execute()
    except CellExecutionError as error:
        failed = next(c for c in fresh.cells if c.cell_type == "code"
                      and any(o.get("output_type") == "error" for o in c.get("outputs", [])))
        raise AssertionError(f"a cell from {failed.metadata.get('snippet')} raised in Jupyter:\n"
                             f"{error}") from None
    return fresh


NOTE_PAGE = "deep-learning-computation/parameters/index.html"


def page(site, rel=NOTE_PAGE) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def outputs_by_file(soup: BeautifulSoup) -> dict[str, str]:
    """The printed output under every code block titled with a snippet path, joined per file.

    A snippet whose results the page shows as a table (div.snippet-table) gets the table's
    body rows instead, one line each, cells separated by spaces, in the snippet's own notation."""
    found: dict[str, list[str]] = defaultdict(list)
    for title in soup.select("div.highlight > span.filename"):
        block = title.parent
        result = block.find_next_sibling("div", class_="result")
        assert result is not None, f"no output under a block of {title.text}"
        code = result.select_one("pre code")  # none when the block printed nothing
        found[title.text].append(code.get_text().rstrip("\n") if code else "")
    for table in soup.select("div.snippet-table"):
        rows = [" ".join(c.get_text(strip=True) for c in tr.select("th, td"))
                for tr in table.select("tbody tr")]
        found[table["data-snippet"]].append(
            "\n".join(rows).replace("\u2212", "-").replace("∞", "inf"))
    return {path: "\n".join(p for p in parts if p) for path, parts in found.items()}


def site_path(site: Path) -> str:
    """The path the site is published under ("/d2l-notes/"), from its home page's canonical
    link; "/" for a site built without SITE_URL."""
    from urllib.parse import urlparse

    found = page(site, "index.html").select_one('link[rel="canonical"]')
    return urlparse(found["href"]).path if found else "/"


def broken_links(site: Path) -> list[tuple[str, str, str]]:
    """Every <a href> of every built page: (page, href, why) for one with no visible text or
    accessible name, or whose internal target or #anchor does not exist."""
    from urllib.parse import unquote, urljoin, urlparse

    bad, ids, root = [], {}, site_path(site)

    def anchors(html: Path) -> set[str]:
        if html not in ids:
            soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
            ids[html] = {el["id"] for el in soup.select("[id]")} | {el["name"] for el in soup.select("a[name]")}
        return ids[html]

    for html in sorted(site.rglob("*.html")):
        rel = html.relative_to(site).as_posix()  # 404.html too: its links start with the site's path
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for a in soup.select("a[href]"):
            href = a["href"]
            named = (a.get_text(strip=True) or a.get("aria-label") or a.get("title")
                     or any(img.get("alt") for img in a.select("img")))
            if not named:
                bad.append((rel, href, "no text"))
            url = urlparse(urljoin(rel, href))
            if url.scheme or href.startswith(("mailto:", "javascript:")):
                continue
            path = unquote(url.path)
            if href.startswith("/"):  # 404.html's: the published path, then the page's
                if not path.startswith(root):
                    bad.append((rel, href, f"outside the site's path {root}"))
                    continue
                path = path[len(root):]
            target = site / path.lstrip("/")  # "/" when a link climbs to the root
            if target.is_dir() or url.path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                bad.append((rel, href, "no such file"))
            elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in anchors(target):
                bad.append((rel, href, "no such anchor"))
    return bad


def started_by(pid: int) -> list[int]:
    """The live processes whose environment names `pid` as the MkDocs that started them."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if f"EXEC_CACHE_PARENT={pid}".encode() in environ and state != "Z":
            found.append(int(proc.name))
    return found
