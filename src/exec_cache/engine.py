"""One build's execution state: which blocks each page has, their keys and outputs, and the
superfences fence formatter that hands markdown-exec's `base_format` a `run` of ours.

- **A hit** returns the stored output, or the stored HTML when the block's fence options and
  the renderers are the same. The session's variables are then not in memory: the first miss
  later in the session first replays the earlier blocks, silently, so a block that reads
  `globals()` always sees the values the page shows.
- **A miss** runs the block here, or was sent ahead to a worker by `plan_page`.
- **A failing block** raises markdown-exec's ExecutionError with its traceback (a worker's, or
  its own run's), named as the block that raised, and is not stored.
- **Every run** goes through run.run_code, with the block's own `workdir` and `width` and the
  time limit: the page's process, a worker and a replay print the same.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field

from . import patches
from .keys import KeyChain, Modules
from .pool import Job, Pool
from .reads import Watched
from .run import BlockError, block_name, cacheable_html, run_code
from .scan import Block, exec_blocks, execution_options, sessions
from .store import Entry, Store


@dataclass(frozen=True)
class Settings:
    """What an engine needs to know of the project (from the plugin's or extension's config)."""

    watched: Watched
    env: str  # environment(): versions in every key
    # what else shapes a block's HTML (the Markdown config, versions); "": unknown, so a
    # block's HTML is not cached (the Markdown extension cannot tell)
    render_env: str = ""
    timeout: float | None = None  # seconds a block may run (None: no limit)


@dataclass
class PagePlan:
    blocks: list[Block]
    keys: list[str]
    changed: bool = True  # shows other outputs than it did when it was last rendered


@dataclass
class _Session:
    keys: KeyChain
    codes: list[str] = field(default_factory=list)
    options: list[dict] = field(default_factory=list)  # each block's execution options
    titles: list[str] = field(default_factory=list)
    run: int = 0  # how many of its blocks have run in this process
    namespace: dict = field(default_factory=dict)


class Engine:
    """The state of one build. `shown` (page -> keys of the blocks it last showed) outlives
    the build: a plugin keeps it across `mkdocs serve` rebuilds."""

    def __init__(self, settings: Settings, store: Store, pool: Pool | None = None, shown: dict | None = None):
        self.settings, self.store, self.pool = settings, store, pool
        self.modules = Modules(list(settings.watched.module_roots))
        self.modules.importable()
        self._forgotten = False  # the local modules an earlier build imported in this process
        self.shown = {} if shown is None else shown
        self.page = ""  # the page being rendered
        self.plans: dict[str, PagePlan] = {}
        self._sessions: dict[tuple[str, str], _Session] = {}
        self.executed = 0  # blocks run while rendering (not by a worker), for the log and tests
        self.fresh: set[str] = set()  # keys sent to the workers in this build
        self.blocks = self.html_ready = 0  # blocks formatted, and of those, whose HTML was ready
        self._threads: list[threading.Thread] = []  # when_run's callbacks
        self._errors: list[str] = []  # what they raised

    # -- before the pages render --------------------------------------------------------

    def keys(self, blocks: list[Block]) -> list[str]:
        """Each block's key; a block with no session is a session of its own."""
        keys = [""] * len(blocks)
        for members in sessions(blocks).values():
            chain = KeyChain(self.settings.env, self.modules)
            for n in members:
                keys[n] = chain.add(blocks[n].code, blocks[n].options)
        return keys

    def plan_page(
        self, src: str, text: str, expand, blocks: list[Block] | None = None, keys: list[str] | None = None
    ) -> PagePlan:
        """Find the page's blocks (unless given, with their keys) and send each session with a
        block not in the store to the workers. `text` is the Markdown as the fences will see it."""
        if blocks is None:
            blocks = exec_blocks(text, expand)
            keys = self.keys(blocks)
        for members in sessions(blocks).values():
            chain = [keys[n] for n in members]
            if all(self.store.has(key) for key in chain):  # pending elsewhere counts as had
                continue
            self.fresh.update(chain)
            if self.pool is None:
                continue
            for key in chain:
                self.store.failed.pop(key, None)
            session = blocks[members[0]].session or None
            about = [self._about(src, session, blocks[n].title, blocks[n].code) for n in members]
            runs = [
                (block_name(src, session, i + 1, blocks[n].title), blocks[n].code, blocks[n].options)
                for i, n in enumerate(members)
            ]
            job = Job(self.store, chain, about, runs[0][0])
            if self.pool.submit(job, runs, self.settings.watched, self.settings.timeout):
                for key in chain:
                    self.store.pending[key] = job
        plan = PagePlan(blocks, keys, changed=self.shown.get(src) != keys)
        self.plans[src] = plan
        return plan

    def output(self, key: str) -> str | None:
        """A block's output if it is stored and current (waits for a worker that runs it)."""
        entry = self.store.get(key)
        return entry.output if entry else None

    def when_run(self, keys: list[str], callback) -> None:
        """Call `callback()` in a thread of its own once every worker job that runs one of
        `keys` is done (at once if none is pending). What it raises fails the build
        (`background_errors`)."""
        jobs = {id(j): j for j in (self.store.pending.get(k) for k in keys) if j is not None}
        left, lock = [len(jobs)], threading.Lock()

        def guarded():
            try:
                callback()
            except Exception as error:  # noqa: BLE001 - said at the end of the build
                self._errors.append(f"{type(error).__name__}: {error}")

        def start():
            thread = threading.Thread(target=guarded, daemon=True)
            self._threads.append(thread)
            thread.start()

        def one_done(_future):
            with lock:
                left[0] -= 1
                if left[0]:
                    return
            start()

        if not jobs:
            start()
        for job in jobs.values():
            job.future.add_done_callback(one_done)

    def background_errors(self) -> list[str]:
        """Wait for when_run's callbacks; what they raised."""
        for thread in list(self._threads):
            thread.join()
        return self._errors

    def call(self, fn, *args):
        """Run a picklable fn(*args) in a worker process: a Future, or None (run it here)."""
        return self.pool.call(fn, *args) if self.pool is not None else None

    # -- while the pages render -------------------------------------------------------------

    def begin_page(self, src: str) -> None:
        self.page = src
        self.shown[src] = self.plans[src].keys if src in self.plans else None

    def html_key(self, key: str, options: dict) -> str:
        about = json.dumps(options, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(f"{key}\0{about}\0{self.settings.render_env}".encode()).hexdigest()

    def formatter(self, source, language, css_class, options, md, **kwargs):
        """pymdownx.superfences custom fence: markdown-exec's rendering, our execution."""
        from markdown_exec import base_format
        from markupsafe import Markup

        session_name = options.get("session")
        fresh = _Session(KeyChain(self.settings.env, self.modules))
        state = self._sessions.setdefault((self.page, session_name), fresh) if session_name else fresh
        run_options = execution_options(options)
        state.codes.append(source)
        state.options.append(run_options)
        state.titles.append(options.get("extra", {}).get("title", ""))
        key = state.keys.add(source, run_options)
        self.blocks += 1
        keep = bool(self.settings.render_env)
        cached = self.store.get_html(self.html_key(key, options)) if keep and self.store.get(key) else None
        if cached is not None:
            self.html_ready += 1
            # markdown-exec numbers its conversions across the build ("exec-N--" ids of
            # headings in outputs): count this block's, as if it had been converted
            patches.count_conversions(cached["conversions"])
            return Markup(cached["html"])  # noqa: S704 - what base_format made of the same inputs

        def run(code, returncode=None, session=None, id=None, **extra):  # noqa: A002, ARG001
            return self._run(state, key, code, session)

        before = patches.conversions()
        # the block's workdir and width are applied by run_code, around this block alone
        rest = {k: v for k, v in options.items() if k not in run_options}
        html = base_format(language="python", run=run, code=source, md=md, **rest)
        if keep and self.store.get(key) is not None and cacheable_html(str(html)):
            self.store.put_html(
                self.html_key(key, options), {"html": str(html), "conversions": patches.conversions() - before}
            )
        return html

    def _run(self, state: _Session, key: str, code: str, session: str | None) -> str:
        from markdown_exec import ExecutionError, code_block

        entry = self.store.get(key)
        if entry is not None:
            return entry.output
        number = len(state.codes)
        names = [block_name(self.page, session, n + 1, state.titles[n]) for n in range(number)]
        settings = self.settings
        if not self._forgotten:  # blocks run here import today's local modules (serve keeps the process)
            self.modules.forget()
            self._forgotten = True
        if key in self.store.failed:  # a worker ran it: its error, not a second run
            self.shown[self.page] = None
            raise ExecutionError(code_block("python", self.store.failed[key]))
        try:
            while state.run < number - 1:  # replay the blocks that were hits, each as itself
                n = state.run
                run_code(
                    state.codes[n], state.namespace, names[n], settings.watched, state.options[n], settings.timeout
                )
                state.run += 1
            output, reads = run_code(
                code, state.namespace, names[-1], settings.watched, state.options[-1], settings.timeout
            )
        except BlockError as error:
            self.shown[self.page] = None  # so the next rebuild renders this page again
            raise ExecutionError(code_block("python", error.trace)) from None
        finally:
            self.executed += 1
        state.run += 1
        self.store.put(key, Entry(output, reads), about=self._about(self.page, session, state.titles[-1], code))
        return output

    def _about(self, page: str, session: str | None, title: str, code: str) -> dict:
        """What an entry file says of its block besides the output, for a reader of .cache/."""
        return {"page": page, "session": session, "title": title, "code": code, "environment": self.settings.env}

    def summary(self) -> str:
        workers = self.pool.workers if self.pool else 0
        return (
            f"python blocks: {len(self.fresh)} new, run by {workers} workers; {self.executed} "
            f"run while rendering; HTML from the cache: {self.html_ready} of {self.blocks}"
        )
