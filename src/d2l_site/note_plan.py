"""`make note`'s plan: the page, snippet files, images and nav entry a raw note becomes, as
(path -> content), checked before anything is written (import_note.py writes it)."""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .note_blocks import Block, NoteError, file_name, parse, sessions, show_last_expression, split_blocks
from .obsidian import EMBED, NOTES_FILE, TITLE, is_image, strip_comments  # the site's own rules: one place

BOOK_URL = re.compile(r"^https://zh\.d2l\.ai/chapter_(?P<chapter>[\w-]+)/(?P<file>[\w-]+)\.html$")
SECTION = re.compile(r"^(?P<number>\d+(?:\.\d+)*)\s")
IMPORTED = "imported: true  # made by make note from the Obsidian note; edit the note and import again"


def read_note(src: Path) -> tuple[str, dict]:
    """The note's text as Obsidian saves it (UTF-8, a BOM or not, CRLF or LF), without its
    properties (YAML front matter), which are returned apart."""
    try:
        text = src.read_bytes().decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        raise NoteError(f"{src}: not UTF-8 (byte {error.start}); save the note as UTF-8, as Obsidian does") from None
    except OSError as error:
        raise NoteError(f"{src}: {error.strerror}") from None
    m = re.match(r"---\n(.*?\n)?---\n", text, re.S)
    if not m:
        return text, {}
    try:
        properties = yaml.safe_load(m[1] or "") or {}
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", 0) + 2
        raise NoteError(f"line {line}: its properties are not valid YAML") from None
    if not isinstance(properties, dict):
        raise NoteError("line 2: its properties are not a list of `name: value`")
    # the properties' lines stay as blank lines: a line number in a message is the note's own
    return "\n" * m[0].count("\n") + text[m.end() :], properties


def front_matter(properties: dict, notebook: bool) -> list[str]:
    """The page's front matter: the importer's own keys, then the note's properties (`tags` and
    `aliases` for Material's tags and for [[links]]; the others kept under `properties`)."""
    as_list = lambda v: [str(x).lstrip("#") for x in ([v] if isinstance(v, str) else v or [])]  # noqa: E731
    extra = {k: as_list(properties[k]) for k in ("tags", "aliases") if properties.get(k)}
    rest = {k: v for k, v in properties.items() if k not in ("tags", "aliases")}
    if rest:
        extra["properties"] = rest
    dumped = (
        yaml.safe_dump(extra, allow_unicode=True, sort_keys=False, default_flow_style=False).strip() if extra else ""
    )
    return ["---", IMPORTED, *(["notebook: true"] if notebook else []), *([dumped] if dumped else []), "---"]


def place(title: str, book: dict, line: int = 1) -> tuple[str, str]:
    """(chapter folder, file stem) of the note's book section, from obsidian_notes.yml."""
    url = book.get(title)
    m = BOOK_URL.match(url or "")
    if not m:
        raise NoteError(
            f"line {line}: 《{title}》 is not a section of the book (d2l_site/{NOTES_FILE.name} lists "
            "every one, by the book's table of contents): name the note as the book names the section, "
            "for example '# 3.2 线性回归的从零开始实现'"
        )
    return m["chapter"], m["file"]


def vault_notes(vault: Path) -> set[str]:
    """The names of a vault's notes: Obsidian names a note by its file."""
    return {p.stem for p in vault.rglob("*.md")}


@dataclass
class Plan:
    """Everything the import writes, as (path -> text); nothing is on disk yet."""

    page: Path
    title: str
    files: dict[Path, str | bytes] = field(default_factory=dict)
    removed: list[Path] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    sessions: dict[Path, list[tuple[str, str]]] = field(default_factory=dict)  # file -> (section, code)


def make_plan(src: Path, assets: Path | None, force: bool, root: Path, vault: Path | None = None) -> Plan:
    """The plan of importing the note `src` (of the folder `vault`) into the project at `root`."""
    text, properties = read_note(src)
    text = strip_comments(text)  # the author's private memo: never on the page, in a snippet or a test
    m = TITLE.search(text)
    if not m:
        raise NoteError(f"{src}: no '# title' heading; the first heading names the page")
    title = m["title"]
    book = yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or {}
    chapter, stem = place(title, book, text[: m.start()].count("\n") + 1)
    check_embeds(text, vault or src.parent, root)
    page_rel = Path("docs") / chapter / f"{stem}.md"
    page_id = stem.replace("-", "_")
    snippet_dir = Path("snippets") / page_id
    check_title(title, page_rel, force, root)

    lines, blocks = split_blocks(text)
    trees = [parse(b) for b in blocks]
    imports = list(
        dict.fromkeys(ast.unparse(n) for t in trees for n in t.body if isinstance(n, (ast.Import, ast.ImportFrom)))
    )
    if blocks and "import torch" not in imports:
        imports.insert(0, "import torch")
    plan = Plan(page_rel, title, blocks=blocks)
    taken: set[str] = set()
    session_of: dict[int, str] = {}
    for group in sessions(blocks, trees):
        name = file_name(trees[group[0]], taken, f"{page_id}_{len(taken) + 1}")
        path = snippet_dir / f"{name}.py"
        sections = [("setup", "\n".join([*imports, "", "torch.manual_seed(0)"]))]
        for i in group:
            blocks[i].section = f"block{i + 1}"
            sections.append((blocks[i].section, show_last_expression(blocks[i].code, trees[i])))
            session_of[i] = path.as_posix()
        plan.sessions[path] = sections
        doc = f'"""{title}：{blocks[group[0]].heading or "代码"}（由 make note 从笔记导入；改笔记后重新导入）。"""'
        marked = (f"# --8<-- [start:{part}]\n{code}\n# --8<-- [end:{part}]" for part, code in sections)
        plan.files[path] = f"{doc}\n" + "\n\n".join(marked) + "\n"

    # the page: the note's text, each block replaced by include fences
    while lines and not lines[0].strip():  # the properties' lines, kept blank for line numbers
        lines.pop(0)
    page_lines, started = front_matter(properties, bool(blocks)), set()
    for line in lines:
        if not line.startswith("\0block "):
            page_lines.append(line)
            continue
        i = int(line.split()[1])
        path = session_of[i]
        session = f"{page_id}_{Path(path).stem}"  # session names are per site: prefix the page
        if path not in started:  # the session's hidden set-up, once, before its first block
            started.add(path)
            page_lines += [
                f'```python exec="1" session="{session}" title="{path}"',
                f'--8<-- "{path}:setup"',
                "```",
                "",
            ]
        page_lines += [
            f'```python exec="1" source="block" result="text" session="{session}" title="{path}"',
            f'--8<-- "{path}:{blocks[i].section}"',
            "```",
        ]
    plan.files[page_rel] = "\n".join(page_lines).rstrip("\n") + "\n"

    # images the note embeds, next to the page
    for name in sorted({m["file"].strip() for m in EMBED.finditer(text) if is_image(m["file"])}):
        target = page_rel.parent / Path(name).name
        found = find_asset(name, assets) if assets else None
        if found is not None:
            plan.files[target] = found.read_bytes()
        elif not (root / target).exists() and not list((root / "docs").rglob(Path(name).name)):
            raise NoteError(
                f"![[{name}]]: no such file"
                + (f" under {assets}" if assets else "; give ASSETS=<the vault's attachments folder>")
            )

    # snippets of an earlier import that this one no longer makes
    manifest = root / snippet_dir / ".imported.json"
    old = json.loads(manifest.read_text(encoding="utf-8"))["files"] if manifest.exists() else {}
    for name in sorted(old):
        if snippet_dir / name not in plan.files:
            plan.removed.append(snippet_dir / name)
    check_hand_edits(plan, old, snippet_dir, force, root)
    if blocks:
        plan.files[snippet_dir / ".imported.json"] = (
            json.dumps(
                {
                    "note": title,
                    "files": {p.name: digest(t) for p, t in sorted(plan.files.items()) if p.parent == snippet_dir},
                },
                ensure_ascii=False,
                indent=1,
            )
            + "\n"
        )
    plan.files[Path("mkdocs.yml")] = with_nav_entry(
        (root / "mkdocs.yml").read_text(encoding="utf-8"), title, page_rel, bool(blocks), book, chapter
    )
    return plan


def check_embeds(text: str, vault: Path, root: Path) -> None:
    """Every note the note embeds is in the vault, or a page of the site already."""
    known = None
    for n, line in enumerate(text.split("\n"), 1):
        for m in EMBED.finditer(line):
            if is_image(m["file"]):
                continue
            if known is None:
                known = vault_notes(vault) | {
                    t["title"]
                    for p in (root / "docs").rglob("*.md")
                    if (t := TITLE.search(p.read_text(encoding="utf-8")))
                }
            if m["file"].strip() not in known:
                raise NoteError(f"line {n}: ![[{m['file'].strip()}]] embeds a note that is not in the vault ({vault})")


def find_asset(name: str, assets: Path) -> Path | None:
    direct = assets / name
    if direct.is_file():
        return direct
    return next(iter(sorted(assets.rglob(Path(name).name))), None)


def digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def check_title(title: str, page_rel: Path, force: bool, root: Path) -> None:
    """Another page with this title would make [[links]] ambiguous, and a page written by hand
    is not overwritten; re-importing the same note is an update."""
    if force:
        return
    for page in sorted((root / "docs").rglob("*.md")):
        rel = page.relative_to(root)
        text = page.read_text(encoding="utf-8")
        if rel == page_rel and not text.startswith(f"---\n{IMPORTED}\n"):
            raise NoteError(f"{rel} exists and was not made by make note; run with FORCE=1 to replace it")
        m = TITLE.search(text)
        if rel != page_rel and m and m["title"] == title:
            raise NoteError(f"《{title}》: {rel} already has this title; rename one of them, or run with FORCE=1")


def check_hand_edits(plan: Plan, old: dict, snippet_dir: Path, force: bool, root: Path) -> None:
    for path in [p for p in plan.files if p.parent == snippet_dir] + plan.removed:
        current = root / path
        if not current.exists() or path.suffix != ".py":
            continue
        text = current.read_text(encoding="utf-8")
        new = plan.files.get(path)
        if new == text:
            continue
        if old.get(path.name) != digest(text) and not force:
            raise NoteError(
                f"{path} was edited by hand since the last import (or was not made by "
                "it); keep your edit in the note, or run again with FORCE=1"
            )


def with_nav_entry(config: str, title: str, page_rel: Path, notebook: bool, book: dict, chapter: str) -> str:
    """mkdocs.yml with the page (and its notebook) in its chapter's nav list, in book order."""
    rel = page_rel.relative_to("docs").as_posix()
    entries = [f"      - {title}: {rel}"]
    if notebook:
        entries.append(f"      - {title}（Notebook）: notebooks/{page_rel.stem}.ipynb")
    lines = config.split("\n")
    lines = [
        l
        for l in lines
        if not re.match(
            rf"^\s+- [^:]+: (?:{re.escape(rel)}|notebooks/"
            rf"{re.escape(page_rel.stem)}\.ipynb)$",
            l,
        )
    ]
    start = lines.index("nav:")
    chapter_title = next(
        (name for name, url in book.items() if url == f"https://zh.d2l.ai/chapter_{chapter}/index.html"), None
    )
    if chapter_title is None:
        raise NoteError(
            f"no chapter title for chapter_{chapter} in d2l_site/{NOTES_FILE.name}; "
            f"add '第 N 章 标题: https://zh.d2l.ai/chapter_{chapter}/index.html'"
        )
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
