"""The files a block reads while it runs, so that an edit to one makes its entry a miss.

An audit hook (installed once per process, on first use: it cannot be removed) sees every
`open`, `os.listdir` and `os.scandir`; what falls under the watched folders is recorded with
a fingerprint of its content. The record belongs to the running context (a ContextVar), so two
threads or two blocks never share one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

_record: ContextVar[tuple[Watched, dict[str, str]] | None] = ContextVar("exec_cache_reads", default=None)
_hooked = False


@dataclass(frozen=True)
class Watched:
    """Which reads count: files under `dirs`, less the modules under `module_roots` (their
    source is in the key already) and their bytecode. Paths are kept relative to `root`."""

    root: Path
    dirs: tuple[Path, ...]
    module_roots: tuple[Path, ...] = ()

    def counts(self, path: Path) -> bool:
        return (
            any(path == d or path.is_relative_to(d) for d in self.dirs)
            and not (path.suffix == ".py" and any(path.is_relative_to(r) for r in self.module_roots))
            and "__pycache__" not in path.parts
        )

    def fingerprint(self, rel: str) -> str:
        """What a recorded read saw: a file's bytes, or a folder's sorted names."""
        path = self.root / rel
        if path.is_dir():
            return "dir " + hashlib.sha256("\n".join(sorted(os.listdir(path))).encode()).hexdigest()
        if path.is_file():
            return "file " + hashlib.sha256(path.read_bytes()).hexdigest()
        return "missing"


def _audit(event: str, args: tuple) -> None:
    current = _record.get()
    if current is None or event not in ("open", "os.listdir", "os.scandir"):
        return
    path = args[0]
    if isinstance(path, int) or path is None:
        return
    watched, seen = current
    try:
        path = Path(os.fsdecode(path)).resolve()
    except (OSError, ValueError, TypeError):
        return
    if watched.counts(path) and (event == "open" or path.is_dir()):
        seen.setdefault(path.relative_to(watched.root).as_posix(), "")


@contextlib.contextmanager
def recording(watched: Watched):
    """Record what the block run inside reads; yields the dict that fills, path -> fingerprint
    (filled in when the block is done). A nested record also counts for the outer one."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    outer = _record.get()
    seen: dict[str, str] = {}
    token = _record.set((watched, seen))
    try:
        yield seen
    finally:
        _record.reset(token)
        for rel in sorted(seen):
            seen[rel] = watched.fingerprint(rel)
        if outer is not None:
            outer[1].update(dict.fromkeys(seen, ""))
