"""Two clean builds give byte-identical pages, notebooks and downloads."""
from __future__ import annotations

from helpers import ROOT, build_site, digests


def test_two_clean_builds_are_byte_identical(built_site, tmp_path):
    again = tmp_path / "again"
    done = build_site(ROOT, again)
    assert done.returncode == 0, done.stderr
    first, second = digests(built_site), digests(again)
    assert first.keys() == second.keys()
    differ = sorted(name for name in first if first[name] != second[name])
    assert differ == []
    assert any(n.endswith(".ipynb") for n in first) and any(n.endswith(".zip") for n in first)
