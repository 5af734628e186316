"""Worker processes that run sessions ahead of rendering, and whatever else a site sends them.

Workers are forks of one forkserver that imported the configured preload (torch, say) once;
under `mkdocs serve` the pool lives across rebuilds, so a snippet edit pays no import.

Failures are said once, in the log: a pool that fails to start leaves every block to the pages
that show them; a worker that dies is replaced and its sessions sent again, once (then the
pages run them); a block that ran out of time ends its worker's pool (the next job gets a new
one), so no process it left behind lingers.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from .run import run_session
from .store import Entry, Store

PARENT = "EXEC_CACHE_PARENT"  # in the environment of every process a pool starts
log = logging.getLogger("mkdocs.plugins.exec_cache")


def _exit_with_parent(parent: int) -> None:
    """Exit when the parent process is gone: a `mkdocs serve` ended by a signal runs no
    clean-up, and its forkserver and workers (each with the preload loaded) must not linger."""
    import time

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _worker_start(cwd: str, preload: list[str]) -> None:
    """Each worker runs in the project and has the preload imported (by the forkserver, or here)."""
    _exit_with_parent(os.getppid())
    os.chdir(cwd)
    for name in preload:
        __import__(name)


def _ready() -> None:
    """A job that only makes the pool start a process."""


class Job:
    """One session sent to a worker; `collect` waits for it and stores what it printed."""

    def __init__(self, store: Store, keys: list[str], about: list[dict], name: str):
        self.store, self.keys, self.about, self.name = store, keys, about, name
        self.future: Future = Future()  # the worker's results, once it has run the session
        self.lock, self.done = threading.Lock(), False
        self.tries = 0

    def collect(self) -> None:
        with self.lock:
            if self.done:
                return
            self.done = True
            try:
                results = self.future.result()
            except Exception:  # noqa: BLE001 - said by the pool; rendering runs the blocks itself
                return
            for key, about, result in zip(self.keys, self.about, results):
                if result[0] == "ok":
                    self.store.put(key, Entry(*result[1:]), about=about)
                else:
                    self.store.failed[key] = result[1]


class Pool:
    """`workers` processes that import `preload` once (0: none, every block runs while its
    page renders), started in the background so that import overlaps the rest of start-up."""

    def __init__(self, workers: int, preload: list[str]):
        self.workers, self.preload = workers, preload
        self.pool: ProcessPoolExecutor | None = None
        self.starting: threading.Thread | None = None
        self.lock = threading.Lock()
        self.ready = False  # the pool is up (or failed to start)
        self.queue: list[tuple[Job, tuple]] = []  # jobs submitted before it was up

    def start(self) -> None:
        if self.starting is None and self.workers > 0:
            self.starting = threading.Thread(target=self._start, daemon=True)
            self.starting.start()

    def _start(self) -> None:
        pool = None
        try:
            # forkserver: one process imports the preload once, and every worker is a fork of it
            # (no fork of this process, which has threads)
            os.environ[PARENT] = str(os.getpid())
            context = get_context("forkserver")
            context.set_forkserver_preload([f"{__package__}.forkserver", *self.preload])
            pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_worker_start, initargs=(str(Path.cwd()), self.preload)
            )
            for _ in range(self.workers):  # the first one starts the forkserver
                pool.submit(_ready)
        except Exception as error:  # noqa: BLE001 - said once; every block then runs as its page renders
            log.warning(f"exec-cache: the worker pool did not start ({error}); blocks run as their pages render")
            pool = None
        finally:  # a pool that failed to start leaves every block to the rendering
            with self.lock:
                self.pool, self.ready = pool, True
                for job, args in self.queue:
                    self._send(job, args)
                self.queue.clear()

    def submit(self, job: Job, *args) -> bool:
        """Send run_session(*args) for `job`; False if there are no workers (run it here)."""
        self.start()
        if self.starting is None:
            return False
        with self.lock:
            if self.ready:
                self._send(job, args)
            else:
                self.queue.append((job, args))
        return True

    def call(self, fn, *args) -> Future | None:
        """Run fn(*args) in a worker if the pool is up; None if not (run it here)."""
        with self.lock:
            if not self.ready or self.pool is None:
                return None
            try:
                return self.pool.submit(fn, *args)
            except BrokenProcessPool:
                self.pool = None
                return None

    def _send(self, job: Job, args: tuple) -> None:
        job.tries += 1
        try:
            if self.pool is None:
                raise BrokenProcessPool("no worker pool")
            sent, pool = self.pool.submit(run_session, *args), self.pool
        except (BrokenProcessPool, RuntimeError) as error:  # rendering runs the blocks
            job.future.set_exception(error)
            return

        def copy(done: Future) -> None:
            error = done.exception()
            if isinstance(error, BrokenProcessPool):
                self._replace(pool, f"a worker died ({job.name} was among the sessions in flight)")
                if job.tries < 2:
                    with self.lock:
                        return self._send(job, args)
                why = "its worker died twice while running it (killed, out of memory, or stuck in C code)"
                return job.future.set_result([("error", f"{job.name}: {why}\n")] * len(job.keys))
            if error is not None:
                return job.future.set_exception(error)
            if any(result[0] == "timeout" for result in done.result()):
                self._replace(pool, None)  # the timed-out block's worker goes, with anything it started
            job.future.set_result(done.result())

        sent.add_done_callback(copy)

    def _replace(self, broken: ProcessPoolExecutor, why: str | None) -> None:
        """A new executor for the next jobs, once per broken one (its workers are ended)."""
        with self.lock:
            if self.pool is not broken:
                return  # replaced already
            if why:
                log.warning(f"exec-cache: {why}; the worker pool is replaced and its sessions are sent again")
            context = get_context("forkserver")
            self.pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_worker_start, initargs=(str(Path.cwd()), self.preload)
            )
        broken.shutdown(wait=False, cancel_futures=False)

    def shutdown(self) -> None:
        if self.starting is not None:
            self.starting.join()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self.starting = None
        self.ready = False
