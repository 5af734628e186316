"""`make serve` (mkdocs serve --dirty) renders again every page whose HTML would change: after
each kind of edit, every page it serves is the page a clean build makes of the same sources.

The rebuilds run as `mkdocs serve` runs them (mkdocs.commands.serve: one process, the plugins'
instances kept, `build(config, dirty=True)` after each edit), without the HTTP server.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from helpers import mini_project, project_env

SERVE_URL = "http://127.0.0.1:8000/"
# one process, rebuilding as `mkdocs serve --dirty` does at each line of its stdin
SERVE = f"""
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

started = False
for _ in sys.stdin:
    config = load_config(site_dir=sys.argv[1])
    config.site_url = {SERVE_URL!r}
    if not started:
        config.plugins.on_startup(command="serve", dirty=True)
        started = True
    build(config, dirty=True)
    print("built", flush=True)
config.plugins.on_shutdown()
"""
# clean builds, each in a fresh fork of one process that imported what a build imports (no
# build ran in it: each fork loads the config and makes the plugins anew, as `mkdocs build` does)
CLEAN = """
import os
import sys

import jieba, material.plugins.search.plugin, mkdocs.commands.build, mkdocs_jupyter.convert  # noqa
from mkdocs.commands.build import build
from mkdocs.config import load_config

jieba.initialize()
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        build(load_config(site_dir=line.strip()))
        os._exit(0)
    print("built" if os.waitpid(pid, 0)[1] == 0 else "failed", flush=True)
"""

OTHER = """\
# 其他

链接：[[演示]]、[[演示三]]、[[新页]]。

![[pic.png|120]]

```python exec="1" source="block" result="text" session="o" title="snippets/demo/seeded.py"
--8<-- "snippets/demo/seeded.py:setup"
--8<-- "snippets/demo/seeded.py:show"
```
"""
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5f0000000049454e44ae426082")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


def test_serve_renders_again_every_page_whose_html_changes(tmp_path):
    """On d16244c a page linking to a renamed note kept its old link under serve, and an edit
    of obsidian_notes.yml was not seen at all."""
    project = mini_project(tmp_path / "mini")
    (project / "docs/other.md").write_text(OTHER, encoding="utf-8")
    edit(project / "mkdocs.yml", "  - 演示: index.md\n", "  - 演示: index.md\n  - 其他: other.md\n")
    served = tmp_path / "served"
    server = subprocess.Popen([sys.executable, "-c", SERVE, str(served)], cwd=project, env=project_env(project),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    notes = project / "src/d2l_site/obsidian_notes.yml"  # the copy's own src/ is the one imported
    edits = {
        "first build": lambda: None,
        "a note's title": lambda: edit(project / "docs/index.md", "# 演示", "# 演示二"),
        "obsidian_notes.yml": lambda: notes.write_text(
            notes.read_text(encoding="utf-8") + "演示三: https://zh.d2l.ai/chapter_preface/index.html\n",
            encoding="utf-8"),
        "an image added": lambda: (project / "docs/assets").mkdir()
        or (project / "docs/assets/pic.png").write_bytes(PNG),
        "an image removed": lambda: (project / "docs/assets/pic.png").unlink(),
        "a page added": lambda: (project / "docs/new.md").write_text("# 新页\n\n新的一页。\n", encoding="utf-8"),
        "a page renamed": lambda: (project / "docs/new.md").rename(project / "docs/renamed.md"),
        "a page removed": lambda: (project / "docs/renamed.md").unlink(),
        "the nav": lambda: edit(project / "mkdocs.yml", "  - 其他: other.md", "  - 其他页: other.md"),
        "a snippet two pages include": lambda: edit(project / "snippets/demo/seeded.py", 'print(f"w = {w:.4f}")',
                                                    'print(f"w 是 {w:.4f}")'),
        "a module blocks import": lambda: edit(project / "src/d2l_site/page_helpers.py",
                                               'return f"{round(float(value), 6):g}"', 'return f"{float(value):.2f}"'),
    }
    builder = subprocess.Popen([sys.executable, "-c", CLEAN], cwd=project, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=project_env(project, {"SITE_URL": SERVE_URL, "D2L_EXEC_WORKERS": "0"}))
    try:
        for n, (what, change) in enumerate(edits.items()):
            change()
            clean = tmp_path / f"clean{n}"
            for process, line in ((server, "build"), (builder, str(clean))):
                process.stdin.write(line + "\n")
                process.stdin.flush()
            assert server.stdout.readline() == "built\n", server.stderr.read()
            assert builder.stdout.readline() == "built\n", builder.stderr.read()
            wanted, shown = pages(clean), pages(served)
            stale = sorted(p for p in wanted if shown.get(p) != wanted[p])
            assert not stale, f"after {what}: serve shows stale {stale}"
            shutil.rmtree(clean)
    finally:
        for process in (server, builder):
            process.stdin.close()
            process.wait(timeout=60)


def test_nothing_is_read_back_from_the_shared_temp_folder(tmp_path):
    """On d16244c serve kept compiled Jinja templates in <tmp>/d2l-notes-jinja and jieba its
    dictionary in <tmp>/jieba.cache: another user could make the folder first and plant what the
    author's serve then runs. Both are planted here, world-writable; a serve build reads neither."""
    project = mini_project(tmp_path / "mini")
    shared, home = tmp_path / "shared-tmp", tmp_path / "home-cache"
    planted = shared / "d2l-notes-jinja"
    planted.mkdir(parents=True)
    planted.chmod(0o777)
    (planted / "planted.cache").write_bytes(b"not bytecode")
    (shared / "jieba.cache").write_bytes(b"not a dictionary")
    watch = f"""
import sys
def audit(event, args):
    if event == "open" and isinstance(args[0], str) and (args[0].startswith({str(planted)!r})
                                                          or args[0].startswith({str(shared / "jieba")!r})):
        print("READ", args[0], file=sys.stderr)
sys.addaudithook(audit)
"""
    done = subprocess.run([sys.executable, "-c", watch + SERVE, str(tmp_path / "served")], input="build\n",
                          cwd=project, capture_output=True, text=True, timeout=300,
                          env=project_env(project, {"TMPDIR": str(shared), "XDG_CACHE_HOME": str(home)}))
    assert done.returncode == 0 and done.stdout == "built\n", done.stderr
    assert "READ" not in done.stderr, done.stderr
    assert (home / "d2l-notes/jieba/jieba.cache").is_file()  # jieba's cache went to the user's folder
    assert (home / "d2l-notes/jieba").stat().st_mode & 0o777 == 0o700
