"""The engine's key, read record and store, unit by unit (no MkDocs, no build)."""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from exec_cache.keys import KeyChain, Modules, environment
from exec_cache.reads import Watched
from exec_cache.run import BlockError, run_code
from exec_cache.scan import exec_blocks, fences, included_paths, lines_of, sessions
from exec_cache.store import Entry, Store


def keys(*codes, roots=()):
    """The keys a new build gives a session of these blocks (a build reads the modules once)."""
    chain = KeyChain("env", Modules(list(roots)))
    return [chain.add(code, {}) for code in codes]


def test_key_covers_every_earlier_block_of_the_session():
    setup, show = "import random\nrandom.seed(0)", "print(random.random())"
    assert keys(setup, show)[1] != keys("import random\nrandom.seed(1)", show)[1]
    assert keys(setup, show)[0] == keys(setup)[0]  # a later block changes no earlier key
    assert keys(setup, show) == keys(setup + "\n", "\n" + show)  # blank edges change nothing


def test_key_covers_local_modules_and_what_they_import(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg/helper.py").write_text("from pkg.fmt import fmt\n", encoding="utf-8")
    (tmp_path / "pkg/fmt.py").write_text("def fmt(x):\n    return str(x)\n", encoding="utf-8")
    code = "from pkg.helper import fmt\nprint(fmt(1))"
    before = keys(code, roots=[tmp_path])
    assert keys(code, roots=[tmp_path]) == before
    (tmp_path / "pkg/fmt.py").write_text("def fmt(x):\n    return repr(x)\n", encoding="utf-8")
    assert keys(code, roots=[tmp_path]) != before  # an edit two imports away changes the key
    assert keys("import json\nprint(1)", roots=[tmp_path]) == keys("import json\nprint(1)")  # not local


def test_key_covers_the_versions():
    env = environment(("markdown-exec", "markdown"))
    for name in ("python", "markdown-exec", "markdown"):
        assert re.search(rf"\b{name} \d", env), env
    assert KeyChain(env, Modules([])).add("x = 1", {}) != KeyChain("other", Modules([])).add("x = 1", {})


def test_key_covers_workdir_and_width():
    chain = lambda: KeyChain("env", Modules([]))  # noqa: E731
    assert chain().add("x = 1", {"width": "80"}) != chain().add("x = 1", {"width": "100"})
    assert chain().add("x = 1", {"workdir": "snippets"}) != chain().add("x = 1", {})
    # the fence line's spelling (a string) and markdown-exec's validator's (an int) are one key
    assert chain().add("x = 1", {"width": "80"}) == chain().add("x = 1", {"width": 80, "workdir": None})
    assert chain().add("x = 1", {"width": "0"}) == chain().add("x = 1", {"width": 0})


# -- the store ----------------------------------------------------------------------------

def stored(tmp_path) -> tuple[Store, str, Path]:
    store = Store(Watched(tmp_path, (tmp_path / "docs",)), tmp_path / "exec")
    key = keys("print('hi')")[0]
    store.put(key, Entry("hi\n"), about={"page": "p.md", "session": "", "code": "x"})
    return store, key, store._path(key)


def test_an_entry_is_a_readable_json_file(tmp_path):
    store, key, path = stored(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["output"] == "hi\n" and data["page"] == "p.md" and data["key"] == key
    assert Store(store.watched, tmp_path / "exec").get(key).output == "hi\n"  # a new process reads it
    assert not list(path.parent.glob("*.tmp*"))  # written atomically


@pytest.mark.parametrize("damage", ["truncated", "not json", "output edited", "another key", "empty"])
def test_a_damaged_entry_is_ignored(tmp_path, damage):
    store, key, path = stored(tmp_path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    path.write_text({
        "truncated": text[: len(text) // 2],
        "not json": "\x00\x01 garbage",
        "output edited": json.dumps({**data, "output": "STALE\n"}),
        "another key": json.dumps({**data, "key": "0" * 64}),
        "empty": "",
    }[damage], encoding="utf-8")
    fresh = Store(store.watched, tmp_path / "exec")
    assert fresh.get(key) is None
    assert fresh.ignored == [str(path)]


def test_a_damaged_html_entry_is_ignored(tmp_path):
    watched = Watched(tmp_path, ())
    Store(watched, tmp_path / "exec").put_html("ab" * 32, {"html": "<p>hi</p>", "conversions": 1})
    assert Store(watched, tmp_path / "exec").get_html("ab" * 32)["html"] == "<p>hi</p>"
    path = next((tmp_path / "exec/html").rglob("*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, "html": "<p>STALE</p>"}), encoding="utf-8")
    fresh = Store(watched, tmp_path / "exec")
    assert fresh.get_html("ab" * 32) is None and fresh.ignored == [str(path)]


# -- what a block reads ---------------------------------------------------------------------

def test_an_entry_whose_files_changed_is_a_miss(tmp_path):
    watched = Watched(tmp_path, (tmp_path / "docs",))
    (tmp_path / "docs").mkdir()
    page_md = tmp_path / "docs/a.md"
    page_md.write_text("# A", encoding="utf-8")
    output, reads = run_code(f"from pathlib import Path\nprint(Path({str(page_md)!r}).read_text())", {}, "r", watched)
    assert output == "# A\n" and list(reads) == ["docs/a.md"]
    store = Store(watched)
    store.put("k", Entry(output, reads), about={})
    assert store.get("k") is not None
    page_md.write_text("# B", encoding="utf-8")
    assert store.get("k") is None


def test_a_modules_asset_is_a_read_and_its_source_is_not(tmp_path):
    """A helper that inlines a .js next to it: editing the script is a miss (a read file), while
    the helper's .py is in the key already (not a read)."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "widget.js").write_text("let a = 1;", encoding="utf-8")
    (lib / "helper.py").write_text("X = 1\n", encoding="utf-8")
    watched = Watched(tmp_path, (lib,), (lib,))
    code = (f"from pathlib import Path\nprint(Path({str(lib / 'widget.js')!r}).read_text())\n"
            f"Path({str(lib / 'helper.py')!r}).read_text()")
    _, reads = run_code(code, {}, "asset", watched)
    assert list(reads) == ["lib/widget.js"]


def test_two_threads_keep_separate_read_records(tmp_path):
    """The record is per context: a block running in another thread does not add to this one's."""
    watched = Watched(tmp_path, (tmp_path,))
    for name in "ab":
        (tmp_path / f"{name}.txt").write_text(name, encoding="utf-8")
    found = {}
    go = threading.Barrier(2)

    def run(name):
        code = f"from pathlib import Path\nPath({str(tmp_path / (name + '.txt'))!r}).read_text()"
        go.wait()
        found[name] = list(run_code(code, {}, name, watched)[1])

    threads = [threading.Thread(target=run, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == {"a": ["a.txt"], "b": ["b.txt"]}


def test_a_block_error_names_the_block_and_shows_its_line(tmp_path):
    with pytest.raises(BlockError) as error:
        run_code("x = 1\nraise ValueError('boom')", {}, "snippets/demo/bad.py", Watched(tmp_path, ()))
    assert "snippets/demo/bad.py" in error.value.trace and "raise ValueError('boom')" in error.value.trace


# -- the scanner ------------------------------------------------------------------------------

def test_scan_finds_the_blocks_as_the_fence_receives_them():
    text = ('```python exec="1" session="s" title="t"\n--8<-- "a.py:setup"\n```\n\n'
            '!!! note\n\n    ```python exec="1" session="s"\n    print(x)\n    ```\n\n'
            '````markdown\n```python exec="1"\nprint("example, not run")\n```\n````\n'
            '~~~python exec="1"\nprint("tilde")\n~~~\n'
            '```python exec="1"\n;--8<-- "escaped.py"\n```\n')
    blocks = exec_blocks(text, lambda line: "x = 1" if "a.py" in line else "EXPANDED")
    assert [(b.session, b.code, b.include) for b in blocks] == [
        ("s", "x = 1", "a.py:setup"), ("s", "print(x)", None), ("", 'print("tilde")', None),
        ("", ';--8<-- "escaped.py"', None)]
    assert list(sessions(blocks).values()) == [[0, 1], [2], [3]]


def test_scan_gives_spans_tabs_and_unclosed_fences():
    lines = lines_of('a\n\t```py\n\tx\n\t```\n```text\nnever closed')
    found = list(fences(lines))
    assert [(f.start, f.end, f.lang, f.body, f.closed) for f in found] == [
        (1, 3, "py", ["x"], True), (4, 6, "text", ["never closed"], False)]
    assert included_paths('--8<-- "snippets/a.py:x"\n;--8<-- "b.py"\n  --8<-- "c.py"') == {"snippets/a.py", "c.py"}


def test_a_worker_imports_the_local_modules_though_it_started_before_they_were_on_sys_path(tmp_path, monkeypatch):
    """A worker is forked from a server that may have started before the engine put the module
    roots on sys.path (a build that failed now and then under load): run_session puts them there."""
    import sys

    from exec_cache.run import run_session

    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "late_helper.py").write_text("ANSWER = 41 + 1\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p != str(lib)])
    monkeypatch.delitem(sys.modules, "late_helper", raising=False)
    blocks = [("t", "from late_helper import ANSWER\nprint(ANSWER)", {})]
    [result] = run_session(blocks, Watched(tmp_path, (), (lib,)), None)
    assert result == ("ok", "42\n", {})
    sys.modules.pop("late_helper", None)


def test_an_error_in_a_background_callback_is_kept_for_the_build_to_fail_on(tmp_path):
    """On d16244c a when_run callback that raised printed a thread traceback and the build passed."""
    from exec_cache.engine import Engine, Settings

    engine = Engine(Settings(Watched(tmp_path, ()), "env"), Store(Watched(tmp_path, ())))

    def draw():
        raise RuntimeError("notebooks/a.ipynb: 坏了")

    engine.when_run([], draw)
    engine.when_run([], lambda: None)
    assert engine.background_errors() == ["RuntimeError: notebooks/a.ipynb: 坏了"]


def test_a_cache_folder_is_this_users_alone_or_not_used(tmp_path):
    import os
    import stat

    from exec_cache.store import UnsafeFolder, private_folder

    made = private_folder(tmp_path / "new" / "cache")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    older = tmp_path / "older"  # made by a checkout from before: readable by others, ours
    older.mkdir(mode=0o755)
    os.chmod(older, 0o755)
    assert stat.S_IMODE(private_folder(older).stat().st_mode) == 0o700
    planted = tmp_path / "planted"
    planted.mkdir()
    os.chmod(planted, 0o777)  # anyone may have put a file in it
    with pytest.raises(UnsafeFolder, match="written by others"):
        Store(Watched(tmp_path, ()), planted)
    link = tmp_path / "link"
    link.symlink_to(made)
    with pytest.raises(UnsafeFolder, match="symlink"):
        private_folder(link)
    if os.getuid() == 0:  # as root (CI), a folder another user made
        theirs = tmp_path / "theirs"
        theirs.mkdir(mode=0o700)
        os.chown(theirs, 65534, 65534)
        with pytest.raises(UnsafeFolder, match="another user"):
            private_folder(theirs)
