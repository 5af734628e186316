"""Each of the engine's patches of MkDocs internals still does what it says (exec_cache/patches.py)."""
from __future__ import annotations

from exec_cache import patches
from helpers import free_port


def test_serve_polls_every_tenth_second(tmp_path):
    from mkdocs.livereload import LiveReloadServer

    patches.poll_every(0.1)
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=free_port(), root=str(tmp_path))
    assert server.observer.timeout == 0.1


def test_a_marked_file_counts_as_modified_for_dirty_builds(tmp_path):
    """mkdocs serve --dirty skips a page whose source is older than its output: a marked one is not skipped."""
    from mkdocs.structure.files import File

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/a.md").write_text("# A", encoding="utf-8")
    file = File("a.md", str(tmp_path / "docs"), str(tmp_path / "site"), use_directory_urls=True)
    dest = tmp_path / "site/a/index.html"
    dest.parent.mkdir(parents=True)
    dest.write_text("old", encoding="utf-8")  # newer than its source
    assert not file.is_modified()
    patches.mark_modified(file)
    assert file.is_modified()


def test_markdown_exec_counts_conversions_in_the_counter_the_engine_adds_to():
    import markdown
    from markdown_exec import MarkdownConverter

    before = patches.conversions()
    MarkdownConverter(markdown.Markdown()).convert("# 标题")
    assert patches.conversions() == before + 1
    patches.count_conversions(2)
    assert patches.conversions() == before + 3
