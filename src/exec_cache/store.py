"""Block outputs and block HTML by key: in memory, and optionally as plain JSON files.

An entry file holds the output, the SHA-256 of it, the key it was stored under, and the files
the block read with what it saw of them. A file that is not valid JSON, names another key, or
whose output does not match its checksum is ignored (and named in `ignored`); an entry whose
read files changed is a miss. Files are written whole or not at all. A failing block is never
stored: nothing calls `put` for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .reads import Watched


@dataclass
class Entry:
    output: str
    reads: dict[str, str] = field(default_factory=dict)


class UnsafeFolder(Exception):
    """A cache folder that another user made or can write: nothing in it is read."""


def private_folder(path: Path) -> Path:
    """`path` as a folder of this user's alone (made with mode 0700), checked before anything in
    it is read back: not a symlink, owned by this user, writable by nobody else (a folder of ours
    that others can only read is narrowed to 0700). Raises UnsafeFolder otherwise."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeFolder(f"{path} is not a folder of its own (a symlink?): its cache is not used")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise UnsafeFolder(f"{path} belongs to another user (uid {info.st_uid}): its cache is not used")
    if info.st_mode & 0o022:
        raise UnsafeFolder(f"{path} can be written by others (mode {info.st_mode & 0o777:o}): its cache is not used")
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def write_whole(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file of this process's, then a rename (a
    reader, or serve sending the file, sees the old bytes or the new, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_checked(path: Path, data: dict, field: str) -> None:
    """A plain JSON file holding `data` and the SHA-256 of its text `field`, written whole."""
    checked = {**data, f"{field}_sha256": hashlib.sha256(data[field].encode()).hexdigest()}
    write_whole(path, json.dumps(checked, ensure_ascii=False, indent=1).encode("utf-8"))


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


class Memo:
    """Under serve: what was made of each page, with the inputs it was made from. `made` gives
    it back while the inputs are the same; `last` whatever was made last."""

    def __init__(self):
        self.entries: dict[str, tuple] = {}

    def made(self, src: str, inputs):
        entry = self.entries.get(src)
        return entry[1] if entry and entry[0] == inputs else None

    def last(self, src: str):
        entry = self.entries.get(src)
        return entry[1] if entry else None

    def keep(self, src: str, inputs, value) -> None:
        self.entries[src] = (inputs, value)


class Store:
    """Outputs and HTML by key, in memory and, given a `folder`, on disk. `pending` maps a key
    to the pool's job that will store it (see pool.Job); `get` waits for that job."""

    def __init__(self, watched: Watched, folder: Path | None = None):
        """Raises UnsafeFolder if `folder` is not this user's alone (private_folder)."""
        self.watched, self.folder = watched, None if folder is None else private_folder(folder)
        self.memory: dict[str, Entry] = {}
        self.html: dict[str, dict] = {}
        self.pending: dict = {}  # key -> pool.Job
        self.failed: dict[str, str] = {}  # key -> the traceback of a block that failed in a worker
        self.ignored: list[str] = []  # unreadable entry files, for the log

    def _path(self, key: str, kind: str = "") -> Path:
        return self.folder / kind / key[:2] / f"{key}.json"

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
        if entry is not None and all(self.watched.fingerprint(rel) == seen for rel, seen in entry.reads.items()):
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

    def put(self, key: str, entry: Entry, *, about: dict) -> None:
        self.memory[key] = entry
        if self.folder is not None:
            write_checked(
                self._path(key), {**about, "key": key, "output": entry.output, "reads": entry.reads}, "output"
            )

    def get_html(self, key: str) -> dict | None:
        """A block's rendered HTML: {"html": ..., "conversions": ...}."""
        if key in self.html:
            return self.html[key]
        if self.folder is None or not self._path(key, "html").is_file():
            return None
        data = read_checked(self._path(key, "html"), "html")
        if data is None or not isinstance(data.get("conversions"), int):
            self.ignored.append(str(self._path(key, "html")))
            return None
        self.html[key] = rendered = {"html": data["html"], "conversions": data["conversions"]}
        return rendered

    def put_html(self, key: str, rendered: dict) -> None:
        self.html[key] = rendered
        if self.folder is not None:
            write_checked(self._path(key, "html"), rendered, "html")
