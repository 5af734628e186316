"""The cache key of a block: what decides what it prints, hashed.

A block's key covers the versions of Python and of the configured distributions, the code of
every block of its session up to and including it (blank edges aside), and the source of every
local module those blocks import, directly or through each other. A session's keys are made in
one pass (`KeyChain`); `Modules` reads each local module once per build.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import platform
import sys
from importlib import metadata
from pathlib import Path

from .scan import execution_options, stamp


def environment(dists: tuple[str, ...]) -> str:
    """Versions that change what a block prints, read without importing the distributions."""
    versions = [f"python {platform.python_version()}"]
    for dist in dists:
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} -")
    return "; ".join(versions)


@functools.lru_cache(maxsize=4096)
def imported_names(code: str) -> frozenset[str]:
    """Every module name `code` imports, with its parent packages (`a.b` gives `a` and `a.b`;
    `from a import b` also gives `a.b`, which may be a module)."""
    if "import" not in code:
        return frozenset()
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return frozenset()  # the run reports it
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return frozenset(".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 2))


@functools.lru_cache(maxsize=256)
def _file_imports(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    return imported_names(Path(path).read_text(encoding="utf-8"))


class Modules:
    """The project's own modules, found under `roots`: their source goes into the key of a
    block that imports them. One instance per build, so a rebuild reads them anew."""

    def __init__(self, roots: list[Path]):
        self.roots = roots
        self._paths: dict[str, Path | None] = {}
        self._sources: dict[str, bytes] = {}

    def path(self, name: str) -> Path | None:
        if name not in self._paths:
            rel = Path(*name.split("."))
            found = [
                p
                for root in self.roots
                for p in (root / rel.with_suffix(".py"), root / rel / "__init__.py")
                if p.is_file()
            ]
            self._paths[name] = found[0] if found else None
        return self._paths[name]

    def source(self, name: str) -> bytes:
        if name not in self._sources:
            self._sources[name] = self.path(name).read_bytes()
        return self._sources[name]

    def imported_by(self, code: str) -> set[str]:
        """The local modules `code` imports, directly or through each other."""
        found: set[str] = set()
        todo = [n for n in imported_names(code) if self.path(n)]
        while todo:
            name = todo.pop()
            if name not in found:
                found.add(name)
                todo += [n for n in _file_imports(str(self.path(name)), *stamp(self.path(name))) if self.path(n)]
        return found

    def files(self) -> set[Path]:
        """The files of the local modules blocks imported in this build."""
        return {p for p in self._paths.values() if p is not None}

    def importable(self) -> None:
        """Put the roots first on sys.path: blocks import from there (a worker, which may have
        started before this, puts them there too: run.run_session)."""
        for root in reversed(self.roots):
            if str(root) not in sys.path:
                sys.path.insert(0, str(root))

    def forget(self) -> None:
        """Drop the local modules blocks imported (but this package) from sys.modules: the next
        import reads the file."""
        for name in [
            n
            for n, p in self._paths.items()  # a package stays: its modules live on
            if p is not None and p.name != "__init__.py" and n.split(".")[0] != __package__
        ]:
            sys.modules.pop(name, None)


class KeyChain:
    """The keys of one session's blocks, one `add` per block in order: each key covers the
    blocks before it, so a session's keys are computed in one pass."""

    def __init__(self, env: str, modules: Modules):
        self.chain = hashlib.sha256(env.encode())
        self.modules, self.names = modules, set()

    def add(self, code: str, opts: dict | None) -> str:
        extra = json.dumps(execution_options(opts or {}), sort_keys=True)
        self.chain.update(b"\0block\0" + code.strip("\n").encode())  # blank edges change nothing
        self.names |= self.modules.imported_by(code)
        h = self.chain.copy()
        for name in sorted(self.names):
            h.update(f"\0module {name}\0".encode() + self.modules.source(name))
        h.update(extra.encode())
        return h.hexdigest()
