"""The MkDocs plugin `exec-cache`: markdown-exec's python blocks, run once per build (or not at
all when cached), with the sessions of every page sent to worker processes before pages render.

State lives on the plugin instance, which MkDocs keeps across the rebuilds of `mkdocs serve`
(it has `on_startup`): the worker pool, serve's store, which outputs each page last showed, and
the scan of each page. Each build gets a new `Engine`.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sys
from importlib import metadata
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from . import patches
from .engine import Engine, PagePlan, Settings
from .keys import environment
from .pool import Pool
from .reads import Watched
from .scan import included_stats, stamp
from .store import Memo

log = logging.getLogger("mkdocs.plugins.exec_cache")


class ExecCacheConfig(Config):
    modules = c.ListOfItems(c.Type(str), default=[])  # folders of the local modules blocks import
    read_dirs = c.ListOfItems(c.Type(str), default=["docs"])  # a block's reads there are watched
    preload = c.ListOfItems(c.Type(str), default=[])  # what each worker imports before its first block
    versions = c.ListOfItems(c.Type(str), default=[])  # distributions whose version is in every key
    cache = c.Type(bool, default=False)  # `mkdocs build` reads and writes cache_dir (serve always does)
    cache_dir = c.Type(str, default=".cache/exec")
    workers = c.Optional(c.Type(int))  # default: one per usable core; 0: every block runs as its page renders
    timeout = c.Type((int, float), default=120)  # seconds a block may run; past it the build fails (0: no limit)
    poll = c.Optional(c.Type(float))  # serve: seconds between looks for changes (MkDocs: 0.5)
    keep_html = c.Type(bool, default=True)  # a cached block's HTML kept too (no base_format for it)
    remember_pages = c.Type(bool, default=True)  # serve: a page whose inputs are unchanged is not scanned again


def expander(mdx_configs: dict):
    """`expand(line)`: one `--8<--` line replaced by what pymdownx.snippets includes, as on the
    page (one expansion per distinct line and build)."""
    import markdown

    snippets = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": mdx_configs.get("pymdownx.snippets", {})},
    )
    return functools.lru_cache(maxsize=None)(lambda line: "\n".join(snippets.preprocessors["snippet"].run([line])))


def render_env(config_file: str) -> str:
    """What shapes a block's HTML besides its inputs: mkdocs.yml and the renderers' versions."""
    text = Path(config_file).read_text(encoding="utf-8")
    return " ".join(
        [hashlib.sha256(text.encode()).hexdigest()]
        + [f"{d} {metadata.version(d)}" for d in ("markdown", "pymdown-extensions", "pygments", "markdown-exec")]
    )


class ExecCachePlugin(BasePlugin[ExecCacheConfig]):
    def __init__(self):
        self.command = "build"
        self.pool: Pool | None = None
        self.engine: Engine | None = None
        self.serve_store = None
        self.shown: dict[str, list[str] | None] = {}  # page -> keys of the blocks it last showed
        self.scans = Memo()  # page -> (blocks, keys), for serve
        self.code: dict[str, int] | None = None  # the plugins' own modules when serve started
        self.again: set[str] = set()  # pages a site plugin says must render again (serve --dirty)

    @property
    def caching(self) -> bool:
        """Whether outputs are kept in cache_dir: always under serve, on a build when `cache`."""
        return self.command == "serve" or self.config.cache

    def on_startup(self, *, command, dirty):
        self.command = command
        if command == "serve" and self.config.poll is not None:  # before serve makes its server
            patches.poll_every(self.config.poll)

    def on_config(self, config):
        if "pymdownx.superfences" not in config.markdown_extensions:
            raise PluginError("exec-cache needs the pymdownx.superfences Markdown extension")
        self.root = Path(config.config_file_path).parent
        self.config_file = config.config_file_path
        workers = self.config.workers  # unset: one per core, none for a cached build (its few
        if workers is None:  # misses run sooner than workers start)
            workers = 0 if self.command != "serve" and self.config.cache else len(os.sched_getaffinity(0))
        if self.pool is None:
            self.pool = Pool(workers, list(self.config.preload))
        self.pool.start()  # the preload's import overlaps the rest of MkDocs' start-up
        fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
        from markdown_exec import validator

        fences.append({"name": "python", "class": "python", "validator": validator, "format": self._format})
        self._check_code(config)
        return config

    def _format(self, *args, **kwargs):
        """The fence's formatter: this build's engine's."""
        return self.engine.formatter(*args, **kwargs)

    def _check_code(self, config) -> None:
        """Under serve, say when a plugin's own module changed: MkDocs imports a plugin once per
        process, so its edit takes effect only after a restart (modules that blocks import are
        read anew at every rebuild)."""
        files = {}
        for plugin in config.plugins.values():
            module = sys.modules.get(type(plugin).__module__)
            folder = Path(getattr(module, "__file__", None) or "/").parent
            if folder.is_relative_to(self.root):
                files.update({str(p): stamp(p) for p in folder.glob("*.py")})
        if self.code is None or self.command != "serve":
            self.code = files
            return
        changed = sorted(p for p, t in files.items() if self.code.get(p) != t and not self._imported_by_blocks(Path(p)))
        if changed:
            names = ", ".join(str(Path(p).relative_to(self.root)) for p in changed)
            log.warning(
                f"{names} changed since `mkdocs serve` started; a plugin's code is loaded once "
                "per process: restart `mkdocs serve` to run the new code"
            )
            self.code.update({p: files[p] for p in changed})

    def _imported_by_blocks(self, path: Path) -> bool:
        return self.engine is not None and path in self.engine.modules.files()

    def settings(self) -> Settings:
        dirs = tuple(self.root / d for d in self.config.read_dirs)
        watched = Watched(self.root, dirs, tuple(self.root / d for d in self.config.modules))
        return Settings(
            watched,
            environment(("markdown-exec", *self.config.versions)),
            render_env(self.config_file) if self.config.keep_html else "",
            self.config.timeout or None,
        )

    def on_pre_build(self, config):
        settings = self.settings()
        if self.command == "serve":
            if self.serve_store is None:
                self.serve_store = self._store(settings)
            store = self.serve_store
        else:
            store = self._store(settings)
        # every build starts with no session variables: serve cannot hide a broken snippet
        self.engine = Engine(settings, store, self.pool, self.shown)
        self.modules = None  # (path, mtime, size) of the local modules, for plan_page
        self.expand = expander(config.mdx_configs)
        self.again = set()

    def _store(self, settings: Settings):
        """The outputs: in memory, and in cache_dir if caching and the folder is this user's alone."""
        from .store import Store, UnsafeFolder

        try:
            return Store(settings.watched, self.root / self.config.cache_dir if self.caching else None)
        except UnsafeFolder as error:
            log.warning(f"exec-cache: {error}")
            return Store(settings.watched)

    def render_again(self, src: str) -> None:
        """Have `mkdocs serve --dirty` render the page `src` in this build though its source file
        is unchanged (a site plugin whose conversion of it changed; exec-cache does so for a page
        whose blocks changed)."""
        self.again.add(src)

    def plan_page(self, src: str, text: str) -> PagePlan:
        """Plan a page whose Markdown, as its fences will see it, is `text` (a site plugin that
        rewrites pages calls this in its on_files; others are planned from their source)."""
        inputs = self._inputs(text)
        known = self.scans.made(src, inputs) if self.config.remember_pages else None
        if known:  # serve: an unchanged page is not scanned again
            return self.engine.plan_page(src, text, self.expand, *known)
        try:
            plan = self.engine.plan_page(src, text, self.expand)
        except Exception as error:  # e.g. a missing --8<-- file: say which page includes it
            raise PluginError(f"{src}: {error}") from None
        self.scans.keep(src, inputs, (plan.blocks, plan.keys))
        return plan

    def _inputs(self, text: str) -> tuple:
        if self.modules is None:  # once per build
            self.modules = tuple(
                (str(p), *stamp(p))
                for root in self.engine.settings.watched.module_roots
                for p in sorted(root.rglob("*.py"))
            )
        return text, included_stats(self.root, text), self.modules, self.engine.settings.env

    @event_priority(-50)  # after a site plugin that plans its pages from rewritten Markdown
    def on_files(self, files, config):
        for file in files.documentation_pages():
            src = file.src_uri
            if src.endswith(".md") and src not in self.engine.plans:
                self.plan_page(src, Path(file.abs_src_path).read_text(encoding="utf-8"))
            plan = self.engine.plans.get(src)
            if self.command == "serve" and (src in self.again or (plan and plan.changed)):
                patches.mark_modified(file)  # --dirty would skip it: its source file is unchanged
        return files

    def on_page_markdown(self, markdown, page, config, files):
        self.engine.begin_page(page.file.src_uri)
        return markdown

    def on_post_build(self, config):
        errors = self.engine.background_errors()
        if errors:
            raise PluginError("; ".join(errors))
        log.info(self.engine.summary())
        for path in self.engine.store.ignored:
            log.info(f"ignored an unreadable cache entry (it was re-executed): {path}")

    def on_shutdown(self):  # after `mkdocs build` too, whether it failed or not
        if self.pool is not None:
            self.pool.shutdown()


def engine_plugin(config) -> ExecCachePlugin:
    """The exec-cache plugin of this MkDocs config (for a site plugin that plans its pages)."""
    plugin = config.plugins.get("exec-cache")
    if plugin is None:
        raise PluginError("this plugin needs the exec-cache plugin listed in mkdocs.yml")
    return plugin
