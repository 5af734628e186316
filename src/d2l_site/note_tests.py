"""The test file `make note` writes for each snippet it creates (tests/ mirrors snippets/):
the snippet runs alone in a fresh interpreter and prints the same twice; and where the note's own
pasted output matches the live output exactly, that line is asserted too, as a fact the author
recorded. The author adds the facts the page teaches by hand (写作指南 §5)."""

from __future__ import annotations

import json
from pathlib import Path

from .note_blocks import NoteError
from .note_plan import Plan, digest

TEMPLATE = '''"""《{title}》的代码片段 {snippet}。

由 make note 生成（写作指南 §5）：它单独运行、两次输出相同{recorded}。
请在下面加上这段代码要教给读者的事实：形状、数值、同一对象……
改过这个文件后，重新导入笔记不会覆盖它。"""
from helpers import run_snippet_fresh

SNIPPET = "{snippet}"


def test_runs_alone_and_prints_the_same_twice():
    assert run_snippet_fresh(SNIPPET) == run_snippet_fresh(SNIPPET)
'''
FACTS = """

def test_prints_what_the_note_recorded():
    lines = run_snippet_fresh(SNIPPET).splitlines()
    for line in [  # 笔记里粘贴的输出，与真实输出逐字一致的行
{facts}
    ]:
        assert line in lines
"""


def recorded(plan: Plan, path: Path) -> list[str]:
    """Lines of the note's pasted outputs for this file's blocks that its live output shows exactly."""
    sections = {section for section, _ in plan.sessions[path]}
    facts = []
    for block in (b for b in plan.blocks if b.section in sections):
        live = block.live.splitlines()
        facts += [line for pasted in block.pasted for line in pasted.splitlines() if line.strip() and line in live]
    return list(dict.fromkeys(facts))


def add_tests(plan: Plan, root: Path, force: bool) -> None:
    """Put each snippet's test file in the plan (once its blocks have run: `live` is known), and
    remove the generated tests of snippets the import no longer makes. A test edited by hand is
    kept; the manifest records what was generated."""
    snippets = [p for p in plan.sessions]
    if not snippets:
        return
    folder = snippets[0].parent
    manifest_path = folder / ".imported.json"
    manifest = json.loads(plan.files[manifest_path]) if manifest_path in plan.files else {"files": {}}
    old_file = root / manifest_path
    old = json.loads(old_file.read_text(encoding="utf-8")).get("tests", {}) if old_file.is_file() else {}
    made = {}
    for path in snippets:
        test = Path("tests") / path.parent.name / f"test_{path.name}"
        facts = recorded(plan, path)
        text = TEMPLATE.format(
            title=plan.title,
            snippet=path.relative_to("snippets").as_posix(),
            recorded="，并打印笔记里记下的输出" if facts else "",
        )
        listed = "\n".join(f"        {json.dumps(f, ensure_ascii=False)},  # noqa: E501" for f in facts)
        text += FACTS.format(facts=listed) if facts else ""
        made[test.as_posix()] = digest(text)
        current = root / test
        if current.is_file() and old.get(test.as_posix()) != digest(current.read_bytes()) and not force:
            made[test.as_posix()] = digest(current.read_bytes())  # the author's own: kept, and known
            continue
        plan.files[test] = text
    for name in sorted(set(old) - set(made)):
        current = root / name
        if current.is_file() and old[name] != digest(current.read_bytes()) and not force:
            raise NoteError(f"{name} was edited by hand and its snippet is gone: move your facts, then delete it")
        plan.removed.append(Path(name))
    manifest["tests"] = made
    plan.files[manifest_path] = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
