"""The engine as a plain Python-Markdown extension: the cache works without MkDocs events."""
from __future__ import annotations

import json

import markdown
import pytest
import tiny_project as tiny

from exec_cache.extension import ExecCacheExtension


@pytest.fixture
def project(tmp_path):
    return tiny.make(tmp_path / "tiny")


def render(project, monkeypatch, cache=True, highlight=None):
    """The tiny index page through Markdown alone; the engine that ran it."""
    monkeypatch.chdir(project)
    ext = ExecCacheExtension(root=str(project), modules=["lib"], read_dirs=["docs", "snippets"],
                             cache_dir=".cache/exec" if cache else "")
    md = markdown.Markdown(extensions=[ext, "pymdownx.snippets", "pymdownx.highlight"],
                           extension_configs={"pymdownx.snippets": {"base_path": [str(project)], "check_paths": True},
                                              "pymdownx.highlight": highlight or {}})
    html = md.convert((project / "docs/index.md").read_text(encoding="utf-8"))
    return html, ext.engine


def test_a_second_render_executes_nothing_and_shows_the_same(project, monkeypatch):
    first, engine = render(project, monkeypatch)
    assert engine.executed == 4 and "w = 0.8444" in first
    second, engine = render(project, monkeypatch)
    assert engine.executed == 0 and second == first


def test_another_markdown_config_lays_the_outputs_out_anew(project, monkeypatch):
    """The extension cannot see the rest of the Markdown config, so it keeps outputs, not HTML:
    a cached block is laid out as the current config says (here, with line numbers)."""
    first, _ = render(project, monkeypatch)
    second, engine = render(project, monkeypatch, highlight={"linenums": True})
    assert engine.executed == 0 and "w = 0.8444" in second
    assert "linenos" in second and "linenos" not in first
    assert not (project / ".cache/exec/html").exists()


def test_a_changed_hidden_setup_changes_every_later_output(project, monkeypatch):
    first, _ = render(project, monkeypatch)
    tiny.edit(project / "snippets/seeded.py", "random.seed(0)", "random.seed(1)")
    second, engine = render(project, monkeypatch)
    assert "w = 0.1344" in second and "w = 0.8444" not in second
    assert "w = 0.134" in second  # the figure block reads the session's globals: new values too
    assert engine.executed == 3  # the data block's session did not change


def test_a_changed_local_module_two_imports_away_changes_the_figure(project, monkeypatch):
    render(project, monkeypatch)
    tiny.edit(project / "lib/tinyfmt.py", "{value:.3f}", "{value:.1f}")
    html, engine = render(project, monkeypatch)
    assert '<p id="fig">w = 0.8</p>' in html
    # the blocks before it were hits (its miss replayed them silently, for the session's values)
    assert engine.executed == 1


def test_a_changed_read_file_is_a_miss(project, monkeypatch):
    render(project, monkeypatch)
    (project / "docs/data.txt").write_text("second\n", encoding="utf-8")
    html, engine = render(project, monkeypatch)
    assert '<p id="data">second</p>' in html and engine.executed == 1


@pytest.mark.parametrize("damage", ["truncated", "output edited"])
def test_a_corrupt_entry_is_executed_again(project, monkeypatch, damage):
    first, _ = render(project, monkeypatch)
    for path in (project / ".cache/exec").rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        path.write_text(text[: len(text) // 2] if damage == "truncated"
                        else json.dumps({**data, "output": data.get("output", "") + "STALE"}), encoding="utf-8")
    second, engine = render(project, monkeypatch)
    assert second == first and "STALE" not in second
    assert engine.executed == 4 and engine.store.ignored


def test_a_failing_block_is_shown_and_never_stored(project, monkeypatch):
    render(project, monkeypatch)
    tiny.edit(project / "snippets/seeded.py", 'print(f"w = {w:.4f}")', 'raise RuntimeError("坏了")')
    entries = {p: p.read_bytes() for p in (project / ".cache/exec").rglob("*.json")}
    html, engine = render(project, monkeypatch)
    assert "坏了" in html and "RuntimeError" in html and "w = 0.8444" not in html
    written = {p for p in (project / ".cache/exec").rglob("*.json")} - set(entries)
    stored = [json.loads(p.read_text(encoding="utf-8")) for p in written if "html" not in p.parts]
    assert all("坏了" not in e["output"] and "raise" not in e["code"] for e in stored), stored
    # fixed again: the old entry is current again, nothing stale is shown
    tiny.edit(project / "snippets/seeded.py", 'raise RuntimeError("坏了")', 'print(f"w = {w:.4f}")')
    html, _ = render(project, monkeypatch)
    assert "w = 0.8444" in html and "坏了" not in html


def test_without_a_cache_folder_nothing_is_written(project, monkeypatch):
    html, engine = render(project, monkeypatch, cache=False)
    assert "w = 0.8444" in html and not (project / ".cache").exists()
