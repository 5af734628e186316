"""The one scanner of fenced code blocks and `--8<--` include lines in Markdown text.

Everything that reads a page's fences uses it: the engine (which blocks run, before the page
renders), a site's notebook maker and note importer. A fence opens with three or more backticks
or tildes, optionally indented (inside an admonition or a list), and closes with a line of at
least as many of the same character indented no more than three spaces past the opening; leading
tabs count as four spaces. A fence that never closes runs to the end of the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

OPEN = re.compile(r"^(?P<indent> *)(?P<marker>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)(?P<info>.*)$")
ATTR = re.compile(r'(?P<name>[\w-]+)=(?:"(?P<q>[^"]*)"|(?P<v>\S+))')
# pymdownx.snippets' include line: `--8<-- "path[:section]"`; a leading `;` escapes it
INCLUDE = re.compile(r'^\s*(?P<escape>;)?--8<-- "(?P<target>(?P<path>[^":]+)(?::(?P<section>[^"]*))?)"\s*$')
TRUE = ("1", "true", "yes", "on")
PYTHON = ("python", "py")  # the fence languages markdown-exec runs as python


def execution_options(options: dict) -> dict:
    """markdown-exec's fence options that change what a block prints, one spelling whether they
    come from the fence line (strings) or from markdown-exec's validator (width an int)."""
    return {"workdir": options.get("workdir") or None, "width": int(options.get("width") or 0) or None}


def lines_of(text: str) -> list[str]:
    """The text's lines, leading tabs as four spaces each (as the fences will see them)."""
    return [re.sub(r"^\t+", lambda m: "    " * len(m[0]), line) for line in text.split("\n")]


@dataclass
class Fence:
    start: int  # index of the opening line
    end: int  # index of the closing line (len(lines) if it never closes)
    indent: str
    marker: str
    lang: str
    info: str  # what follows the language on the opening line
    body: list[str]  # the lines inside, less the fence's indent
    closed: bool = True

    @property
    def attrs(self) -> dict[str, str]:
        """Every key="value" (or key=value) of the opening line."""
        return {a["name"]: a["q"] if a["q"] is not None else a["v"] for a in ATTR.finditer(self.info)}

    @property
    def include(self) -> re.Match | None:
        """The include, when the block's only written line is one `--8<--` line."""
        written = [line for line in self.body if line.strip()]
        m = INCLUDE.match(written[0]) if len(written) == 1 else None
        return m if m and not m["escape"] else None


def fence_at(lines: list[str], i: int) -> Fence | None:
    """The fence that opens at line `i`, or None."""
    m = OPEN.match(lines[i])
    if not m:
        return None
    indent, marker = m["indent"], m["marker"]
    close = re.compile(rf"^ {{0,{len(indent) + 3}}}{re.escape(marker[0])}{{{len(marker)},}}\s*$")
    j = i + 1
    while j < len(lines) and not close.match(lines[j]):
        j += 1
    body = [line[len(indent) :] if line.startswith(indent) else line.lstrip() for line in lines[i + 1 : j]]
    return Fence(i, j, indent, marker, m["lang"], m["info"], body, closed=j < len(lines))


def fences(lines: list[str]) -> Iterator[Fence]:
    """Every outermost fence, in order (a fence inside another is part of its body)."""
    i = 0
    while i < len(lines):
        fence = fence_at(lines, i)
        if fence is None:
            i += 1
            continue
        yield fence
        i = fence.end + 1


def stamp(path: Path) -> tuple:
    """(mtime, size) of a file, to compare between rebuilds: whether it may have changed
    ((None, None): missing). The one such stamp of the packages."""
    try:
        info = path.stat()
    except OSError:
        return None, None
    return info.st_mtime_ns, info.st_size


def included_stats(root: Path, text: str) -> tuple:
    """(path, mtime, size) of each file `text` includes: whether what a page's fences expand to
    may have changed."""
    return tuple((rel, *stamp(root / rel)) for rel in sorted(included_paths(text)))


def is_include(line: str) -> bool:
    m = INCLUDE.match(line)
    return bool(m) and not m["escape"]


def included_paths(text: str) -> set[str]:
    """The files that `--8<--` lines of `text` include (sections stripped)."""
    return {m["path"] for m in map(INCLUDE.match, text.split("\n")) if m and not m["escape"]}


@dataclass
class Block:
    """A python block that markdown-exec runs: its code as the fence formatter receives it."""

    session: str  # "" for a block with no session
    code: str
    title: str
    include: str | None  # the `--8<--` target when the block is exactly one include
    options: dict  # what changes its output besides the code: workdir, width


def exec_blocks(text: str, expand: Callable[[str], str]) -> list[Block]:
    """The python exec blocks of a page's Markdown, in order, with their code as the fence
    formatter will receive it. `expand(line)` applies pymdownx.snippets to one include line."""
    blocks = []
    for fence in fences(lines_of(text)):
        attrs = fence.attrs
        if fence.lang not in PYTHON or attrs.get("exec", "").lower() not in TRUE:
            continue
        include = fence.include
        code = "\n".join(expand(line) if is_include(line) else line for line in fence.body)
        blocks.append(
            Block(
                attrs.get("session", ""),
                code.strip("\n"),
                attrs.get("title", ""),
                include["target"] if include else None,
                execution_options(attrs),
            )
        )
    return blocks


def sessions(blocks: list[Block]) -> dict[str, list[int]]:
    """The indices of each session's blocks, in order; a block with no session is alone."""
    found: dict[str, list[int]] = {}
    for n, block in enumerate(blocks):
        found.setdefault(block.session or f"-{n}", []).append(n)
    return found
