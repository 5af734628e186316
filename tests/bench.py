"""`make bench`: the build against its floor, serve reload latency, page weight, test time.

Not a test: it measures this machine once and prints a table, and writes the same
table into README.md between the bench markers. Nothing here asserts a time.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
NOTE = ROOT / "docs/deep-learning-computation/parameters.md"
REPEAT = 3


def timed(cmd, **kw) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t


def median_of(fn) -> float:
    return statistics.median(fn() for _ in range(REPEAT))


def clean_build(site: Path) -> float:
    shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    return timed([PY, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)])


def bare_build(site: Path) -> float:
    """The same pages with execution off: no markdown-exec, no notebooks, no hooks."""
    cfg = ROOT / ".bench-bare.yml"  # beside mkdocs.yml: its !relative paths resolve here
    cfg.write_text(textwrap.dedent(f"""\
        INHERIT: {ROOT / 'mkdocs.yml'}
        docs_dir: {ROOT / 'docs'}
        plugins:
          - search:
              lang: zh
        hooks: []
        watch: []
        """), encoding="utf-8")
    try:
        return timed([PY, "-m", "mkdocs", "build", "-q", "-f", str(cfg), "--site-dir", str(site)])
    finally:
        cfg.unlink()


def all_snippets_once() -> float:
    """One Python process that imports torch and runs every snippet."""
    code = ("import runpy, glob, contextlib, io\n"
            "for f in sorted(glob.glob('snippets/**/*.py', recursive=True)):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        runpy.run_path(f, run_name='__main__')\n")
    return timed([PY, "-c", code])


def notebook_kernels(site: Path) -> float:
    """Execute every built notebook again in a fresh kernel, as the build does."""
    code = ("import sys, nbformat\nfrom nbclient import NotebookClient\n"
            "for path in sys.argv[1:]:\n"
            "    nb = nbformat.read(path, as_version=4)\n"
            "    NotebookClient(nb, kernel_name='python3', allow_errors=False,\n"
            "                   resources={'metadata': {'path': '.'}}).execute()\n")
    notebooks = [str(p) for p in site.rglob("*.ipynb")]
    return timed([PY, "-c", code, *notebooks])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode("utf-8")


def serve_reload() -> list[float]:
    """Seconds from writing a prose edit of the note page to `mkdocs serve` serving it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/deep-learning-computation/parameters/"
    server = subprocess.Popen([PY, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
                               "--livereload"], cwd=ROOT, env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    original = NOTE.read_text(encoding="utf-8")
    times = []
    try:
        deadline = time.time() + 300
        while True:  # first build: torch imported, notebook executed
            try:
                fetch(url)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("mkdocs serve did not come up")
                time.sleep(0.2)
        time.sleep(1)
        for i in range(REPEAT + 1):
            marker = f"bench-edit-{i}-{time.time_ns()}"
            NOTE.write_text(original.replace("矢量相加。\n\n## 参考文献",
                                             f"矢量相加。{marker}\n\n## 参考文献"), encoding="utf-8")
            start = time.perf_counter()
            while marker not in fetch(url):
                time.sleep(0.01)
            times.append(time.perf_counter() - start)
            time.sleep(1.5)
    finally:
        NOTE.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    return times[1:]  # the first edit also warms the serve-only template cache


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


def test_suite() -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([PY, "-m", "pytest", "-q"], env=ENV, cwd=ROOT,
                          capture_output=True, text=True)
    summary = (done.stdout.strip().splitlines() or ["no output"])[-1]
    if done.returncode != 0:
        print(done.stdout[-3000:], file=sys.stderr)
    return time.perf_counter() - start, summary.strip("= ")


def main() -> None:
    quick = "--quick" in sys.argv  # skip the whole test suite
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print("measuring clean strict builds ...", flush=True)
        build = median_of(lambda: clean_build(tmp / "site"))
        print("measuring the floor ...", flush=True)
        bare = median_of(lambda: bare_build(tmp / "bare"))
        snippets = median_of(all_snippets_once)
        kernels = median_of(lambda: notebook_kernels(tmp / "site"))
        floor = bare + snippets + kernels
        print("measuring serve reload ...", flush=True)
        reloads = serve_reload()
        print("measuring page weight ...", flush=True)
        weight = page_weight(tmp / "site")
        suite = None if quick else (print("running make test ...", flush=True) or test_suite())

    rows = [
        ("Clean strict build (`make build`)", f"{build:.1f} s", ""),
        ("Floor: bare build + all snippets in one process + notebook kernel",
         f"{floor:.1f} s", f"{bare:.1f} + {snippets:.1f} + {kernels:.1f} s"),
        ("**Build / floor**", f"**{build / floor:.2f}×**", "target ≤ 1.3×"),
        ("`mkdocs serve` reload after a prose edit of the note page",
         f"{statistics.median(reloads):.2f} s", "median of " + ", ".join(f"{t:.2f}" for t in reloads)
         + " s; target ≤ 1 s"),
    ]
    for name, label in (("note", "Note page"), ("notebook", "Notebook page")):
        if name in weight:
            w = weight[name]
            rows.append((f"{label} weight in Chromium (uncompressed static server)",
                         f"{w['bytes'] / 1e6:.2f} MB, {w['requests']} requests",
                         f"{w['third_party']} third-party requests; target ≤ 1 MB"))
    if suite is not None:
        rows.append(("Full `make test` (set-up already done)", f"{suite[0]:.0f} s", suite[1]))
    table = ["| measure | value | detail |", "| --- | --- | --- |"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    stamp = (f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
             f"Python {sys.version.split()[0]}, torch {__import__('torch').__version__}.")
    text = stamp + "\n\n" + "\n".join(table)
    print("\n" + text)
    readme = ROOT / "README.md"
    content = readme.read_text(encoding="utf-8")
    new = re.sub(r"(<!-- bench:start -->\n).*?(\n<!-- bench:end -->)",
                 lambda m: m[1] + text + m[2], content, flags=re.S)
    if new != content:
        readme.write_text(new, encoding="utf-8")
        print("\nREADME.md updated.")


if __name__ == "__main__":
    main()
