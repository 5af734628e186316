"""MkDocs hooks: the only build glue of this site (registered in mkdocs.yml).

- make page_helpers importable from the pages' hidden markdown-exec blocks;
- give every markdown-exec session its own torch RNG stream and a clean start
  on every build (markdown-exec has no option for either; see the functions).
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from markdown_exec._internal.formatters import python as _exec_python

HOOKS_DIR = Path(__file__).resolve().parent

# -- one RNG stream per session -------------------------------------------------
# All sessions of a page run in this one process and share torch's global RNG.
# A file shown in parts (builtin_init.py) with another file's block between its
# parts would otherwise draw different random numbers than when run on its own.
_rng_by_session: dict[str | None, object] = {}
_run_block = getattr(_exec_python, "_run_python")  # fail loudly if markdown-exec changes


def _run_block_with_own_rng(code, returncode=None, session=None, id=None, **extra):  # noqa: A002
    torch = sys.modules.get("torch")
    if torch is not None and session in _rng_by_session:
        torch.random.set_rng_state(_rng_by_session[session])
    try:
        return _run_block(code, returncode=returncode, session=session, id=id, **extra)
    finally:
        torch = sys.modules.get("torch")
        if torch is not None:
            _rng_by_session[session] = torch.random.get_rng_state()


_exec_python._run_python = _run_block_with_own_rng


def on_config(config):
    # markdown-exec runs blocks in this process; let them `import page_helpers`.
    if str(HOOKS_DIR) not in sys.path:
        sys.path.insert(0, str(HOOKS_DIR))
    # `make serve` keeps the process alive: pick up edits to the helpers.
    if "page_helpers" in sys.modules:
        importlib.reload(sys.modules["page_helpers"])
    return config


def on_pre_build(config):
    # `mkdocs serve` keeps session globals between rebuilds, which can hide a
    # snippet that no longer defines what a later block uses. Start clean.
    _exec_python._sessions_globals.clear()
    _rng_by_session.clear()
