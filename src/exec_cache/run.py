"""Running blocks: one block in a namespace (as markdown-exec does), or a whole session in a
worker, which also lays out each block's HTML with markdown-exec's public `base_format`.

markdown-exec converts each block's source and output with a Markdown instance of its own
(~10 ms a block, in the one process that renders pages). A worker that has just run the block
makes the same HTML and returns it, keyed like a cached block's HTML (engine.Engine.html_key),
so the formatter finds it as it finds a cached one.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import io
import linecache
import os
import re
import sys
import traceback
from pathlib import Path
from types import ModuleType

from .reads import Watched, recording


class BlockError(Exception):
    """A block raised; `.trace` is its traceback with the block's own lines shown."""

    def __init__(self, title: str, trace: str):
        super().__init__(f"{title}: {trace.strip().splitlines()[-1]}")
        self.title, self.trace = title, trace


def run_code(code: str, namespace: dict, name: str, watched: Watched) -> tuple[str, dict[str, str]]:
    """Execute `code` in `namespace` as markdown-exec does (its `print` goes to the output).

    Returns the output and the watched files the block read, with their fingerprints."""
    buffer = io.StringIO()
    module = re.sub(r"[^a-zA-Z\d]+", "_", f"exec_{name}")
    namespace["__name__"] = module  # classes defined here get a real __module__
    sys.modules.setdefault(module, ModuleType(module))
    namespace["print"] = functools.partial(builtins.print, file=buffer)
    filename = f"<code block: {name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    with recording(watched) as reads:
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(code, filename, "exec"), namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001 - any error of the reader's code is reported
            raise BlockError(name, "".join(traceback.format_exception(error))) from None
    return buffer.getvalue(), dict(sorted(reads.items()))


def forget_modules(roots: tuple[Path, ...]) -> None:
    """Drop the modules loaded from `roots` (but this package) from sys.modules: a worker kept
    across rebuilds must import today's source."""
    folders = tuple(str(r) + os.sep for r in roots)
    for name in [n for n, m in sys.modules.items() if not n.startswith(__package__)
                 and (getattr(m, "__file__", None) or "").startswith(folders)]:
        del sys.modules[name]


def cacheable_html(html: str) -> bool:
    """A block's HTML depends on its inputs only: a heading would go into the page's TOC, and
    an `exec-N--` id numbers blocks across the build."""
    return "<h" not in html and 'id="exec-' not in html


def render_block(code: str, output: str, options: dict, md) -> dict | None:
    """markdown-exec's HTML of a block that printed `output`, and how many Markdown conversions
    it counted; None where the HTML is not cacheable."""
    from markdown_exec import MarkdownConverter, base_format

    before = MarkdownConverter.counter
    html = str(base_format(language="python", run=lambda *args, **kwargs: output, code=code, md=md,
                           **options))
    return ({"html": html, "conversions": MarkdownConverter.counter - before}
            if cacheable_html(html) else None)


def fence_options(attrs: dict) -> dict:
    """What markdown-exec's validator makes of a fence line's attributes: the formatter's
    options. A wrong guess costs nothing but speed: its key differs, and the page renders it."""
    from markdown_exec import validator

    options: dict = {}
    validator("python", dict(attrs), options, {}, None)
    return options


def _engine_fence(value) -> bool:
    return isinstance(value, dict) and getattr(value.get("format"), "engine_fence", False)


def portable_markdown_config() -> tuple[list, dict]:
    """markdown-exec's Markdown configuration (mkdocs.yml's extensions), made picklable: less
    the fence of a build's engine (a worker lays out outputs, which hold no python exec block)."""
    from markdown_exec import markdown_config

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value if not _engine_fence(v)]
        return os.fspath(value) if isinstance(value, os.PathLike) else value

    return list(markdown_config.exts or []), plain(dict(markdown_config.exts_config or {}))


def run_session(name: str, codes: list[str], watched: Watched,
                render: tuple | None = None) -> list[tuple | None]:
    """In a worker: run one session's blocks in order; None for a block that raised and after
    (the page runs it again and reports it). With `render` (markdown-exec's Markdown
    configuration and each block's fence options), also make each block's HTML here."""
    forget_modules(watched.module_roots)
    md = None
    if render is not None:
        from markdown import Markdown
        from markdown_exec import markdown_config

        markdown_config.save(render[0], render[1])
        md = Markdown()  # markdown-exec renders with mkdocs.yml's extensions, not this instance's
    namespace: dict = {}
    results: list[tuple | None] = []
    for n, code in enumerate(codes):
        try:
            output, reads = run_code(code, namespace, f"{name}#{n + 1}", watched)
        except BlockError:
            results += [None] * (len(codes) - n)
            break
        rendered = None
        if md is not None:
            try:
                rendered = render_block(code, output, render[2][n], md)
            except Exception:  # noqa: BLE001 - the page renders it, and reports what is wrong
                rendered = None
        results.append((output, reads, rendered))
    return results
