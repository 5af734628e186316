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
from dataclasses import dataclass, field
from pathlib import Path

from .reads import Watched


@dataclass
class Entry:
    output: str
    reads: dict[str, str] = field(default_factory=dict)


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


class Store:
    """Outputs and HTML by key, in memory and, given a `folder`, on disk. `pending` maps a key
    to the pool's job that will store it (see pool.Job); `get` waits for that job."""

    def __init__(self, watched: Watched, folder: Path | None = None):
        self.watched, self.folder = watched, folder
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
