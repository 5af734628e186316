"""`make bench`: this site's builds against the stock stack's, serve reloads, what each speed
mechanism saves, page weight, Lighthouse, and the time of `make test`.

Not a test: it measures this machine once, prints tables, and writes them into CONTRIBUTING.md
between the bench markers, and five headline lines into README.md. Nothing here asserts a time.
`python tests/bench.py 8 --quick` measures one vault size only, without mechanisms, the suite and
Lighthouse (nothing written).
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
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from browser import PAGES
from helpers import SOURCE_DIRS, fetch, free_port, project_env  # tests/ is on sys.path: bench.py runs from there

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
NOTE = ROOT / "docs/deep-learning-computation/parameters.md"
SHARED = "snippets/parameters/mlp.py"  # the snippet every page of a shared vault includes
REPEAT = 3
CORES = os.cpu_count() or 1


def run(cmd, cwd: Path, env=None, quiet=True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, env=project_env(cwd, env), cwd=cwd, text=True,
                          stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
                          stderr=subprocess.DEVNULL if quiet else subprocess.STDOUT)


def cpu_busy() -> float:
    """Seconds the machine's CPUs have been busy since boot, all processes (Linux), else 0."""
    try:
        fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()[1:8]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields)
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def timed(cmd, cwd: Path, env=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the whole machine) of one command."""
    cpu, start = cpu_busy(), time.perf_counter()
    run(cmd, cwd, env)
    wall = time.perf_counter() - start
    time.sleep(0.5)  # the workers exit just after MkDocs does
    return wall, cpu_busy() - cpu


# -- vaults ---------------------------------------------------------------------------------

def make_vault(dest: Path, n: int, shared: bool = False) -> Path:
    """A copy of the project whose nav has N note pages. Each copy's snippets differ from the
    original by a comment in every shown part, so no block of a copy shares a cache key; with
    `shared`, every copy includes the original's SHARED snippet instead of its own."""
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
        if shared:
            copy = copy.replace(SHARED.replace("parameters", f"vault_{k}"), SHARED)
        (dest / f"docs/deep-learning-computation/parameters-copy-{k}.md").write_text(copy, encoding="utf-8")
        entries += [f"      - 副本 {k}: deep-learning-computation/parameters-copy-{k}.md\n",
                    f"      - 副本 {k}（Notebook）: notebooks/parameters-copy-{k}.ipynb\n"]
    anchor = "      - 5.2 参数管理（Notebook）: notebooks/parameters.ipynb\n"
    assert anchor in config
    (dest / "mkdocs.yml").write_text(config.replace(anchor, anchor + "".join(entries)), encoding="utf-8")
    return dest


def with_options(project: Path, name: str, plugins: dict[str, dict]) -> Path:
    """A copy of mkdocs.yml beside it (its !relative paths resolve alike) with some plugin
    options changed (MkDocs' INHERIT would replace the whole plugin list, not merge it)."""
    lines = (project / "mkdocs.yml").read_text(encoding="utf-8").split("\n")
    for plugin, options in plugins.items():
        head = next(i for i, line in enumerate(lines) if re.match(rf"^  - {re.escape(plugin)}\b", line))
        end = head + 1
        while end < len(lines) and lines[end].startswith("      "):
            end += 1
        kept = [line for line in lines[head + 1:end] if line.split(":")[0].strip() not in options]
        new = [f"      {key}: {json.dumps(value)}" for key, value in options.items()]
        lines[head:end] = [f"  - {plugin}:", *kept, *new]
    cfg = project / f".bench-{name}.yml"
    cfg.write_text("\n".join(lines), encoding="utf-8")
    return cfg


STOCK_PLUGINS = """plugins:
  - search:
      lang: zh
  - callouts
  - markdown-exec               # runs the python blocks itself, one after another, no cache
  - mkdocs-jupyter:
      include: ["*.ipynb"]
      ignore: ["*.md", "*.py"]
      execute: true             # a Jupyter kernel runs each notebook
      cache: false              # its default keeps executed notebooks: a clean build runs them
      allow_errors: false
      ignore_h1_titles: true
      include_source: true
"""


def stock_project(vault: Path, site: Path, dest: Path) -> Path:
    """The same vault for the stock stack: markdown-exec's own plugin runs the pages' python
    blocks and mkdocs-jupyter executes the notebooks (those our build made, outputs removed).
    It knows no Obsidian syntax, so its pages keep it as text; nothing else differs."""
    import nbformat

    shutil.copytree(vault, dest, ignore=shutil.ignore_patterns(".cache", "site*", ".bench-*"))
    for made in sorted(site.glob("notebooks/*/*.ipynb")):
        nb = nbformat.read(made, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        (dest / "docs/notebooks").mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest / "docs/notebooks" / made.name)
    config = (dest / "mkdocs.yml").read_text(encoding="utf-8")
    start = config.index("\nplugins:\n") + 1
    end = re.search(r"^\S", config[start + 9:], re.M).start() + start + 9
    (dest / "mkdocs.yml").write_text(config[:start] + STOCK_PLUGINS + "\n" + config[end:], encoding="utf-8")
    return dest


def build(project: Path, site: Path, config: Path | None = None, strict=True, **env) -> tuple[float, float]:
    shutil.rmtree(project / ".cache", ignore_errors=True)  # a clean build: nothing kept, for either stack
    shutil.rmtree(site, ignore_errors=True)
    cmd = [PY, "-m", "mkdocs", "build", "--site-dir", str(site), *(["--strict"] if strict else [])]
    return timed(cmd + (["-f", str(config)] if config else []), project, env)


def cached_build(project: Path, site: Path, config: Path | None = None) -> float:
    """`make build-fast` with every block already in .cache/exec/."""
    return timed([PY, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site),
                  *(["-f", str(config)] if config else [])], project, {"D2L_EXEC_CACHE": "true"})[0]


# -- serve ----------------------------------------------------------------------------------

def serve_reloads(project: Path, edits: list[tuple[Path, str, str]], url_path: str,
                  config: Path | None = None, check=None) -> list[list[float]]:
    """Seconds from saving an edit to `make serve` (mkdocs serve --dirty) serving it, REPEAT + 2
    times per (file, text to find, where to put the marker) edit; the first of each is dropped
    (it warms serve's template cache). `check(marker)` runs after each edit is served."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/{url_path}"
    cmd = [PY, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}", "--livereload"]
    server = subprocess.Popen(cmd + (["-f", str(config)] if config else []), cwd=project,
                              env=project_env(project), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    originals = {path: path.read_text(encoding="utf-8") for path, _, _ in edits}
    results = []
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
        for path, anchor, template in edits:
            times = []
            for i in range(REPEAT + 2):
                marker = f"bench-edit-{i}-{time.time_ns()}"
                path.write_text(originals[path].replace(anchor, template.format(marker=marker)), encoding="utf-8")
                start = time.perf_counter()
                while marker not in fetch(url):
                    time.sleep(0.01)
                times.append(time.perf_counter() - start)
                if check is not None:
                    check(port, marker)
                time.sleep(1)
            results.append(times[1:])
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        server.terminate()
        server.wait(timeout=30)
    return results


def prose_and_snippet(project: Path, config: Path | None = None) -> list[list[float]]:
    note = project / NOTE.relative_to(ROOT)
    return serve_reloads(project, [
        (note, "矢量相加。\n\n## 参考文献", "矢量相加。{marker}\n\n## 参考文献"),
        (project / SHARED, "# 固定随机种子", "# {marker} 固定随机种子")],
        "deep-learning-computation/parameters/", config)


def shared_snippet(project: Path, n: int) -> list[float]:
    """The reload after an edit to the snippet all N pages include, and a check that then no
    page shows another output of it than the one being served (none is stale)."""
    stale = []

    def every_page_current(port, marker):
        for path in ["parameters", *(f"parameters-copy-{k}" for k in range(1, n - 1))]:
            html = fetch(f"http://127.0.0.1:{port}/deep-learning-computation/{path}/")
            if marker not in html:
                stale.append((path, marker))

    # served once the last page shows it (pages are written in nav order); then every other must
    [times] = serve_reloads(project, [(project / SHARED, "# 固定随机种子", "# {marker} 固定随机种子")],
                            f"deep-learning-computation/parameters-copy-{n - 1}/", check=every_page_current)
    if stale:
        raise RuntimeError(f"pages still showed the old snippet after the reload: {stale}")
    return times


# -- what is measured -----------------------------------------------------------------------

def measure_vault(tmp: Path, n: int, peers: bool) -> dict:
    """Each round runs our clean build, the stock stack's build (with `peers`) and a cached
    build back to back, so a ratio compares runs made under the same load (this VM's speed
    drifts by ±20 % over minutes); a ratio is the median of the rounds', a time the median."""
    print(f"vault of {n} note(s) ...", flush=True)
    project = make_vault(tmp / f"vault-{n}", n)
    cached = make_vault(tmp / f"vault-{n}-cached", n)  # its .cache/ survives the clean builds
    site = tmp / f"site-{n}"
    cached_build(cached, tmp / f"cached-{n}")  # fills .cache/
    build(project, site)  # our notebooks, for the stock stack to execute
    stock = stock_project(project, site, tmp / f"stock-{n}") if peers else None
    rounds = []
    for _ in range(REPEAT):
        wall, cpu = build(project, site)
        r = {"clean": wall, "cpu": cpu, "efficiency": cpu / (wall * CORES),
             "cached": cached_build(cached, tmp / f"cached-{n}")}
        if stock is not None:
            r["stock"] = build(stock, tmp / f"stock-site-{n}", strict=False)[0]
            r["speedup"] = r["stock"] / r["clean"]
        rounds.append(r)
    result = {"n": n, **{k: statistics.median(r[k] for r in rounds) for k in rounds[0]}}
    result["rounds"] = rounds
    result["serial"] = build(project, tmp / f"serial-{n}", D2L_EXEC_WORKERS="0")[0]
    result["prose"], result["snippet"] = prose_and_snippet(project)
    if n == 8:
        result["shared"] = shared_snippet(make_vault(tmp / f"vault-{n}-shared", n, shared=True), n)
    return result


# (what, plugin options that turn it off, how it is measured)
MECHANISMS = [
    ("compiled Jinja templates kept (notebook renders; serve: Material's too)",
     {"d2l-site": {"keep_templates": False}}, "both"),
    ("serve looks for changes every 0.1 s (MkDocs: 0.5 s)", {"exec-cache": {"poll": None}}, "reload"),
    ("a cached block's HTML kept, not laid out again (serve, `make build-fast`)",
     {"exec-cache": {"keep_html": False}}, "cached"),
    ("serve scans again only the pages whose text, includes or modules changed",
     {"exec-cache": {"remember_pages": False}}, "reload"),
    ("serve converts the Obsidian syntax again only of the pages that changed",
     {"d2l-site": {"remember_pages": False}}, "reload"),
    ("serve leaves a notebook unwritten when its cells and outputs are unchanged",
     {"d2l-site": {"lazy_notebooks": False}}, "reload"),
    ("a notebook whose blocks changed is drawn by a worker while pages render",
     {"d2l-site": {"draw_in_workers": False}}, "both"),
    ("JupyterLab's stylesheet cut to what the notebook pages match", {"d2l-site": {"cut_notebook_css": False}},
     "weight"),
    ("Material's palette stylesheet less its switching rule", {"d2l-site": {"cut_palette_rule": False}},
     "lighthouse"),
    ("nbconvert's alt and tabindex pass done without parsing the page (d2l_site.soup)",
     {"d2l-site": {"light_soup": False}}, "both"),
    ("a notebook page's cells out of sight while it starts, drawn once it has loaded",
     {"d2l-site": {"cells_when_idle": False}}, "lighthouse"),
]


def measure_mechanisms(tmp: Path, lighthouse_ok: bool) -> list[tuple[str, str, str]]:
    """Each mechanism off against all on, at 32 notes: clean or cached builds (REPEAT rounds, back
    to back), or prose reloads, or what a reader downloads, or Lighthouse."""
    print("measuring each mechanism ...", flush=True)
    big = make_vault(tmp / "mech-32", 32)
    rows = []
    for what, off, how in MECHANISMS:
        name = re.sub(r"\W+", "-", what)[:30]
        parts = []
        if how in ("build", "both"):
            cfg = with_options(big, name, off)
            saved = []
            for _ in range(REPEAT):
                on_time = build(big, tmp / "mech-on")[0]
                saved.append(1 - on_time / build(big, tmp / "mech-off", cfg)[0])
            parts.append(f"clean build at 32 notes: {statistics.median(saved):+.0%} "
                         f"({', '.join(f'{s:+.0%}' for s in saved)})")
        if how == "cached":
            cfg = with_options(big, name, off)
            cached_build(big, tmp / "mech-on")  # fills .cache/ (outputs and HTML)
            saved = []
            for _ in range(REPEAT):
                on_time = cached_build(big, tmp / "mech-on")
                saved.append(1 - on_time / cached_build(big, tmp / "mech-off", cfg))
            parts.append(f"cached rebuild at 32 notes: {statistics.median(saved):+.0%} "
                         f"({', '.join(f'{s:+.0%}' for s in saved)})")
        if how in ("reload", "both"):
            cfg = with_options(big, name, off)
            on, off_ = prose_and_snippet(big)[0], prose_and_snippet(big, cfg)[0]
            parts.append(f"prose reload at 32 notes: {statistics.median(on):.2f} s, "
                         f"{statistics.median(off_):.2f} s without")
        if how == "weight":
            cfg = with_options(big, name, off)
            build(big, tmp / "mech-on")
            build(big, tmp / "mech-off", cfg)
            on_kb = (tmp / "mech-on/assets/stylesheets/jupyter.css").stat().st_size / 1e3
            off_kb = (tmp / "mech-off/assets/stylesheets/jupyter.css").stat().st_size / 1e3
            parts.append(f"a notebook page's stylesheet: {on_kb:.0f} kB, {off_kb:.0f} kB without")
        if how == "lighthouse" and lighthouse_ok:
            cfg = with_options(big, name, off)
            build(big, tmp / "mech-on")
            build(big, tmp / "mech-off", cfg)
            page = "notebooks/parameters/"
            on_tbt = [blocking_ms(tmp / "mech-on", page) for _ in range(REPEAT)]
            off_tbt = [blocking_ms(tmp / "mech-off", page) for _ in range(REPEAT)]
            parts.append(f"Lighthouse total blocking time, notebook page: {statistics.median(on_tbt):.0f} ms, "
                         f"{statistics.median(off_tbt):.0f} ms without")
        rows.append((what, json.dumps(off), "; ".join(parts)))
    return rows


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
PREFIX = ROOT / ".cache/lighthouse"
# Lighthouse's variability guide: the median of 5 runs halves the spread of one run (here a
# notebook page scored 87 to 96 in runs of the same site)
PERF_RUNS = 5


def lighthouse_cli() -> Path | None:
    """Lighthouse, installed into .cache/lighthouse on first use (npm registry)."""
    chromium, npm = shutil.which("chromium"), shutil.which("npm")
    if not (chromium and npm):
        return None
    cli = PREFIX / "node_modules/.bin/lighthouse"
    if not cli.exists():
        subprocess.run([npm, "i", "-E", f"lighthouse@{LIGHTHOUSE}", "--prefix", str(PREFIX),
                        "--no-audit", "--no-fund", "--silent"], check=True)
    return cli


def lighthouse_run(site: Path, path: str, categories: str) -> dict:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GitHubPagesLike, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    try:
        subprocess.run([str(lighthouse_cli()), f"http://127.0.0.1:{httpd.server_address[1]}/{path}", "--quiet",
                        "--output=json", f"--output-path={out}", f"--only-categories={categories}",
                        "--chrome-flags=--headless=new --no-sandbox"],
                       env={**os.environ, "CHROME_PATH": shutil.which("chromium")}, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink()
        httpd.shutdown()


def blocking_ms(site: Path, path: str) -> float:
    return lighthouse_run(site, path, "performance")["audits"]["total-blocking-time"]["numericValue"]


def lighthouse(site: Path) -> dict:
    """Lighthouse (mobile, its default) on every page; performance PERF_RUNS times on the note
    and notebook pages."""
    scores: dict[str, dict[str, list[int]]] = {}
    for path in PAGES:
        runs = PERF_RUNS if path in ("deep-learning-computation/parameters/", "notebooks/parameters/") else 1
        for _ in range(runs):
            report = lighthouse_run(site, path, "performance,accessibility")
            for cat, value in report["categories"].items():
                scores.setdefault(path or "/", {}).setdefault(cat, []).append(round(value["score"] * 100))
    return scores


def axe_version() -> str:
    """The axe-core that Lighthouse runs (its own dependency)."""
    for package in PREFIX.rglob("axe-core/package.json"):
        return json.loads(package.read_text(encoding="utf-8"))["version"]
    return "?"


def test_suite() -> tuple[float, str]:
    """`make test` as a newcomer runs it (set-up already done): lint, then the suite."""
    start = time.perf_counter()
    done = subprocess.run(["make", "test"], cwd=ROOT, capture_output=True, text=True)
    summary = next((line for line in reversed(done.stdout.strip().splitlines()) if " in " in line), "no output")
    if done.returncode != 0:
        print(done.stdout[-3000:], file=sys.stderr)
    return time.perf_counter() - start, summary.strip("= ")


# -- the report -----------------------------------------------------------------------------

def fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def spread(values: list[float], unit: str = "s") -> str:
    middle = statistics.median(values)
    shown = f"{middle:.2f}×" if unit == "×" else fmt(middle)
    return f"**{shown}** ({', '.join(f'{v:.2f}' for v in values)})"


def main() -> None:
    quick = "--quick" in sys.argv
    sizes = [int(a) for a in sys.argv[1:] if a.isdigit()] or [1, 8, 32]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        vaults = [measure_vault(tmp, n, peers=n <= 8) for n in sizes]
        print("measuring page weight ...", flush=True)
        weight = page_weight(tmp / f"site-{sizes[0]}")
        cli = None if quick else lighthouse_cli()
        mechanisms = [] if quick else measure_mechanisms(tmp, cli is not None)
        if cli is not None:
            print("running Lighthouse ...", flush=True)
        scores = {} if cli is None else lighthouse(tmp / f"site-{sizes[0]}")
    suite = None if quick else (print("running make test ...", flush=True) or test_suite())

    table = ["| notes | our clean build | stock stack's build | speed-up (stock / ours) | parallel efficiency "
             "| serial clean build | cached rebuild | reload after a prose edit | reload after a snippet edit |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for v in vaults:
        stock = [r["stock"] for r in v["rounds"] if "stock" in r]
        table.append(
            f"| {v['n']} | {fmt(v['clean'])} | {fmt(statistics.median(stock)) if stock else '–'} "
            f"| {spread([r['speedup'] for r in v['rounds']], '×') if stock else '–'} "
            f"| {v['efficiency']:.0%} ({v['cpu']:.1f} s CPU) | {fmt(v['serial'])} | {fmt(v['cached'])} "
            f"| {spread(v['prose'])} | {spread(v['snippet'])} |")
    rows = []
    for v in vaults:
        if "shared" in v:
            rows.append((f"Reload after editing a snippet that all {v['n']} pages include", spread(v["shared"]),
                         "every page then showed the edit: none stale"))
    for name, label in (("note", "Note page"), ("notebook", "Notebook page")):
        if name in weight:
            w = weight[name]
            rows.append((f"{label} weight in Chromium (uncompressed static server)",
                         f"{w['bytes'] / 1e6:.2f} MB, {w['requests']} requests",
                         f"{w['third_party']} third-party requests"))
    for path, label in (("deep-learning-computation/parameters/", "note"), ("notebooks/parameters/", "notebook")):
        if path in scores:
            perf = scores[path]["performance"]
            rows.append((f"Lighthouse {LIGHTHOUSE} mobile performance, {label} page (gzip, max-age=600)",
                         f"**{statistics.median(perf):.0f}**", f"runs: {', '.join(map(str, perf))}"))
    if scores:
        a11y = {p: s["accessibility"][0] for p, s in scores.items()}
        rows.append((f"Lighthouse {LIGHTHOUSE} accessibility (its axe-core {axe_version()}), every page",
                     f"**{min(a11y.values())}** (lowest)", ", ".join(f"{p}: {v}" for p, v in a11y.items())))
    if suite is not None:
        rows.append(("`make test` (set-up already done; lint included)", f"**{suite[0]:.0f} s**", suite[1]))
    other = ["| measure | value | detail |", "| --- | --- | --- |"] + [f"| {a} | {b} | {c} |" for a, b, c in rows]
    mech = ["| mechanism | turned off with | what it saves |", "| --- | --- | --- |"]
    mech += [f"| {a} | `{b}` | {c} |" for a, b, c in mechanisms]
    stamp = (f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}, {CORES} cores, "
             f"Python {sys.version.split()[0]}, torch {__import__('torch').__version__}. "
             f"A time is the median of {REPEAT} runs; a ratio or saving the median of {REPEAT} rounds, each "
             f"listed, a round being the builds it compares run back to back; reloads: medians of "
             f"{REPEAT + 1} edits, each listed; Lighthouse performance: of {PERF_RUNS}.")
    text = stamp + "\n\n" + "\n".join(table) + "\n\n" + "\n".join(other)
    if mechanisms:
        text += "\n\n" + "\n".join(mech)
    print("\n" + text)
    big, small = vaults[-1], vaults[0]
    speedups = [f"{statistics.median(r['speedup'] for r in v['rounds']):.1f}×" for v in vaults
                if "stock" in v["rounds"][0]]
    headline = [
        f"- A clean build of {small['n']} / {big['n']} notes: {fmt(small['clean'])} / {fmt(big['clean'])} "
        f"({' and '.join(speedups)} faster than the stock stack at {' and '.join(str(v['n']) for v in vaults[:2])}).",
        f"- Reload under `make serve` at {big['n']} notes: {fmt(statistics.median(big['prose']))} after a prose edit, "
        f"{fmt(statistics.median(big['snippet']))} after a snippet edit.",
    ]
    if rows and any("all 8 pages" in r[0] for r in rows):
        headline.append(f"- A snippet that 8 pages include, edited: every page current after "
                        f"{next(r[1] for r in rows if 'all 8 pages' in r[0]).split(' (')[0].strip('*')}.")
    if scores:
        perf = [statistics.median(scores[p]["performance"]) for p in
                ("deep-learning-computation/parameters/", "notebooks/parameters/")]
        headline.append(f"- Lighthouse (mobile): accessibility {min(a11y.values())} on every page, performance "
                        + ", ".join(f"{v:.0f}" for v in perf) + " (note page, notebook page).")
    if suite is not None:
        headline.append(f"- `make test`: {suite[0]:.0f} s on {CORES} cores.")
    written = {ROOT / "CONTRIBUTING.md": ("bench", text), ROOT / "README.md": ("headline", "\n".join(headline))}
    for path, (marker, block) in written.items():
        content = path.read_text(encoding="utf-8")
        new = re.sub(rf"(<!-- {marker}:start -->\n).*?(\n<!-- {marker}:end -->)", lambda m: m[1] + block + m[2],
                     content, flags=re.S)
        if new != content and sizes == [1, 8, 32] and not quick:
            path.write_text(new, encoding="utf-8")
            print(f"\n{path.name} updated.")


if __name__ == "__main__":
    main()
