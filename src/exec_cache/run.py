"""Running blocks: one block in a namespace (as markdown-exec does), or a whole session in a
worker process."""

from __future__ import annotations

import builtins
import contextlib
import functools
import io
import linecache
import os
import re
import sys
import traceback
from pathlib import Path
from types import ModuleType

from .reads import Watched, recording


class BlockError(Exception):
    """A block raised; `.trace` is its traceback with the block's own lines shown."""

    def __init__(self, title: str, trace: str):
        super().__init__(f"{title}: {trace.strip().splitlines()[-1]}")
        self.title, self.trace = title, trace


def run_code(code: str, namespace: dict, name: str, watched: Watched) -> tuple[str, dict[str, str]]:
    """Execute `code` in `namespace` as markdown-exec does (its `print` goes to the output).

    Returns the output and the watched files the block read, with their fingerprints."""
    buffer = io.StringIO()
    module = re.sub(r"[^a-zA-Z\d]+", "_", f"exec_{name}")
    namespace["__name__"] = module  # classes defined here get a real __module__
    sys.modules.setdefault(module, ModuleType(module))
    namespace["print"] = functools.partial(builtins.print, file=buffer)
    filename = f"<code block: {name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    with recording(watched) as reads:
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(code, filename, "exec"), namespace)  # noqa: S102
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


def run_session(name: str, codes: list[str], watched: Watched) -> list[tuple | None]:
    """In a worker: run one session's blocks in order; (output, reads) of each, and None for a
    block that raised and after (the page runs it again and reports it)."""
    for root in reversed(watched.module_roots):  # the worker may be older than the engine's sys.path
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    forget_modules(watched.module_roots)
    namespace: dict = {}
    results: list[tuple | None] = []
    for n, code in enumerate(codes):
        try:
            results.append(run_code(code, namespace, f"{name}#{n + 1}", watched))
        except BlockError:
            results += [None] * (len(codes) - n)
            break
    return results
