"""tests/ mirrors snippets/: every snippet has its test file, and every test file of a snippet
folder has its snippet. `make note` writes the test file of each snippet it creates."""

from __future__ import annotations

from helpers import ROOT

NOT_SNIPPET_TESTS = {"exec_cache", "d2l_site", "site", "fixtures", "__pycache__"}  # the packages', the site's


def missing(root=ROOT) -> list[str]:
    tests, snippets = root / "tests", root / "snippets"
    found = []
    for snippet in sorted(snippets.rglob("*.py")):
        rel = snippet.relative_to(snippets)
        test = tests / rel.parent / f"test_{rel.name}"
        if not test.is_file():
            found.append(f"snippets/{rel.as_posix()} has no test file: write {test.relative_to(root).as_posix()}")
    for test in sorted(tests.glob("*/**/test_*.py")):
        rel = test.relative_to(tests)
        if rel.parts[0] in NOT_SNIPPET_TESTS:
            continue
        snippet = snippets / rel.parent / rel.name.removeprefix("test_")
        if not snippet.is_file():
            found.append(
                f"tests/{rel.as_posix()} tests no snippet: snippets/{snippet.relative_to(snippets).as_posix()} "
                "is gone (delete the test, or restore the snippet)"
            )
    return found


def test_every_snippet_has_a_test_file_and_every_test_file_a_snippet():
    assert missing() == []


def test_the_mirror_check_names_the_file_to_write(tmp_path):
    (tmp_path / "snippets/page").mkdir(parents=True)
    (tmp_path / "tests/page").mkdir(parents=True)
    (tmp_path / "tests/site").mkdir(parents=True)
    (tmp_path / "snippets/page/tested.py").write_text("print(1)\n")
    (tmp_path / "tests/page/test_tested.py").write_text("")
    (tmp_path / "snippets/page/untested.py").write_text("print(2)\n")
    (tmp_path / "tests/page/test_orphan.py").write_text("")
    (tmp_path / "tests/site/test_build.py").write_text("")
    assert missing(tmp_path) == [
        "snippets/page/untested.py has no test file: write tests/page/test_untested.py",
        "tests/page/test_orphan.py tests no snippet: snippets/page/orphan.py is gone "
        "(delete the test, or restore the snippet)",
    ]
