"""Every reach of the engine into another package's internals, each with a one-line reason and
a test that fails when upstream changes what it relies on (tests/exec_cache/test_patches.py).
Nothing else in the package touches a private API."""

from __future__ import annotations


def poll_every(seconds: float) -> None:
    """`mkdocs serve` polls for changes every 0.5 s and has no option for it: a shorter interval
    saves ~0.2 s a reload. LiveReloadServer is MkDocs-internal."""
    from mkdocs.livereload import LiveReloadServer

    init = LiveReloadServer.__init__
    if getattr(init, "polls_every", None) == seconds:
        return

    def polls_faster(self, *args, polling_interval=seconds, **kwargs):
        init(self, *args, polling_interval=polling_interval, **kwargs)

    polls_faster.polls_every = seconds
    LiveReloadServer.__init__ = polls_faster


def mark_modified(file) -> None:
    """`mkdocs serve --dirty` renders a page only if its source file changed; a page whose
    blocks changed (an included snippet was edited) must render too. MkDocs asks `is_modified()`."""
    file.is_modified = lambda: True


def count_conversions(n: int) -> None:
    """markdown-exec numbers the Markdown conversions of a build ("exec-N--" ids of headings in
    outputs) with a class attribute: a block whose stored HTML is used counts its conversions
    as if it had been converted, so the blocks after it get the same ids."""
    from markdown_exec import MarkdownConverter

    MarkdownConverter.counter += n


def conversions() -> int:
    """markdown-exec's count of conversions so far (see count_conversions)."""
    from markdown_exec import MarkdownConverter

    return MarkdownConverter.counter
