"""The maintained engine, guarded: ProperDocs (the maintained MkDocs 1.x fork; MkDocs 1.6.1 is
unmaintained and 2.0 drops plugins) builds this site strictly, file for file as MkDocs does, but
for the generator <meta> tag. CONTRIBUTING.md says how to switch.

It builds on the cache the serial MkDocs build filled (`make build-fast`): the blocks' outputs come
from there, and everything ProperDocs does itself (config, plugins, pages, theme) runs."""
from __future__ import annotations

import re
import subprocess
import sys

from helpers import PDF, copy_project, project_env

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def test_properdocs_builds_the_same_site(built_site, warm_cache, published_env, tmp_path):
    project = copy_project(tmp_path / "project", warm_cache)
    done = subprocess.run([sys.executable, "-m", "properdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=project, capture_output=True, text=True, timeout=900,
                          env=project_env(project, {**published_env, "D2L_EXEC_CACHE": "true"}))
    assert done.returncode == 0, done.stderr
    assert "python blocks: 0 new" in done.stderr  # every output from the cache
    theirs = {p.relative_to(built_site): p for p in built_site.rglob("*") if p.is_file() and p.name != PDF}
    ours = {p.relative_to(tmp_path / "site"): p for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert sorted(ours) == sorted(theirs)
    differ = [str(rel) for rel, path in theirs.items()
              if GENERATOR.sub(b"", path.read_bytes()) != GENERATOR.sub(b"", ours[rel].read_bytes())]
    assert differ == []
    assert b'content="mkdocs-ProperDocs 1.6.' in (tmp_path / "site/index.html").read_bytes()
