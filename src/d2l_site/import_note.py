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

from exec_cache.store import write_whole

from .note_blocks import NoteError
from .note_plan import Plan, make_plan

# -- running the blocks, writing, building ------------------------------------------------------


def time_limit(root: Path) -> float | None:
    """exec-cache's `timeout` in mkdocs.yml (its default if unset): a note's blocks get the same
    limit as on the page."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    with open(root / "mkdocs.yml", "rb") as config:  # MkDocs' own loader: !ENV and !relative
        plugins = yaml_load(config, get_yaml_loader(config=MkDocsConfig())).get("plugins") or []
    options = next((p["exec-cache"] for p in plugins if isinstance(p, dict) and "exec-cache" in p), None) or {}
    return options.get("timeout", 120) or None


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
        f"{len([p for p in plan.files if p.suffix == '.py'])} snippet files; "
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="the raw Obsidian note (.md)")
    parser.add_argument("--assets", type=Path, help="the vault's attachments folder")
    parser.add_argument("--force", action="store_true", help="overwrite snippets edited by hand")
    parser.add_argument("--no-build", action="store_true", help="skip the final strict build")
    parser.add_argument("--site-dir", type=Path, help="keep the strict build's site there (default: thrown away)")
    args = parser.parse_args(argv)
    root = Path.cwd()
    try:
        if not (root / "mkdocs.yml").is_file():
            raise NoteError(f"{root}: no mkdocs.yml here; run make note in the project folder")
        if args.assets is not None and not args.assets.is_dir():
            raise NoteError(f"ASSETS={args.assets}: no such folder")
        plan = make_plan(args.src, args.assets, args.force, root)
        run_blocks(plan, root)
    except NoteError as error:
        print(f"make note: {error}\nNothing was changed.", file=sys.stderr)
        return 1
    before = write(plan, root)
    if not args.no_build:
        done = strict_build(root, args.site_dir)
        if done.returncode != 0:
            restore(before, root)
            print(done.stderr[-4000:], file=sys.stderr)
            print(
                f"make note: the strict build failed with {plan.page}; every file is back as it was.", file=sys.stderr
            )
            return 1
    print(report(plan, before))
    print(f"  strict build: {'skipped' if args.no_build else 'passed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
