"""`make bench`: builds and serve reloads of a vault of 1, 8 and 32 notes, page weight, test time.

Not a test: it measures this machine once and prints a table, and writes the same
table into README.md between the bench markers. Nothing here asserts a time.
`python tests/bench.py 8 --quick` measures one vault size only, without the test suite and
Lighthouse (README untouched).
"""
from __future__ import annotations

import functools
import gzip
import io
import json
import mimetypes
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from browser import PAGES
from helpers import SOURCE_DIRS, fetch, free_port, project_env  # tests/ is on sys.path: bench.py runs from there

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
NOTE = ROOT / "docs/deep-learning-computation/parameters.md"
REPEAT = 5


def timed(cmd, cwd=ROOT, env=None) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=project_env(Path(cwd), env), cwd=cwd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


# -- a vault of N notes: the note page and N - 1 copies, each with snippets of its own --------

def make_vault(dest: Path, n: int) -> Path:
    """A copy of the project whose nav has N note pages. Each copy's snippets differ from the
    original by a comment in every shown part, so no block of a copy shares a cache key."""
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    page = NOTE.read_text(encoding="utf-8")
    entries = []
    for k in range(1, n):
        folder = dest / "snippets" / f"vault_{k}"
        folder.mkdir()
        for src in sorted((ROOT / "snippets/parameters").glob("*.py")):
            lines = src.read_text(encoding="utf-8").split("\n")
            marked = [lines[0], f"# 副本 {k}"]
            for line in lines[1:]:
                marked.append(line)
                if line.startswith("# --8<-- [start:"):
                    marked.append(f"# 副本 {k}")
            (folder / src.name).write_text("\n".join(marked), encoding="utf-8")
        copy = page.replace("snippets/parameters/", f"snippets/vault_{k}/").replace(
            "# 5.2 参数管理", f"# 5.2 参数管理（副本 {k}）", 1)
        (dest / f"docs/deep-learning-computation/parameters-copy-{k}.md").write_text(copy, encoding="utf-8")
        entries += [f"      - 副本 {k}: deep-learning-computation/parameters-copy-{k}.md\n",
                    f"      - 副本 {k}（Notebook）: notebooks/parameters-copy-{k}.ipynb\n"]
    anchor = "      - 5.2 参数管理（Notebook）: notebooks/parameters.ipynb\n"
    assert anchor in config
    (dest / "mkdocs.yml").write_text(config.replace(anchor, anchor + "".join(entries)), encoding="utf-8")
    return dest


def cpu_busy() -> float | None:
    """Seconds the machine's CPUs have been busy since boot, all processes (Linux), else None."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()[1:8]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields)
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def clean_build(project: Path, site: Path, **env) -> float:
    shutil.rmtree(project / ".cache", ignore_errors=True)
    return timed([PY, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], project, env)


def cached_build(project: Path, site: Path) -> float:
    """`make build-fast` with every block already in .cache/exec/."""
    return timed([PY, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], project,
                 {"D2L_EXEC_CACHE": "true"})


def bare_build(project: Path, site: Path) -> float:
    """The same pages with execution off: no markdown-exec, no notebooks, no hooks."""
    cfg = project / ".bench-bare.yml"  # beside mkdocs.yml: its !relative paths resolve there
    cfg.write_text(textwrap.dedent(f"""\
        INHERIT: {project / 'mkdocs.yml'}
        docs_dir: {project / 'docs'}
        plugins:
          - search:
              lang: zh
        hooks: []
        watch: []
        """), encoding="utf-8")
    try:
        return timed([PY, "-m", "mkdocs", "build", "-q", "-f", str(cfg), "--site-dir", str(site)],
                     project)
    finally:
        cfg.unlink()


def all_snippets_once(project: Path) -> float:
    """One Python process that imports torch and runs every snippet of the project."""
    code = ("import runpy, glob, contextlib, io\n"
            "for f in sorted(glob.glob('snippets/**/*.py', recursive=True)):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        runpy.run_path(f, run_name='__main__')\n")
    return timed([PY, "-c", code], project)


def serve_reloads(project: Path) -> tuple[list[float], list[float]]:
    """Seconds from saving an edit to `make serve` (mkdocs serve --dirty) serving it: a prose
    edit of the note page, then a comment edit in snippets/parameters/mlp.py (the page shows it)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/deep-learning-computation/parameters/"
    note = project / NOTE.relative_to(ROOT)
    snippet = project / "snippets/parameters/mlp.py"
    server = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--dirty", "--dev-addr",
                               f"127.0.0.1:{port}", "--livereload"], cwd=project, env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    original, code = note.read_text(encoding="utf-8"), snippet.read_text(encoding="utf-8")

    def reload(path: Path, text: str, marker: str) -> float:
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        while marker not in fetch(url):
            time.sleep(0.01)
        took = time.perf_counter() - start
        time.sleep(1)
        return took

    try:
        deadline = time.time() + 600
        while True:  # the first build
            try:
                fetch(url)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("mkdocs serve did not come up") from None
                time.sleep(0.2)
        time.sleep(1)
        prose, snippets = [], []
        for i in range(REPEAT + 2):
            marker = f"bench-edit-{i}-{time.time_ns()}"
            prose.append(reload(note, original.replace(
                "矢量相加。\n\n## 参考文献", f"矢量相加。{marker}\n\n## 参考文献"), marker))
        for i in range(REPEAT + 2):
            marker = f"bench-edit-{i}-{time.time_ns()}"
            snippets.append(reload(snippet, code.replace("# 固定随机种子", f"# {marker} 固定随机种子"),
                                   marker))
    finally:
        note.write_text(original, encoding="utf-8")
        snippet.write_text(code, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    return prose[1:], snippets[1:]  # the first of each warms the serve-only template cache


def measure_vault(tmp: Path, n: int) -> dict:
    """Each round runs a clean build, the floor's two parts and a cached build back to back, so
    a ratio compares runs made under the same load (this VM's speed drifts by ±20 % over
    minutes); a ratio is the median of the rounds' ratios, a time the median of its runs."""
    print(f"vault of {n} note(s) ...", flush=True)
    project = make_vault(tmp / f"vault-{n}", n)
    cached = make_vault(tmp / f"vault-{n}-cached", n)  # its .cache/ survives the clean builds
    site = tmp / f"site-{n}"
    cached_build(cached, tmp / f"cached-{n}")  # fills .cache/exec/
    rounds = []
    for _ in range(REPEAT):
        before = cpu_busy()
        clean = clean_build(project, site)
        time.sleep(0.5)  # the workers and renderers exit just after MkDocs does
        cpu = cpu_busy() - before if before is not None else 0.0
        bare = bare_build(project, tmp / f"bare-{n}")
        snippets = all_snippets_once(project)
        rounds.append({"clean": clean, "clean_cpu": cpu, "busy": cpu / clean / (os.cpu_count() or 1),
                       "bare": bare, "snippets": snippets,
                       "cached": cached_build(cached, tmp / f"cached-{n}")})
    result = {"n": n, **{k: statistics.median(r[k] for r in rounds) for k in rounds[0]}}
    result["floor"] = result["bare"] + result["snippets"]
    result["clean_floor"] = [r["clean"] / (r["bare"] + r["snippets"]) for r in rounds]
    result["cached_bare"] = [r["cached"] / r["bare"] for r in rounds]
    result["serial"] = clean_build(project, tmp / f"serial-{n}", D2L_EXEC_WORKERS="0")
    result["prose"], result["snippet"] = serve_reloads(project)
    return result


def page_weight(site: Path) -> dict:
    """Bytes and requests of the note page in Chromium, served by a plain static server."""
    chromium = shutil.which("chromium")
    if not chromium:
        return {}
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = subprocess.Popen([PY, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    result = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            for name, path in (("note", "deep-learning-computation/parameters/"),
                               ("notebook", "notebooks/parameters/")):
                page = browser.new_page()
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                sizes, hosts = [], set()
                cdp.on("Network.loadingFinished", lambda e: sizes.append(e["encodedDataLength"]))
                page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
                page.goto(f"http://127.0.0.1:{port}/{path}", wait_until="networkidle")
                result[name] = {"bytes": sum(sizes), "requests": len(sizes),
                                "third_party": len(hosts - {f"127.0.0.1:{port}"})}
                page.close()
            browser.close()
    finally:
        server.terminate()
    return result


class GitHubPagesLike(SimpleHTTPRequestHandler):
    """Static files as GitHub Pages serves them: gzip for text, a 10-minute cache lifetime."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and (path / "index.html").is_file() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        kind = mimetypes.guess_type(path.name)[0] or ""
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") or not (
                kind.startswith("text/") or kind.endswith(("javascript", "json", "svg+xml"))):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind + ("; charset=utf-8" if "svg" not in kind else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


LIGHTHOUSE = "12.2.3"  # 13.x needs Node 22
# Lighthouse's variability guide: the median of 5 runs halves the spread of one run (here a
# notebook page scored 87 to 96 in runs of the same site)
PERF_RUNS = 5


def lighthouse(site: Path) -> dict:
    """Lighthouse (mobile, its default) on every page; performance PERF_RUNS times on the note
    and notebook pages. Installs lighthouse into .cache/lighthouse on first use (npm registry)."""
    chromium, npm = shutil.which("chromium"), shutil.which("npm")
    if not (chromium and npm):
        return {}
    prefix = ROOT / ".cache/lighthouse"
    cli = prefix / "node_modules/.bin/lighthouse"
    if not cli.exists():
        subprocess.run([npm, "i", "-E", f"lighthouse@{LIGHTHOUSE}", "--prefix", str(prefix),
                        "--no-audit", "--no-fund", "--silent"], check=True)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GitHubPagesLike, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    scores: dict[str, dict[str, list[int]]] = {}
    try:
        for path in PAGES:
            runs = PERF_RUNS if path in ("deep-learning-computation/parameters/", "notebooks/parameters/") else 1
            for _ in range(runs):
                out = Path(tempfile.mkstemp(suffix=".json")[1])
                subprocess.run([str(cli), base + path, "--quiet", "--output=json", f"--output-path={out}",
                                "--only-categories=performance,accessibility",
                                "--chrome-flags=--headless=new --no-sandbox"],
                               env={**os.environ, "CHROME_PATH": chromium}, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                report = json.loads(out.read_text(encoding="utf-8"))
                out.unlink()
                for cat, value in report["categories"].items():
                    scores.setdefault(path or "/", {}).setdefault(cat, []).append(round(value["score"] * 100))
    finally:
        httpd.shutdown()
    return scores


def test_suite() -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([PY, "-m", "pytest", "-q", "-n", "3", "--dist", "loadfile"],
                          env=ENV, cwd=ROOT, capture_output=True, text=True)  # as `make test`
    summary = (done.stdout.strip().splitlines() or ["no output"])[-1]
    if done.returncode != 0:
        print(done.stdout[-3000:], file=sys.stderr)
    return time.perf_counter() - start, summary.strip("= ")


def fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def ratio(rounds: list[float]) -> str:
    return f"**{statistics.median(rounds):.2f}×** ({', '.join(f'{r:.2f}' for r in rounds)})"


def main() -> None:
    quick = "--quick" in sys.argv  # skip the whole test suite and Lighthouse
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [1, 8, 32]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        vaults = [measure_vault(tmp, n) for n in sizes]
        print("measuring page weight ...", flush=True)
        weight = page_weight(tmp / f"site-{sizes[0]}")
        scores = {} if quick else (print("running Lighthouse ...", flush=True)
                                   or lighthouse(tmp / f"site-{sizes[0]}"))
        suite = None if quick else (print("running make test ...", flush=True) or test_suite())

    table = ["| notes | clean build | floor: bare build + every snippet once | clean / floor "
             "| serial clean build | cached rebuild, nothing changed | cached / bare "
             "| reload after a prose edit | reload after a snippet edit |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for v in vaults:
        table.append(
            f"| {v['n']} | {fmt(v['clean'])} | {fmt(v['floor'])} ({fmt(v['bare'])} + "
            f"{fmt(v['snippets'])}) | {ratio(v['clean_floor'])} | {fmt(v['serial'])} "
            f"| {fmt(v['cached'])} | {ratio(v['cached_bare'])} "
            f"| **{fmt(statistics.median(v['prose']))}** "
            f"({', '.join(f'{t:.2f}' for t in v['prose'])}) "
            f"| **{fmt(statistics.median(v['snippet']))}** "
            f"({', '.join(f'{t:.2f}' for t in v['snippet'])}) |")
    rows = []
    for name, label in (("note", "Note page"), ("notebook", "Notebook page")):
        if name in weight:
            w = weight[name]
            rows.append((f"{label} weight in Chromium (uncompressed static server)",
                         f"{w['bytes'] / 1e6:.2f} MB, {w['requests']} requests",
                         f"{w['third_party']} third-party requests"))
    for path, label in (("deep-learning-computation/parameters/", "note"),
                        ("notebooks/parameters/", "notebook")):
        if path in scores:
            perf = scores[path]["performance"]
            rows.append((f"Lighthouse mobile performance, {label} page (gzip, max-age=600)",
                         f"**{statistics.median(perf):.0f}**", f"runs: {', '.join(map(str, perf))}"))
    if scores:
        a11y = {p: s["accessibility"][0] for p, s in scores.items()}
        rows.append(("Lighthouse accessibility, every page", f"**{min(a11y.values())}** (lowest)",
                     ", ".join(f"{p}: {v}" for p, v in a11y.items())))
    for v in vaults:
        if v["clean_cpu"]:
            rows.append((f"CPU time of a clean build, {v['n']} note{'s' if v['n'] > 1 else ''} (the "
                         "whole machine)", f"{v['clean_cpu']:.1f} s",
                         f"while it runs, its {os.cpu_count()} cores are {v['busy']:.0%} busy"))
    if suite is not None:
        rows.append(("Full `make test` (set-up already done)", f"{suite[0]:.0f} s", suite[1]))
    other = ["| measure | value | detail |", "| --- | --- | --- |"]
    other += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    stamp = (f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
             f"Python {sys.version.split()[0]}, torch {__import__('torch').__version__}. "
             f"Times are medians of {REPEAT} runs; a ratio is the median of {REPEAT} rounds, each "
             f"listed, a round being the builds it compares run back to back (reloads: medians of "
             f"{REPEAT + 1} edits, each listed); "
             f"Lighthouse performance, of {PERF_RUNS}.")
    text = stamp + "\n\n" + "\n".join(table) + "\n\n" + "\n".join(other)
    print("\n" + text)
    readme = ROOT / "README.md"
    content = readme.read_text(encoding="utf-8")
    new = re.sub(r"(<!-- bench:start -->\n).*?(\n<!-- bench:end -->)",
                 lambda m: m[1] + text + m[2], content, flags=re.S)
    if new != content and sizes == [1, 8, 32]:
        readme.write_text(new, encoding="utf-8")
        print("\nREADME.md updated.")


if __name__ == "__main__":
    main()
