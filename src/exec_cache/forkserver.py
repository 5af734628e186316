"""Preloaded by the worker pool's forkserver, and imported by nothing else: this import is how
the forkserver learns what it is (no reading of multiprocessing's argv). It loads the pool's
code once for every worker, and exits when the MkDocs that started it is gone (a `mkdocs
serve` ended by a signal runs no clean-up)."""

from __future__ import annotations

import os

from .pool import PARENT, _exit_with_parent

_exit_with_parent(int(os.environ.get(PARENT) or os.getppid()))
