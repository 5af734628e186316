"""`make note SRC="<vault>/5.3 延后初始化.md" [ASSETS=<attachments folder>] [FORCE=1]`:
turn a raw Obsidian note into a live page of this site, in one command.

What it does (the 写作指南 explains each step):
1. places the page at docs/<chapter>/<book file>.md, from the book URL of the note's
   section in d2l_site/obsidian_notes.yml (the note's first heading stays its title);
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
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from exec_cache.store import write_whole

from .note_blocks import NoteError
from .note_plan import Plan, make_plan, read_note
from .note_tests import add_tests
from .obsidian import NOTES_FILE, TITLE

# -- running the blocks, writing, building ------------------------------------------------------


def time_limit(root: Path) -> float | None:
    """exec-cache's `timeout` in mkdocs.yml (its default if unset): a note's blocks get the same
    limit as on the page."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    with open(root / "mkdocs.yml", "rb") as config:  # MkDocs' own loader: !ENV and !relative
        plugins = yaml_load(config, get_yaml_loader(config=MkDocsConfig())).get("plugins") or []
    options = next((p["exec-cache"] for p in plugins if isinstance(p, dict) and "exec-cache" in p), None) or {}
    from exec_cache.plugin import ExecCacheConfig  # its default: one place

    return options.get("timeout", ExecCacheConfig.timeout.default) or None


def run_blocks(plan: Plan, root: Path) -> None:
    """Run every session as the page will (exec-cache's run_code, its time limit); a raising
    block stops the import."""
    from exec_cache.reads import Watched
    from exec_cache.run import BlockError, run_code

    sys.path.insert(0, str(root))
    timeout = time_limit(root)
    for path, sections in plan.sessions.items():
        namespace: dict = {}
        for section, code in sections:
            block = next((b for b in plan.blocks if b.section == section), None)
            try:
                output, _ = run_code(code, namespace, f"{path}:{section}", Watched(root, ()), None, timeout)
            except BlockError as error:
                where = f"the python block at line {block.start} of the note" if block else f"the set-up of {path}"
                raise NoteError(f"{where} raises:\n{error.trace.rstrip()}") from None
            if block:
                block.live = output


def write(plan: Plan, root: Path) -> dict[Path, bytes | None]:
    """Write the plan; return what each touched file held before (None: did not exist)."""
    before: dict[Path, bytes | None] = {}
    for path in list(plan.files) + plan.removed:
        full = root / path
        before[path] = full.read_bytes() if full.exists() else None
    for path, content in plan.files.items():
        full = root / path
        data = content.encode() if isinstance(content, str) else content
        if before[path] != data:
            write_whole(full, data)
    for path in plan.removed:
        (root / path).unlink(missing_ok=True)
    return before


def restore(before: dict[Path, bytes | None], root: Path) -> None:
    for path, data in before.items():
        full = root / path
        if data is None:
            full.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # a folder the import created, now empty
                full.parent.rmdir()
        else:
            full.write_bytes(data)


def strict_build(root: Path, site_dir: Path | None) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` into site_dir, or into a temporary folder that is then removed."""
    site = site_dir or Path(tempfile.mkdtemp(prefix="d2l-note-site-"))
    try:
        return subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
    finally:
        if site_dir is None:
            shutil.rmtree(site, ignore_errors=True)


def report(plan: Plan, before: dict[Path, bytes | None]) -> str:
    changed = [p for p, c in plan.files.items() if before.get(p) != (c.encode() if isinstance(c, str) else c)]
    lines = [
        f"《{plan.title}》 -> {plan.page}",
        f"  {len(plan.blocks)} python blocks in "
        f"{len(plan.sessions)} snippet files; "
        + (
            f"{len(changed)} files changed: " + ", ".join(p.as_posix() for p in changed)
            if changed
            else "nothing changed (already imported)"
        ),
    ]
    for p in plan.removed:
        lines.append(f"  removed {p} (no longer in the note)")
    for block in plan.blocks:
        for pasted in block.pasted:
            lines += [
                f"  pasted output removed, block at line {block.start} ({block.section}):",
                *("    note: " + l for l in pasted.splitlines()),
                *("    live: " + l for l in (block.live.rstrip("\n") or "(prints nothing)").splitlines()),
            ]
    return "\n".join(lines)


def import_one(src: Path, args, root: Path, vault: Path) -> tuple[Plan, dict]:
    """Plan, run and write one note; NoteError (nothing written) if it is refused."""
    plan = make_plan(src, args.assets, args.force, root, vault)
    run_blocks(plan, root)
    add_tests(plan, root, args.force)
    return plan, write(plan, root)


def notes_in(folder: Path, book: dict) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The folder's notes that are book sections, in book order, and the others with the reason."""
    order = {name: n for n, name in enumerate(book)}
    found, skipped = [], []
    for path in sorted(folder.rglob("*.md")):
        try:
            text, _ = read_note(path)
        except NoteError as error:
            found.append((len(order), path, str(error)))  # refused, with its reason, in the table
            continue
        m = TITLE.search(text)
        if m is None or m["title"] not in order:
            why = f"《{m['title']}》 is not a section of the book" if m else "no '# title' heading"
            skipped.append((path, why))
        else:
            found.append((order[m["title"]], path, ""))
    return [p for _, p, _ in sorted(found, key=lambda f: (f[0], str(f[1])))], skipped


def table(rows: list[tuple[str, str, str, str]]) -> str:
    head = ("note", "page", "snippets", "pasted outputs that differ from the live ones")
    return "\n".join("| " + " | ".join(r) + " |" for r in [head, ("---",) * 4, *rows])


def differing(plan: Plan) -> str:
    """The pasted outputs that the live output does not show line for line."""
    lines = [
        f"line {b.start}: " + p.replace("\n", " ⏎ ")
        for b in plan.blocks
        for p in b.pasted
        if not all(line in b.live.splitlines() for line in p.splitlines() if line.strip())
    ]
    return "; ".join(lines) or "none"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="the raw Obsidian note (.md), or a vault folder: every note in it")
    parser.add_argument("--assets", type=Path, help="the vault's attachments folder")
    parser.add_argument("--force", action="store_true", help="overwrite snippets edited by hand")
    parser.add_argument("--no-build", action="store_true", help="skip the final strict build")
    parser.add_argument("--site-dir", type=Path, help="keep the strict build's site there (default: thrown away)")
    args = parser.parse_args(argv)
    root = Path.cwd()
    if not (root / "mkdocs.yml").is_file():
        print(f"make note: {root}: no mkdocs.yml here; run make note in the project folder", file=sys.stderr)
        return 2
    if args.assets is not None and not args.assets.is_dir():
        print(f"make note: ASSETS={args.assets}: no such folder\nNothing was changed.", file=sys.stderr)
        return 1
    folder = args.src.is_dir()
    book = yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or {}
    notes, skipped = notes_in(args.src, book) if folder else ([args.src], [])
    vault = args.src if folder else args.src.parent
    done: list[tuple[Path, Plan, dict]] = []
    refused: list[tuple[Path, str]] = []
    for note in notes:
        try:
            plan, before = import_one(note, args, root, vault)
        except NoteError as error:
            refused.append((note, str(error)))
            print(f"make note: {note.name}: {error}\nNothing was changed.", file=sys.stderr)
            continue
        done.append((note, plan, before))
    if done and not args.no_build:
        build = strict_build(root, args.site_dir)
        if build.returncode != 0:  # the notes whose pages the build names go back; the others stay
            blamed = [d for d in done if d[1].page.relative_to("docs").as_posix() in build.stderr] or done
            for *_, before in reversed(done):
                restore(before, root)
            kept = [d for d in done if d not in blamed]
            done = []
            for note, *_ in kept:
                plan, before = import_one(note, args, root, vault)
                done.append((note, plan, before))
            for note, plan, _ in blamed:
                refused.append((note, f"the strict build failed with {plan.page}:\n{build.stderr[-3000:]}"))
                print(
                    f"make note: {note.name}: the strict build failed with {plan.page}; it is back as it was.\n"
                    f"{build.stderr[-3000:]}",
                    file=sys.stderr,
                )
            if done and strict_build(root, args.site_dir).returncode != 0:
                for _, _, before in reversed(done):
                    restore(before, root)
                refused += [(note, "the strict build failed") for note, *_ in done]
                done = []
    for _, plan, before in done:
        print(report(plan, before))
    rows = [
        (n.name, p.page.as_posix(), ", ".join(f.name for f in p.sessions) or "none", differing(p)) for n, p, _ in done
    ]
    rows += [(n.name, "refused", "", why.split("\n")[0]) for n, why in refused]
    rows += [(n.name, "skipped", "", why) for n, why in skipped]
    if folder or refused:
        print(table(rows))
    if done:
        print(f"  strict build: {'skipped' if args.no_build else 'passed'}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
