"""Running blocks: one block in a namespace, or a whole session in a worker process.

One definition of a block's output, whoever runs it (the page's own process, a worker, a replay):
what Python prints to stdout when the same code runs alone. `print` is Python's own (its `sep`,
`end` and `file=` hold), `sys.stdout.write` counts, and markdown-exec's `workdir` and `width`
options apply around the block, with markdown-exec's own context managers. A block that runs
past its time limit is stopped and reported as an error.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import linecache
import os
import re
import signal
import sys
import threading
import traceback
from pathlib import Path
from types import ModuleType

from .reads import Watched, recording


class BlockError(Exception):
    """A block raised or ran out of time; `.trace` is its traceback with its own lines shown."""

    def __init__(self, name: str, trace: str, timed_out: bool = False):
        super().__init__(f"{name}: {trace.strip().splitlines()[-1]}")
        self.trace, self.timed_out = trace, timed_out


class _OutOfTime(BaseException):  # a BaseException: a block's own `except Exception` cannot swallow it
    pass


def block_name(page: str, session: str | None, number: int, title: str = "") -> str:
    """What a block is called in tracebacks and errors, the same in a worker and in the page."""
    return f"{page}:{session or '-'}#{number}" + (f" ({title})" if title else "")


@contextlib.contextmanager
def _block_options(options: dict | None):
    """markdown-exec's `workdir` (the block's working directory) and `width` (COLUMNS)."""
    from markdown_exec import console_width, working_directory

    options = options or {}
    with working_directory(options.get("workdir")), console_width(options.get("width")):
        yield


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise _OutOfTime in this thread after `seconds` (None or 0: no limit). In the main thread
    a timer signal stops even a `time.sleep`; in another thread the error is raised at its next
    Python line."""
    if not seconds:
        yield
        return
    if threading.current_thread() is threading.main_thread():

        def expire(_signum, _frame):
            raise _OutOfTime

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    lock, done, ident = threading.Lock(), threading.Event(), threading.get_ident()

    def watch():
        if not done.wait(seconds):
            with lock:
                if not done.is_set():
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(_OutOfTime))

    threading.Thread(target=watch, daemon=True).start()
    try:
        yield
    finally:
        with lock:
            done.set()


def run_code(
    code: str, namespace: dict, name: str, watched: Watched, options: dict | None = None, timeout: float | None = None
) -> tuple[str, dict[str, str]]:
    """Execute `code` in `namespace` with its fence `options`, for at most `timeout` seconds.

    Returns what it printed to stdout and the watched files it read, with their fingerprints;
    raises BlockError if it raised or ran out of time."""
    buffer = io.StringIO()
    module = re.sub(r"[^a-zA-Z\d]+", "_", f"exec_{name}")
    namespace["__name__"] = module  # classes defined here get a real __module__
    sys.modules.setdefault(module, ModuleType(module))
    filename = f"<code block: {name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    with recording(watched) as reads:
        try:
            with _block_options(options), contextlib.redirect_stdout(buffer), time_limit(timeout):
                exec(compile(code, filename, "exec"), namespace)  # noqa: S102
        except _OutOfTime:
            why = f"{name}: stopped after its time limit of {timeout:g} s (exec-cache `timeout`)\n"
            raise BlockError(name, why, timed_out=True) from None
        except Exception as error:  # noqa: BLE001 - any error of the reader's code is reported
            raise BlockError(name, "".join(traceback.format_exception(error))) from None
    return buffer.getvalue(), dict(sorted(reads.items()))


def forget_modules(roots: tuple[Path, ...]) -> None:
    """Drop the modules loaded from `roots` (but this package) from sys.modules: a worker kept
    across rebuilds must import today's source."""
    folders = tuple(str(r) + os.sep for r in roots)
    for name in [
        n
        for n, m in sys.modules.items()
        if not n.startswith(__package__) and (getattr(m, "__file__", None) or "").startswith(folders)
    ]:
        del sys.modules[name]


def cacheable_html(html: str) -> bool:
    """A block's HTML depends on its inputs only: a heading would go into the page's TOC, and
    an `exec-N--` id numbers blocks across the build."""
    return "<h" not in html and 'id="exec-' not in html


def run_session(blocks: list[tuple[str, str, dict]], watched: Watched, timeout: float | None) -> list[tuple]:
    """In a worker: run one session's (name, code, options) blocks in order. Each result is
    ("ok", output, reads), ("error", trace) or ("timeout", trace); nothing runs after a failure."""
    for root in reversed(watched.module_roots):  # the worker may be older than the engine's sys.path
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    forget_modules(watched.module_roots)
    namespace: dict = {}
    results: list[tuple] = []
    for name, code, options in blocks:
        # a block stuck where the timer's signal cannot stop it: the worker ends, and the pool says so
        backstop = threading.Timer(timeout + 10, os._exit, (70,)) if timeout else None
        if backstop:
            backstop.daemon = True
            backstop.start()
        try:
            results.append(("ok", *run_code(code, namespace, name, watched, options, timeout)))
        except BlockError as error:
            results.append(("timeout" if error.timed_out else "error", error.trace))
            break
        finally:
            if backstop:
                backstop.cancel()
    return results
