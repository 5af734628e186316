"""MkDocs hooks: the only build glue of this site (registered in mkdocs.yml).

- make page_helpers importable from the pages' hidden markdown-exec blocks.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

HOOKS_DIR = Path(__file__).resolve().parent


def on_config(config):
    # markdown-exec runs blocks in this process; let them `import page_helpers`.
    if str(HOOKS_DIR) not in sys.path:
        sys.path.insert(0, str(HOOKS_DIR))
    # `make serve` keeps the process alive: pick up edits to the helpers.
    if "page_helpers" in sys.modules:
        importlib.reload(sys.modules["page_helpers"])
    return config
