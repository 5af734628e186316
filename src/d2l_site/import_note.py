"""`make note SRC="<vault>/5.3 延后初始化.md" [ASSETS=<attachments folder>] [FORCE=1]`:
turn a raw Obsidian note into a live page of this site, in one command.

What it does (the 写作指南 explains each step):
1. places the page at docs/<chapter>/<book file>.md, from the book URL of the note's
   section in docs/hooks/obsidian_notes.yml (the note's first heading stays its title);
2. moves every ```python block into snippets/<page>/: blocks that share names form one
   session and one file, each block a section; each file seeds torch first and imports
   what its blocks use; a bare last expression is printed, as Jupyter shows it;
3. removes pasted outputs (output-like trailing comments, language-less fences after a
   block) and prints each next to the live output;
4. copies the images the note embeds from ASSETS into docs/;
5. adds the page (and its notebook) to the nav in book order;
6. finishes with a strict build. Nothing is written unless every block runs; a failing
   build puts every file back as it was.

Safe to repeat: the same note gives the same files. A snippet edited by hand since the
last import (snippets/<page>/.imported.json keeps the hashes) is not overwritten
without FORCE=1.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import io
import json
import linecache
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs/hooks"))
from obsidian import EMBED, NOTES_FILE, TITLE  # noqa: E402  (the site's own rules: one place)

BOOK_URL = re.compile(r"^https://zh\.d2l\.ai/chapter_(?P<chapter>[\w-]+)/(?P<file>[\w-]+)\.html$")
SECTION = re.compile(r"^(?P<number>\d+(?:\.\d+)*)\s")
FENCE = re.compile(r"^(?P<fence>```+|~~~+)\s*(?P<lang>[\w+-]*)\s*(?P<rest>.*)$")
# a comment that is a pasted output, not an explanation: what print() shows for tensors & co.
OUTPUT_COMMENT = re.compile(r"^(tensor\(|torch\.Size\(|Parameter containing|OrderedDict\(|"
                            r"Sequential\(|Linear\(|\(\[|\[\[|[-+]?\d|True\b|False\b|None\b|<[A-Za-z])")
CONTINUATION = re.compile(r"^(\s|[\[\]()'\-\d]|tensor|requires_grad)")
OUTPUT_INTRO = re.compile(r"^\s*(输出|结果|运行结果|output)\s*[:：]?\s*$", re.I)


IMPORTED = "imported: true  # made by make note from the Obsidian note; edit the note and import again"


class NoteError(Exception):
    """Bad input: the message says what and where; nothing has been written."""


@dataclass
class Block:
    start: int  # 1-based line of the opening fence in the note
    end: int  # line of the closing fence
    code: str
    pasted: list[str] = field(default_factory=list)  # outputs removed from the note
    section: str = ""
    heading: str = ""
    live: str = ""


# -- reading the note -----------------------------------------------------------------

def read_note(src: Path) -> str:
    try:
        return src.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise NoteError(f"{src}: not UTF-8 (byte {error.start}); save the note as UTF-8, "
                        "as Obsidian does") from None
    except OSError as error:
        raise NoteError(f"{src}: {error.strerror}") from None


def place(title: str, book: dict) -> tuple[str, str]:
    """(chapter folder, file stem) of the note's book section, from obsidian_notes.yml."""
    url = book.get(title)
    m = BOOK_URL.match(url or "")
    if not m:
        raise NoteError(f"《{title}》: no book URL for it in {NOTES_FILE.relative_to(ROOT)}; add "
                        f"'{title}: https://zh.d2l.ai/chapter_<chapter>/<file>.html'")
    return m["chapter"], m["file"]


def split_blocks(text: str) -> tuple[list[str], list[Block]]:
    """The note's lines with every top-level python block replaced by a marker line, the
    blocks, and their pasted outputs (removed from the lines)."""
    lines = text.split("\n")
    out: list[str] = []
    blocks: list[Block] = []
    heading, i = "", 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            heading = line[3:].strip()
        m = FENCE.match(line)
        if not m:
            out.append(line)
            i += 1
            continue
        close = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == m["fence"]), None)
        if close is None:
            raise NoteError(f"line {i + 1}: a ``` fence that never closes")
        if m["lang"] not in ("python", "py") or "exec=" in m["rest"]:
            out.extend(lines[i:close + 1])
            i = close + 1
            continue
        block = Block(i + 1, close + 1, "", heading=heading)
        block.code = strip_output_comments(lines[i + 1:close], block)
        blocks.append(block)
        out.append(f"\0block {len(blocks) - 1}")
        i = close + 1
        # an output pasted after the block: an optional "输出：" line, then a fence with no language
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        k = j + 1 if j < len(lines) and OUTPUT_INTRO.match(lines[j]) else j
        while k < len(lines) and not lines[k].strip():
            k += 1
        f = FENCE.match(lines[k]) if k < len(lines) else None
        if f and f["lang"] in ("", "text", "output", "console"):
            end = next((e for e in range(k + 1, len(lines)) if lines[e].strip() == f["fence"]), None)
            if end is not None:
                block.pasted.append("\n".join(lines[k + 1:end]))
                i = end + 1
    return out, blocks


def strip_output_comments(code: list[str], block: Block) -> str:
    """Drop comments that are pasted outputs (whole lines, or trailing ones after code)."""
    kept, n = [], 0
    while n < len(code):
        line = code[n]
        stripped = line.strip()
        body, comment = split_comment(line)
        text = comment.lstrip("#").strip() if comment is not None else ""
        if comment is not None and OUTPUT_COMMENT.match(text):
            pasted = [text]
            while n + 1 < len(code) and code[n + 1].strip().startswith("#") and \
                    CONTINUATION.match(code[n + 1].strip().lstrip("#")[1:] if
                                       code[n + 1].strip().startswith("# ") else "x"):
                n += 1
                pasted.append(code[n].strip().lstrip("#")[1:])
            block.pasted.append("\n".join(pasted))
            if body.strip():
                kept.append(body.rstrip())
        elif stripped or kept:
            kept.append(line.rstrip())
        n += 1
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def split_comment(line: str) -> tuple[str, str | None]:
    """(code, comment) of one line, the comment found outside strings by the tokenizer."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line + "\n").readline):
            if tok.type == tokenize.COMMENT:
                return line[:tok.start[1]], tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return line, None


# -- blocks into snippet files --------------------------------------------------------------

def parse(block: Block) -> ast.Module:
    try:
        return ast.parse(block.code)
    except SyntaxError as error:
        raise NoteError(f"line {block.start + (error.lineno or 1)}: the python block at line "
                        f"{block.start} is not valid Python: {error.msg}") from None


def names(tree: ast.Module) -> tuple[set[str], set[str], set[str]]:
    """(defined, imported, used) names of a block."""
    defined, imported, used = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else defined).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return defined, imported, used


def show_last_expression(code: str, tree: ast.Module) -> str:
    """A bare last expression is shown, as Jupyter shows it: wrapped in print()."""
    last = tree.body[-1] if tree.body else None
    if not (isinstance(last, ast.Expr) and not (isinstance(last.value, ast.Call)
                                                 and getattr(last.value.func, "id", "") == "print")):
        return code
    lines = code.split("\n")
    first, end = last.lineno - 1, last.end_lineno
    expr = "\n".join(lines[first:end])
    indent = len(expr) - len(expr.lstrip())
    return "\n".join(lines[:first] + [" " * indent + f"print({expr.strip()})"] + lines[end:])


def sessions(blocks: list[Block], trees: list[ast.Module]) -> list[list[int]]:
    """Blocks that use a name another block defined share one session (imports excepted:
    every file imports what the note imports)."""
    parent = list(range(len(blocks)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    definer: dict[str, int] = {}
    for i, tree in enumerate(trees):
        defined, imported, used = names(tree)
        for name in used - imported:
            if name in definer:
                parent[root(i)] = root(definer[name])
        for name in defined - imported:
            definer[name] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(blocks)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values())


def file_name(first: ast.Module, taken: set[str], fallback: str) -> str:
    """A session's file is named after the first thing its first block defines (the note's name)."""
    candidates = []
    for node in first.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            candidates.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            candidates += [t.id for t in targets if isinstance(t, ast.Name)]
    snake = lambda c: re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", re.sub(r"\W", "_", c)).lower()  # noqa: E731
    name = next((snake(c) for c in candidates if c != "_"), fallback)
    base, k = name, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


@dataclass
class Plan:
    """Everything the import writes, as (path -> text); nothing is on disk yet."""
    page: Path
    title: str
    files: dict[Path, str | bytes] = field(default_factory=dict)
    removed: list[Path] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


def make_plan(src: Path, assets: Path | None, force: bool) -> Plan:
    text = read_note(src).replace("\r\n", "\n")
    m = TITLE.search(text)
    if not m:
        raise NoteError(f"{src}: no '# title' heading; the first heading names the page")
    title = m["title"]
    book = yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or {}
    chapter, stem = place(title, book)
    page_rel = Path("docs") / chapter / f"{stem}.md"
    page_id = stem.replace("-", "_")
    snippet_dir = Path("snippets") / page_id
    check_title(title, page_rel, force)

    lines, blocks = split_blocks(text)
    trees = [parse(b) for b in blocks]
    imports, seen = [], set()
    for tree in trees:
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and ast.unparse(node) not in seen:
                seen.add(ast.unparse(node))
                imports.append(ast.unparse(node))
    if blocks and "import torch" not in seen:
        imports.insert(0, "import torch")
    plan = Plan(page_rel, title, blocks=blocks)
    taken: set[str] = set()
    session_of: dict[int, str] = {}
    for group in sessions(blocks, trees):
        name = file_name(trees[group[0]], taken, f"{page_id}_{len(taken) + 1}")
        path = snippet_dir / f"{name}.py"
        first = blocks[group[0]]
        parts = [f'"""{title}：{first.heading or "代码"}（由 make note 从笔记导入；改笔记后重新导入）。"""',
                 "# --8<-- [start:setup]", *imports, "", "torch.manual_seed(0)", "# --8<-- [end:setup]"]
        for i in group:
            blocks[i].section = f"block{i + 1}"
            code = show_last_expression(blocks[i].code, trees[i])
            parts += ["", f"# --8<-- [start:block{i + 1}]", code, f"# --8<-- [end:block{i + 1}]"]
            session_of[i] = path.as_posix()
        plan.files[path] = "\n".join(parts) + "\n"

    # the page: the note's text, each block replaced by include fences
    page_lines, started = ["---", IMPORTED, *(["notebook: true"] if blocks else []), "---"], set()
    for line in lines:
        if not line.startswith("\0block "):
            page_lines.append(line)
            continue
        i = int(line.split()[1])
        path = session_of[i]
        session = f"{page_id}_{Path(path).stem}"  # session names are per site: prefix the page
        if path not in started:  # the session's hidden set-up, once, before its first block
            started.add(path)
            page_lines += [f'```python exec="1" session="{session}" title="{path}"',
                           f'--8<-- "{path}:setup"', "```", ""]
        page_lines += [f'```python exec="1" source="block" result="text" session="{session}" '
                       f'title="{path}"', f'--8<-- "{path}:{blocks[i].section}"', "```"]
    plan.files[page_rel] = "\n".join(page_lines).rstrip("\n") + "\n"

    # images the note embeds, next to the page
    for name in sorted({m["file"].strip() for m in EMBED.finditer(text)}):
        target = page_rel.parent / Path(name).name
        found = find_asset(name, assets) if assets else None
        if found is not None:
            plan.files[target] = found.read_bytes()
        elif not (ROOT / target).exists() and not list((ROOT / "docs").rglob(Path(name).name)):
            raise NoteError(f"![[{name}]]: no such file"
                            + (f" under {assets}" if assets else "; give ASSETS=<the vault's attachments folder>"))

    # snippets of an earlier import that this one no longer makes
    manifest = ROOT / snippet_dir / ".imported.json"
    old = json.loads(manifest.read_text(encoding="utf-8"))["files"] if manifest.exists() else {}
    for name in sorted(old):
        if snippet_dir / name not in plan.files:
            plan.removed.append(snippet_dir / name)
    check_hand_edits(plan, old, snippet_dir, force)
    if blocks:
        plan.files[snippet_dir / ".imported.json"] = json.dumps(
            {"note": title, "files": {p.name: digest(t) for p, t in sorted(plan.files.items())
                                      if p.parent == snippet_dir}},
            ensure_ascii=False, indent=1) + "\n"
    plan.files[Path("mkdocs.yml")] = with_nav_entry(
        (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), title, page_rel, bool(blocks), book, chapter)
    return plan


def find_asset(name: str, assets: Path) -> Path | None:
    direct = assets / name
    if direct.is_file():
        return direct
    return next(iter(sorted(assets.rglob(Path(name).name))), None)


def digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def check_title(title: str, page_rel: Path, force: bool) -> None:
    """Another page with this title would make [[links]] ambiguous, and a page written by hand
    is not overwritten; re-importing the same note is an update."""
    if force:
        return
    for page in sorted((ROOT / "docs").rglob("*.md")):
        rel = page.relative_to(ROOT)
        text = page.read_text(encoding="utf-8")
        if rel == page_rel and not text.startswith(f"---\n{IMPORTED}\n"):
            raise NoteError(f"{rel} exists and was not made by make note; run with FORCE=1 to "
                            "replace it")
        m = TITLE.search(text)
        if rel != page_rel and m and m["title"] == title:
            raise NoteError(f"《{title}》: {rel} already has this title; rename one of them, "
                            "or run with FORCE=1")


def check_hand_edits(plan: Plan, old: dict, snippet_dir: Path, force: bool) -> None:
    for path in [p for p in plan.files if p.parent == snippet_dir] + plan.removed:
        current = ROOT / path
        if not current.exists() or path.suffix != ".py":
            continue
        text = current.read_text(encoding="utf-8")
        new = plan.files.get(path)
        if new == text:
            continue
        if old.get(path.name) != digest(text) and not force:
            raise NoteError(f"{path} was edited by hand since the last import (or was not made by "
                            "it); keep your edit in the note, or run again with FORCE=1")


def with_nav_entry(config: str, title: str, page_rel: Path, notebook: bool, book: dict,
                   chapter: str) -> str:
    """mkdocs.yml with the page (and its notebook) in its chapter's nav list, in book order."""
    rel = page_rel.relative_to("docs").as_posix()
    entries = [f"      - {title}: {rel}"]
    if notebook:
        entries.append(f"      - {title}（Notebook）: notebooks/{page_rel.stem}.ipynb")
    lines = config.split("\n")
    lines = [l for l in lines if not re.match(rf"^\s+- [^:]+: (?:{re.escape(rel)}|notebooks/"
                                               rf"{re.escape(page_rel.stem)}\.ipynb)$", l)]
    start = lines.index("nav:")
    chapter_title = next((name for name, url in book.items()
                          if url == f"https://zh.d2l.ai/chapter_{chapter}/index.html"), None)
    if chapter_title is None:
        raise NoteError(f"no chapter title for chapter_{chapter} in {NOTES_FILE.relative_to(ROOT)}; "
                        f"add '第 N 章 标题: https://zh.d2l.ai/chapter_{chapter}/index.html'")
    number = key(title)
    head = next((i for i in range(start, len(lines)) if lines[i] == f"  - {chapter_title}:"), None)
    if head is None:  # a new chapter, before the first chapter after it, else after the last one
        chapters = [i for i in range(start, len(lines)) if re.match(r"^  - 第 \d+ 章", lines[i])]
        later = [i for i in chapters if key(lines[i][4:]) > number]
        if later:
            at = later[0]
        elif chapters:
            at = chapters[-1] + 1
            while at < len(lines) and lines[at].startswith("      "):
                at += 1
        else:
            at = start + 2
        lines[at:at] = [f"  - {chapter_title}:", *entries]
        return "\n".join(lines)
    end = head + 1
    while end < len(lines) and lines[end].startswith("      - "):
        end += 1
    # an entry with no section number (深入、补充) belongs with the numbered one before it
    keys, last = [], (0,)
    for i in range(head + 1, end):
        k = key(lines[i][8:])
        last = k if k != (9999,) else last
        keys.append(last)
    at = next((head + 1 + n for n, k in enumerate(keys) if k > number), end)
    lines[at:at] = entries
    return "\n".join(lines)


def key(title: str) -> tuple:
    """A nav title's place in the book: '5.3 延后初始化' -> (5, 3), '第 5 章 …' -> (5,);
    no number -> (9999,)."""
    m = SECTION.match(re.sub(r"^第 (\d+) 章", r"\1", title.strip()))
    return tuple(int(n) for n in m["number"].split(".")) if m else (9999,)


# -- running the blocks, writing, building ------------------------------------------------------

def run_blocks(plan: Plan) -> None:
    """Run every session as its file would run alone; a raising block stops the import."""
    sys.path.insert(0, str(ROOT))
    for path, text in plan.files.items():
        if path.suffix != ".py":
            continue
        sections = re.findall(r"# --8<-- \[start:(\w+)\]\n(.*?)\n# --8<-- \[end:\1\]", text, re.S)
        namespace: dict = {"__name__": "__main__"}
        for section, code in sections:
            block = next((b for b in plan.blocks if b.section == section), None)
            out = io.StringIO()
            name = f"{path}:{section}"
            linecache.cache[name] = (len(code), None, code.splitlines(True), name)  # traceback shows the code
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(code, name, "exec"), namespace)  # noqa: S102
            except BaseException as error:  # noqa: BLE001 -- any failure of the reader's code
                trace = traceback.TracebackException.from_exception(error)
                trace.stack = traceback.StackSummary.from_list(
                    [f for f in trace.stack if f.filename != __file__])
                where = (f"the python block at line {block.start} of the note" if block
                         else f"the set-up of {path}")
                raise NoteError(f"{where} raises:\n{''.join(trace.format()).rstrip()}") from None
            if block:
                block.live = out.getvalue()


def write(plan: Plan) -> dict[Path, bytes | None]:
    """Write the plan; return what each touched file held before (None: did not exist)."""
    before: dict[Path, bytes | None] = {}
    for path in list(plan.files) + plan.removed:
        full = ROOT / path
        before[path] = full.read_bytes() if full.exists() else None
    for path, content in plan.files.items():
        full = ROOT / path
        data = content.encode() if isinstance(content, str) else content
        if before[path] != data:
            full.parent.mkdir(parents=True, exist_ok=True)
            tmp = full.with_name(full.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(full)
    for path in plan.removed:
        (ROOT / path).unlink(missing_ok=True)
    return before


def restore(before: dict[Path, bytes | None]) -> None:
    for path, data in before.items():
        full = ROOT / path
        if data is None:
            full.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # a folder the import created, now empty
                full.parent.rmdir()
        else:
            full.write_bytes(data)


def strict_build() -> subprocess.CompletedProcess:
    site = tempfile.mkdtemp(prefix="d2l-note-site-")
    try:
        return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site],
                              cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    finally:
        shutil.rmtree(site, ignore_errors=True)


def report(plan: Plan, before: dict[Path, bytes | None]) -> str:
    changed = [p for p, c in plan.files.items()
               if before.get(p) != (c.encode() if isinstance(c, str) else c)]
    lines = [f"《{plan.title}》 -> {plan.page}",
             f"  {len(plan.blocks)} python blocks in "
             f"{len([p for p in plan.files if p.suffix == '.py'])} snippet files; "
             + (f"{len(changed)} files changed: " + ", ".join(p.as_posix() for p in changed)
                if changed else "nothing changed (already imported)")]
    for p in plan.removed:
        lines.append(f"  removed {p} (no longer in the note)")
    for block in plan.blocks:
        for pasted in block.pasted:
            lines += [f"  pasted output removed, block at line {block.start} ({block.section}):",
                      *("    note: " + l for l in pasted.splitlines()),
                      *("    live: " + l for l in (block.live.rstrip("\n") or "(prints nothing)").splitlines())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="the raw Obsidian note (.md)")
    parser.add_argument("--assets", type=Path, help="the vault's attachments folder")
    parser.add_argument("--force", action="store_true", help="overwrite snippets edited by hand")
    parser.add_argument("--no-build", action="store_true", help="skip the final strict build")
    args = parser.parse_args(argv)
    try:
        if args.assets is not None and not args.assets.is_dir():
            raise NoteError(f"ASSETS={args.assets}: no such folder")
        plan = make_plan(args.src, args.assets, args.force)
        run_blocks(plan)
    except NoteError as error:
        print(f"make note: {error}\nNothing was changed.", file=sys.stderr)
        return 1
    before = write(plan)
    if not args.no_build:
        done = strict_build()
        if done.returncode != 0:
            restore(before)
            print(done.stderr[-4000:], file=sys.stderr)
            print(f"make note: the strict build failed with {plan.page}; every file is back as it "
                  "was.", file=sys.stderr)
            return 1
    print(report(plan, before))
    print(f"  strict build: {'skipped' if args.no_build else 'passed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
