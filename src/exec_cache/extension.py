"""`ExecCacheExtension`: the engine as a plain Python-Markdown extension, without MkDocs.

It registers pymdownx.superfences with markdown-exec's python fence run by an `Engine`, so the
cache works under any tool that runs Markdown extensions (blocks run as their page renders: the
workers need the MkDocs plugin's events). Do not list pymdownx.superfences beside it; pass other
custom fences as `custom_fences`.

    md = markdown.Markdown(extensions=[ExecCacheExtension(root=".", cache_dir=".cache/exec")])
"""

from __future__ import annotations

from pathlib import Path

from markdown import Extension

from .engine import Engine, Settings
from .keys import environment
from .reads import Watched
from .store import Store


class ExecCacheExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "root": [".", "the project folder; the others are relative to it"],
            "modules": [[], "folders of the local modules blocks import (their source is in the key)"],
            "read_dirs": [["docs"], "folders whose files a block may read (an edit is a miss)"],
            "versions": [[], "distributions whose version is in every key"],
            "cache_dir": ["", "where entries are kept as JSON files; empty: in memory only"],
            "custom_fences": [[], "other pymdownx.superfences custom fences"],
            "timeout": [120, "seconds a block may run; past it, it fails (0: no limit)"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        from markdown_exec import validator

        get = self.getConfig
        root = Path(get("root")).resolve()
        watched = Watched(root, tuple(root / d for d in get("read_dirs")), tuple(root / d for d in get("modules")))
        settings = Settings(watched, environment(("markdown-exec", *get("versions"))), timeout=get("timeout") or None)
        self.engine = Engine(settings, Store(watched, root / get("cache_dir") if get("cache_dir") else None))
        fence = {"name": "python", "class": "python", "validator": validator, "format": self.engine.formatter}
        md.registerExtensions(
            ["pymdownx.superfences"], {"pymdownx.superfences": {"custom_fences": [*get("custom_fences"), fence]}}
        )


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's name
    return ExecCacheExtension(**kwargs)
