"""Run the pages' ```python exec="1"``` blocks once, cache their output, and run sessions in parallel.

markdown-exec has neither a cache nor parallelism, so this module plugs into its public
extension point: `formatter` below is a pymdownx.superfences custom fence that hands
markdown-exec's own `base_format` a `run` function of ours (build_hooks.py registers it).

- **Key.** A block's output is stored under a SHA-256 of: the Python, torch, numpy and
  markdown-exec versions; the code of every block of its session up to and including it
  (after `--8<--` expansion, hidden set-up blocks included); the source of every local
  module those blocks import (page_helpers.py, ...); its working directory and width.
- **Files it read.** While a block runs, every file and folder of the project it opens or
  lists is recorded with a hash of its content; an entry whose files changed is a miss.
- **A hit** returns the stored output. The session's variables are then not in memory:
  the first miss later in the session first replays the earlier blocks, silently, so a
  figure block that reads `globals()` always sees the values the page shows.
- **Storage.** `Store` keeps entries in memory; given a folder (`.cache/exec/`, used by
  `mkdocs serve` and `make build-fast`), also one readable JSON file per entry. A file
  that is not valid JSON, names another key, or whose output does not match its checksum
  is ignored and the block re-executed. A failing block is never stored.
- **Parallel.** `scan` finds the blocks of a page before it renders; `Prefetch` runs the
  sessions with a missing entry in worker processes (one torch import per worker, kept
  for the whole `mkdocs serve`), so rendering then finds every block in the store. A clean
  build also starts renderer processes without torch for `call` (the notebooks' nbconvert).
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import hashlib
import io
import json
import linecache
import os
import platform
import re
import sys
import threading
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from types import ModuleType

HOOKS_DIR = Path(__file__).resolve().parent
ROOT = HOOKS_DIR.parents[1]
LOCAL_MODULE_DIRS = [HOOKS_DIR]  # where a block's `import x` may find a module of this project
CONTENT_DIRS = [ROOT / "docs", ROOT / "snippets"]  # files a block may read (the 代码片段 list does)


# -- the key ------------------------------------------------------------------------

@functools.cache
def environment() -> str:
    """Versions that change what a block prints, read without importing torch."""
    versions = [f"python {platform.python_version()}"]
    for dist in ("torch", "numpy", "markdown-exec"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} -")
    return "; ".join(versions)


def local_modules(code: str) -> set[str]:
    """Names of this project's modules that `code` imports, directly or through each other."""
    found: set[str] = set()
    todo = [name for name in _imports(code) if _module_path(name)]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            path = _module_path(name)
            stat = path.stat()
            todo += [n for n in _module_imports(str(path), stat.st_mtime_ns, stat.st_size)
                     if _module_path(n)]
    return found


@functools.lru_cache(maxsize=4096)
def _imports(code: str) -> frozenset[str]:
    """Top-level names of the modules `code` imports (parsed once per distinct code)."""
    if "import" not in code:
        return frozenset()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return frozenset()  # the run reports it
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return frozenset(names)


@functools.lru_cache(maxsize=256)
def _module_imports(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    return _imports(Path(path).read_text(encoding="utf-8"))


# Within one build the project's modules are read once: a vault of 32 notes has ~1,000 blocks,
# and stat-ing and hashing page_helpers.py for each cost ~1 s. new_build() forgets them.
@functools.cache
def _module_path(name: str) -> Path | None:
    for folder in LOCAL_MODULE_DIRS:
        if (folder / f"{name}.py").is_file():
            return folder / f"{name}.py"
    return None


@functools.cache
def _module_source(name: str) -> bytes:
    return _module_path(name).read_bytes()


def new_build() -> None:
    """Forget what was read of the project's modules: a rebuild of `mkdocs serve` reads them anew."""
    _module_path.cache_clear()
    _module_source.cache_clear()


class KeyChain:
    """The keys of one session's blocks, one `add` per block in order (each key covers the
    blocks before it, so a session's keys are computed in one pass)."""

    def __init__(self):
        self.chain = hashlib.sha256(environment().encode())
        self.modules: set[str] = set()

    def add(self, code: str, opts: dict | None) -> str:
        extra = json.dumps({k: str((opts or {}).get(k) or "") for k in ("workdir", "width")})
        self.chain.update(b"\0block\0" + code.strip("\n").encode())  # blank edges change nothing
        self.modules |= local_modules(code)
        h = self.chain.copy()
        for name in sorted(self.modules):
            h.update(f"\0module {name}\0".encode() + _module_source(name))
        h.update(extra.encode())
        return h.hexdigest()


def session_keys(codes: list[str], options: list[dict]) -> list[str]:
    """The key of each block of one session, given the code and options of its blocks in order."""
    chain = KeyChain()
    return [chain.add(code, opts) for code, opts in zip(codes, options, strict=True)]


# -- files a block reads ------------------------------------------------------------

_reads: list[dict[str, str]] = []  # one dict per block being recorded (a stack)


def _audit(event: str, args: tuple) -> None:
    if not _reads or event not in ("open", "os.listdir", "os.scandir"):
        return
    path = args[0]
    if isinstance(path, int) or path is None:
        return
    try:
        path = Path(os.fsdecode(path)).resolve()
    except (OSError, ValueError, TypeError):
        return
    if _is_content(path) and (event == "open" or path.is_dir()):
        _reads[-1].setdefault(path.relative_to(ROOT).as_posix(), "")


def _is_content(path: Path) -> bool:
    """Pages, snippets, images, a helper's .js: not the modules (in the key already) nor their bytecode."""
    return (any(path == d or path.is_relative_to(d) for d in CONTENT_DIRS)
            and not (path.parent in LOCAL_MODULE_DIRS and path.suffix == ".py")
            and "__pycache__" not in path.parts)


_hooked = False


def _record_reads() -> None:
    """Install the audit hook on first use, after a worker's torch import (a hook cannot be removed)."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True


def fingerprint(rel: str) -> str:
    """What a recorded read saw: a file's bytes, or a folder's sorted names."""
    path = ROOT / rel
    if path.is_dir():
        return "dir " + hashlib.sha256("\n".join(sorted(os.listdir(path))).encode()).hexdigest()
    if path.is_file():
        return "file " + hashlib.sha256(path.read_bytes()).hexdigest()
    return "missing"


# -- running a block ----------------------------------------------------------------

class BlockError(Exception):
    """A block raised; `.trace` is its traceback with the block's own lines shown."""

    def __init__(self, title: str, trace: str):
        super().__init__(f"{title}: {trace.strip().splitlines()[-1]}")
        self.title, self.trace = title, trace


def run_code(code: str, namespace: dict, name: str) -> tuple[str, dict[str, str]]:
    """Execute `code` in `namespace` as markdown-exec does (its `print` goes to the output).

    Returns the output and the project files the block read, with their fingerprints.
    """
    buffer = io.StringIO()
    module = re.sub(r"[^a-zA-Z\d]+", "_", f"exec_{name}")
    namespace["__name__"] = module  # classes defined here get a real __module__
    sys.modules.setdefault(module, ModuleType(module))
    namespace["print"] = functools.partial(builtins.print, file=buffer)
    filename = f"<code block: {name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    _record_reads()
    _reads.append({})
    try:
        with contextlib.redirect_stdout(buffer):
            exec(compile(code, filename, "exec"), namespace)  # noqa: S102
    except Exception as error:  # noqa: BLE001 - any error of the reader's code is reported
        raise BlockError(name, "".join(traceback.format_exception(error))) from None
    finally:
        reads = _reads.pop()
    if _reads:
        _reads[-1].update(reads)
    return buffer.getvalue(), {rel: fingerprint(rel) for rel in sorted(reads)}


# -- the store ----------------------------------------------------------------------

@dataclass
class Entry:
    output: str
    reads: dict[str, str] = field(default_factory=dict)

    def is_current(self) -> bool:
        return all(fingerprint(rel) == seen for rel, seen in self.reads.items())


class Store:
    """Block outputs by key: in memory, and in `folder` as plain JSON files when given one."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self.memory: dict[str, Entry] = {}
        self.html: dict[str, dict] = {}  # a block's rendered HTML, by html_key
        self.pending: dict[str, Job] = {}  # key -> a worker's run of its session
        self.ignored: list[str] = []  # unreadable entry files, for the log

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        """Stored and current, or on its way from a worker (does not wait)."""
        return key in self.pending or self._current(key) is not None

    def get(self, key: str) -> Entry | None:
        job = self.pending.get(key)
        if job is not None:  # two threads may ask: both wait until the job's entries are stored
            job.collect()
            self.pending.pop(key, None)
        return self._current(key)

    def _current(self, key: str) -> Entry | None:
        entry = self.memory.get(key) or self._load(key)
        if entry is not None and entry.is_current():
            self.memory[key] = entry
            return entry
        self.memory.pop(key, None)
        return None

    def _load(self, key: str) -> Entry | None:
        if self.folder is None or not self._path(key).is_file():
            return None
        data = read_checked(self._path(key), "output")
        if data is None or data.get("key") != key or not isinstance(data.get("reads"), dict):
            self.ignored.append(str(self._path(key)))
            return None
        return Entry(data["output"], data["reads"])

    def get_html(self, key: str) -> dict | None:
        """A block's rendered HTML: {"html": ..., "conversions": ...}."""
        if key in self.html:
            return self.html[key]
        path = self.folder / "html" / key[:2] / f"{key}.json" if self.folder else None
        if path is None or not path.is_file():
            return None
        data = read_checked(path, "html")
        if data is None or not isinstance(data.get("conversions"), int):
            self.ignored.append(str(path))
            return None
        self.html[key] = rendered = {"html": data["html"], "conversions": data["conversions"]}
        return rendered

    def put_html(self, key: str, rendered: dict) -> None:
        self.html[key] = rendered
        if self.folder is not None:
            write_checked(self.folder / "html" / key[:2] / f"{key}.json", rendered, "html")

    def put(self, key: str, entry: Entry, *, about: dict) -> None:
        self.memory[key] = entry
        if self.folder is None:
            return
        write_checked(self._path(key), {**about, "key": key, "environment": environment(),
                                         "output": entry.output, "reads": entry.reads}, "output")


def write_checked(path: Path, data: dict, field: str) -> None:
    """A plain JSON file holding `data` and the SHA-256 of its text `field`, written whole or
    not at all (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    checked = {**data, f"{field}_sha256": hashlib.sha256(data[field].encode()).hexdigest()}
    tmp.write_text(json.dumps(checked, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_checked(path: Path, field: str) -> dict | None:
    """What write_checked wrote, or None if the file is unreadable, not JSON, or its `field`
    does not match its checksum (truncated, edited, another format)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        text = data[field]
        if isinstance(text, str) and data[f"{field}_sha256"] == hashlib.sha256(text.encode()).hexdigest():
            return data
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        pass
    return None


# -- the blocks of a page, before it renders -------------------------------------------

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)(?P<attrs>.*)$")
ATTR = re.compile(r'(?P<name>[\w-]+)=(?:"(?P<q>[^"]*)"|(?P<v>\S+))')


@dataclass
class Block:
    session: str  # "" for a block with no session
    code: str
    title: str
    include: str | None  # the `--8<--` target when the block is exactly one include
    options: dict
    attrs: dict = field(default_factory=dict)  # every key="value" of its fence line


def sessions(blocks: list[Block]) -> dict[str, list[int]]:
    """The indices of each session's blocks, in order; a block with no session is alone."""
    found: dict[str, list[int]] = {}
    for n, block in enumerate(blocks):
        found.setdefault(block.session or f"-{n}", []).append(n)
    return found


def scan(text: str, expand) -> list[Block]:
    """The python exec blocks of a page's Markdown, in order, with their code as the
    fence formatter will receive it. `expand(line)` applies pymdownx.snippets to one line.
    """
    lines = [re.sub(r"^\t+", lambda m: "    " * len(m[0]), line) for line in text.split("\n")]
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        close = re.compile(rf"^ {{0,{len(indent) + 3}}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        attrs = {a["name"]: a["q"] if a["q"] is not None else a["v"]
                 for a in ATTR.finditer(m["attrs"])}
        if m["lang"] in ("python", "py") and attrs.get("exec", "").lower() in ("1", "true", "yes", "on"):
            body = [line[len(indent):] if line.startswith(indent) else line.lstrip()
                    for line in lines[i + 1:j]]
            written = [line for line in body if line.strip()]
            include = (re.fullmatch(r'--8<-- "(?P<t>[^"]+)"', written[0].strip())
                       if len(written) == 1 else None)
            code = "\n".join(expand(line) if line.strip().startswith("--8<--") else line
                             for line in body)
            blocks.append(Block(attrs.get("session", ""), code.strip("\n"), attrs.get("title", ""),
                                include["t"] if include else None,
                                {k: attrs.get(k) for k in ("workdir", "width")}, attrs))
        i = j + 1
    return blocks


# -- parallel execution of sessions -------------------------------------------------

def forget_local_modules() -> None:
    """Drop this project's modules from sys.modules, so the next import reads the file."""
    folders = tuple(str(d) + os.sep for d in LOCAL_MODULE_DIRS)
    for name in [n for n, m in sys.modules.items() if n != __name__
                 and (getattr(m, "__file__", None) or "").startswith(folders)]:
        del sys.modules[name]


def _exit_with_parent(parent: int) -> None:
    """Exit when the parent process is gone: a `mkdocs serve` ended by a signal runs no
    clean-up, and its forkserver and workers (torch loaded, ~300 MB each) must not linger."""
    import time

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


if sys.argv[:1] == ["-c"] and "multiprocessing.forkserver" in sys.modules:
    # preloaded by the forkserver that Prefetch starts; its MkDocs may be gone already
    _exit_with_parent(int(os.environ.get("D2L_EXEC_PARENT") or os.getppid()))


def _worker_start(paths: list[str], cwd: str) -> None:
    """Each worker pays, once and before its first session, torch's import (~1.5 s) and
    that of torch._dynamo (~1.3 s), which the first optimizer a snippet makes imports."""
    _exit_with_parent(os.getppid())  # the forkserver
    sys.path[:0] = [p for p in paths if p not in sys.path]
    os.chdir(cwd)
    import torch._dynamo  # noqa: F401


def _ready() -> None:
    """A job that only makes the pool start a worker."""


def _renderer_start(paths: list[str], cwd: str, parent: int, options: dict) -> None:
    """A renderer needs no torch: it imports nbconvert (~0.7 s) and warms up (page_notebooks.
    warm_up) while the workers import torch, at a lower priority: the workers' torch import
    and sessions come first, notebooks last."""
    _exit_with_parent(parent)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    sys.path[:0] = [p for p in paths if p not in sys.path]
    os.chdir(cwd)
    import page_notebooks

    try:
        page_notebooks.warm_up(options)
    except Exception:  # noqa: BLE001 - it only saves time; a real render reports what is wrong
        pass


def run_session(name: str, codes: list[str], render: tuple | None = None) -> list[tuple | None]:
    """In a worker: run one session's blocks in order; None for a block that raised and after.
    With `render` (markdown-exec's Markdown configuration and each block's fence options),
    also make each block's HTML here, so the page that shows it does not (see render_block)."""
    forget_local_modules()  # a kept worker must see today's page_helpers
    md = None
    if render is not None:
        from markdown import Markdown
        from markdown_exec import markdown_config

        markdown_config.save(render[0], render[1])
        md = Markdown()  # markdown-exec renders with mkdocs.yml's extensions, not this instance's
    namespace: dict = {}
    results: list[tuple | None] = []
    for n, code in enumerate(codes):
        try:
            output, reads = run_code(code, namespace, f"{name}#{n + 1}")
        except BlockError:
            results += [None] * (len(codes) - n)  # rendering runs it again and reports it
            break
        rendered = None
        if md is not None:
            try:
                rendered = render_block(code, output, render[2][n], md)
            except Exception:  # noqa: BLE001 - the page renders it, and reports what is wrong
                rendered = None
        results.append((output, reads, rendered))
    return results


# -- a block's HTML, made in the worker that ran it ---------------------------------------
# markdown-exec converts each block's source and output with a Markdown instance of its own
# (~10 ms a block, in the one process that renders pages). A worker that has just run the
# block makes the same HTML with markdown-exec's public base_format and stores it under the
# same key as a cached block's HTML (Pages.html_key: the block's key, its fence options, and
# mkdocs.yml and the renderers' versions): the formatter then finds it, as it finds a cached one.

def fence_options(block: Block) -> dict:
    """What markdown-exec's validator makes of the block's fence line: the formatter's options.
    A wrong guess costs nothing but speed: its key differs, and the page renders the block."""
    from markdown_exec import validator

    options: dict = {}
    validator("python", dict(block.attrs), options, {}, None)
    return options


def portable_markdown_config() -> tuple[list, dict]:
    """markdown-exec's Markdown configuration (mkdocs.yml's extensions), made picklable."""
    from markdown_exec import markdown_config

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return os.fspath(value) if isinstance(value, os.PathLike) else value

    return list(markdown_config.exts or []), plain(dict(markdown_config.exts_config or {}))


def cacheable_html(html: str) -> bool:
    """A block's HTML depends on its inputs only: a heading would go into the page's TOC, and
    an `exec-N--` id numbers blocks across the build."""
    return "<h" not in html and 'id="exec-' not in html


def render_block(code: str, output: str, options: dict, md) -> dict | None:
    """markdown-exec's HTML of a block that printed `output`, and how many Markdown conversions
    it counted; None where the HTML is not cacheable."""
    from markdown_exec import MarkdownConverter, base_format

    before = MarkdownConverter.counter
    html = str(base_format(language="python", run=lambda *args, **kwargs: output, code=code, md=md,
                           **options))
    return ({"html": html, "conversions": MarkdownConverter.counter - before}
            if cacheable_html(html) else None)


class Job:
    """One session sent to a worker; `collect` waits for it and stores what it printed."""

    def __init__(self, name: str, store: Store, blocks: list[Block], keys: list[str], about: dict,
                 render: tuple | None = None, html_keys: list[str] | None = None):
        self.name, self.codes = name, [b.code for b in blocks]
        self.store, self.blocks, self.keys, self.about = store, blocks, keys, about
        self.render, self.html_keys = render, html_keys or [None] * len(keys)
        self.future: Future = Future()  # the worker's results, once it has run the session
        self.lock, self.done = threading.Lock(), False

    def collect(self) -> None:
        with self.lock:
            if self.done:
                return
            self.done = True
            try:
                results = self.future.result()
            except Exception:  # noqa: BLE001 - a dead worker: rendering runs the blocks itself
                return
            for block, key, html_key, result in zip(self.blocks, self.keys, self.html_keys, results):
                if result is not None:
                    output, reads, rendered = result
                    self.store.put(key, Entry(output, reads), about={**self.about, "title": block.title,
                                                                     "code": block.code})
                    if rendered is not None and html_key is not None:
                        self.store.put_html(html_key, rendered)


class Prefetch:
    """Worker processes that run sessions ahead of rendering. Under `mkdocs serve` one pool
    lives across rebuilds, so a snippet edit pays no torch import."""

    def __init__(self, workers: int):
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.renderer: ProcessPoolExecutor | None = None  # for `call`: processes without torch
        self.renderers = 0  # how many processes it has
        self.starting: threading.Thread | None = None
        self.lock = threading.Lock()
        self.ready = False  # the pool is up (or failed to start)
        self.queue: list[Job] = []  # jobs submitted before it was up

    def start(self) -> None:
        """Start the workers in the background: their torch import overlaps MkDocs' start-up
        (a forkserver answers its first request only once it has imported torch)."""
        if str(HOOKS_DIR) not in sys.path:  # the new processes import this module by name
            sys.path.insert(0, str(HOOKS_DIR))
        if self.starting is None and self.workers > 0:
            self.starting = threading.Thread(target=self._start, daemon=True)
            self.starting.start()

    def start_renderers(self, options: dict, count: int) -> None:
        """`count` processes (at most one per worker) for `call`: a clean build's notebooks,
        rendered with mkdocs-jupyter's `options`. Started afresh (spawn: the forkserver's
        preload is torch); each imports nbconvert and warms up before its first notebook."""
        count = min(count, self.workers)
        if self.renderer is not None or count < 1:
            return
        self.renderer = ProcessPoolExecutor(count, mp_context=get_context("spawn"),
                                            initializer=_renderer_start,
                                            initargs=([str(HOOKS_DIR)], str(Path.cwd()), os.getpid(), options))
        for _ in range(count):  # none is idle yet: each job starts one more process
            self.renderer.submit(_ready)
        self.renderers = count

    def _start(self) -> None:
        pool = None
        try:
            # forkserver: one process imports torch once, and every worker is a fork of it
            # (no torch import per worker; no fork of this process, which may have threads)
            os.environ["D2L_EXEC_PARENT"] = str(os.getpid())  # for the forkserver's watch
            context = get_context("forkserver")
            context.set_forkserver_preload([__name__, "torch._dynamo"])
            pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                       initializer=_worker_start,
                                       initargs=([str(HOOKS_DIR)], str(Path.cwd())))
            # Python 3.11's forkserver imports its preload before it applies our sys.path, and
            # skips what it cannot import: without this, no watch, and a `mkdocs serve` ended
            # by SIGTERM left the forkserver and its workers (~800 MB) running for good
            path = os.environ.get("PYTHONPATH")
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HOOKS_DIR), path]))
            try:
                for _ in range(self.workers):  # the first one starts the forkserver
                    pool.submit(_ready)
            finally:
                if path is None:
                    os.environ.pop("PYTHONPATH", None)
                else:
                    os.environ["PYTHONPATH"] = path
        finally:  # a pool that failed to start leaves every block to the rendering
            with self.lock:
                self.pool, self.ready = pool, True
                for job in self.queue:
                    self._send(job)
                self.queue.clear()

    def submit(self, store: Store, name: str, blocks: list[Block], keys: list[str],
               about: dict, render: tuple | None = None, html_keys: list[str] | None = None) -> Job | None:
        self.start()
        if self.starting is None:
            return None
        job = Job(name, store, blocks, keys, about, render, html_keys)
        with self.lock:
            if self.ready:
                self._send(job)
            else:
                self.queue.append(job)
        for key in keys:
            store.pending[key] = job
        return job

    def call(self, fn, *args) -> Future | None:
        """Run fn(*args) in a renderer, or else in a worker if the pool is up; None if there
        is neither (run it here)."""
        with self.lock:
            if self.renderer is not None:
                try:
                    return self.renderer.submit(fn, *args)
                except BrokenProcessPool:
                    self.renderer = None
            if not self.ready or self.pool is None:
                return None
            try:
                return self.pool.submit(fn, *args)
            except BrokenProcessPool:
                self.pool = None
                return None

    def _send(self, job: Job) -> None:
        try:
            if self.pool is None:
                raise BrokenProcessPool("no worker pool")
            sent = self.pool.submit(run_session, job.name, job.codes, job.render)
        except BrokenProcessPool as error:  # a worker died (killed?): rendering runs the blocks
            self.pool = None
            job.future.set_exception(error)
            return

        def copy(done: Future) -> None:
            if done.exception() is not None:
                job.future.set_exception(done.exception())
            else:
                job.future.set_result(done.result())
        sent.add_done_callback(copy)

    def shutdown(self):
        if self.starting is not None:
            self.starting.join()
        for pool in (self.pool, self.renderer):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self.renderer = self.starting = None
        self.renderers = 0


# -- the fence formatter, used while a page renders ------------------------------------

class Pages:
    """What the formatter needs to know while pages render: one object per build."""

    def __init__(self, store: Store, render_env: str = "", markdown_config: tuple | None = None):
        self.store = store
        self.render_env = render_env  # what else shapes a block's HTML: mkdocs.yml, versions
        self.markdown_config = markdown_config  # portable_markdown_config(), for the workers
        self.page = ""  # set by build_hooks before each page renders
        self.sessions: dict[tuple[str, str], dict] = {}  # (page, session) -> its state
        self.executed = 0  # blocks run while rendering (not by a worker), for the log and tests
        self.fresh: set[str] = set()  # keys sent to the workers in this build
        self.blocks = self.html_ready = 0  # blocks formatted, and of those, whose HTML was ready

    def begin(self, code: str, session: str | None, options: dict) -> tuple[dict, str]:
        """Add a block to its session; return the session's state and the block's key."""
        fresh = {"codes": [], "run": 0, "ns": {}, "keys": KeyChain()}
        state = self.sessions.setdefault((self.page, session), fresh) if session else fresh
        state["codes"].append(code)
        return state, state["keys"].add(code, options)

    def run(self, state: dict, key: str, code: str, session: str | None, title: str) -> str:
        from markdown_exec import ExecutionError, code_block

        entry = self.store.get(key)
        if entry is not None:
            return entry.output
        name = f"{self.page}:{session or '-'}#{len(state['codes'])}"
        try:
            while state["run"] < len(state["codes"]) - 1:  # replay the blocks that were hits
                run_code(state["codes"][state["run"]], state["ns"], name)
                state["run"] += 1
            output, reads = run_code(code, state["ns"], title or name)
        except BlockError as error:
            rendered[self.page] = None  # so the next rebuild renders this page again
            raise ExecutionError(code_block("python", error.trace)) from None
        finally:
            self.executed += 1
        state["run"] += 1
        self.store.put(key, Entry(output, reads), about={"page": self.page, "session": session,
                                                         "title": title, "code": code})
        return output

    def html_key(self, key: str, options: dict) -> str:
        about = json.dumps(options, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(f"{key}\0{about}\0{self.render_env}".encode()).hexdigest()

    def cached_html(self, key: str, options: dict) -> dict | None:
        if self.store.get(key) is None:  # the output itself must be current
            return None
        return self.store.get_html(self.html_key(key, options))

    def keep_html(self, key: str, options: dict, rendered: dict) -> None:
        """Keep a block's HTML unless it depends on more than its inputs: a heading goes into
        the page's TOC, an `exec-N--` id numbers blocks across the build."""
        if self.store.get(key) is not None and cacheable_html(rendered["html"]):
            self.store.put_html(self.html_key(key, options), rendered)


# MkDocs re-imports its hooks file at every rebuild of `mkdocs serve`; what must live
# as long as the process lives here, in a module imported the ordinary way.
current: Pages | None = None  # set by build_hooks.on_pre_build
command = "build"  # or "serve", from build_hooks.on_startup
# D2L_EXEC_WORKERS=0: no workers, every block runs while its page renders (a serial build)
workers = Prefetch(int(os.environ.get("D2L_EXEC_WORKERS") or os.cpu_count() or 1))
serve_store: Store | None = None  # memory + .cache/exec/, for the whole `mkdocs serve`
rendered: dict[str, list[str] | None] = {}  # page -> keys of the blocks it last showed
_notebooks: list[Path] = []


def notebook_dir() -> Path:
    """Where this process writes the notebooks it makes: its own folder, so two builds of
    one project at once (make serve and make test) never write the same file. It is removed
    at exit; one left by a process that is gone (a `mkdocs serve` ended by a signal runs no
    clean-up) is removed by the next build."""
    if not _notebooks:
        import atexit
        import shutil
        import tempfile

        for old in Path(tempfile.gettempdir()).glob("d2l-notebooks-*-*"):
            pid = old.name.split("-")[2]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        _notebooks.append(Path(tempfile.mkdtemp(prefix=f"d2l-notebooks-{os.getpid()}-")))
        atexit.register(shutil.rmtree, _notebooks[0], True)
    return _notebooks[0]


def _alive(pid: int) -> bool:
    if os.name != "posix":  # Windows' os.kill(pid, 0) would interrupt the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


page_memo: dict[str, tuple] = {}  # page -> (inputs, (Markdown, blocks, keys)[, notebook]), for serve


def formatter(source, language, css_class, options, md, **kwargs):
    """pymdownx.superfences custom fence: markdown-exec's rendering, our execution."""
    from markdown_exec import base_format

    from markdown_exec import MarkdownConverter
    from markupsafe import Markup

    state, key = current.begin(source, options.get("session"), options)
    cached = current.cached_html(key, options)
    current.blocks += 1
    if cached is not None:
        current.html_ready += 1
        # markdown-exec numbers its conversions across the build ("exec-N--" ids of
        # headings in outputs): count this block's, as if it had been converted
        MarkdownConverter.counter += cached["conversions"]
        return Markup(cached["html"])  # noqa: S704 - what base_format made of the same inputs

    def run(code, returncode=None, session=None, id=None, **extra):  # noqa: A002, ARG001
        return current.run(state, key, code, session, extra.get("title", ""))

    before = MarkdownConverter.counter
    html = base_format(language="python", run=run, code=source, md=md, **options)
    current.keep_html(key, options, {"html": str(html),
                                     "conversions": MarkdownConverter.counter - before})
    return html
