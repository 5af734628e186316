"""Reading a raw Obsidian note's code: its python blocks, the outputs pasted after or inside
them, and the sessions they form (blocks that share names), for `make note` (import_note.py)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field

from exec_cache.scan import fence_at

# a comment that is a pasted output, not an explanation: what print() shows for tensors & co.
OUTPUT_COMMENT = re.compile(
    r"^(tensor\(|torch\.Size\(|Parameter containing|OrderedDict\(|"
    r"Sequential\(|Linear\(|\(\[|\[\[|[-+]?\d|True\b|False\b|None\b|<[A-Za-z])"
)
CONTINUATION = re.compile(r"^(\s|[\[\]()'\-\d]|tensor|requires_grad)")
OUTPUT_INTRO = re.compile(r"^\s*(输出|结果|运行结果|output)\s*[:：]?\s*$", re.I)


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
        fence = fence_at(lines, i)
        if fence is None or fence.indent:
            out.append(line)
            i += 1
            continue
        if not fence.closed:
            raise NoteError(f"line {i + 1}: a ``` fence that never closes")
        if fence.lang not in ("python", "py") or "exec" in fence.attrs:
            out.extend(lines[i : fence.end + 1])
            i = fence.end + 1
            continue
        block = Block(i + 1, fence.end + 1, "", heading=heading)
        block.code = strip_output_comments(fence.body, block)
        blocks.append(block)
        out.append(f"\0block {len(blocks) - 1}")
        i = fence.end + 1
        # an output pasted after the block: an optional "输出：" line, then a fence with no language
        j = i
        while j < len(lines) and not lines[j].strip():
            j += 1
        k = j + 1 if j < len(lines) and OUTPUT_INTRO.match(lines[j]) else j
        while k < len(lines) and not lines[k].strip():
            k += 1
        pasted = fence_at(lines, k) if k < len(lines) else None
        if pasted and not pasted.indent and pasted.closed and pasted.lang in ("", "text", "output", "console"):
            block.pasted.append("\n".join(pasted.body))
            i = pasted.end + 1
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
            while (
                n + 1 < len(code)
                and code[n + 1].strip().startswith("#")
                and CONTINUATION.match(
                    code[n + 1].strip().lstrip("#")[1:] if code[n + 1].strip().startswith("# ") else "x"
                )
            ):
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
                return line[: tok.start[1]], tok.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return line, None


# -- blocks into snippet files --------------------------------------------------------------


MAGIC = re.compile(r"^\s*(%{1,2}\w+|!\S)")  # IPython's %magic, %%cell magic and !shell lines


def parse(block: Block) -> ast.Module:
    try:
        return ast.parse(block.code)
    except SyntaxError as error:
        lines = block.code.split("\n")
        magic = next((n for n, line in enumerate(lines) if MAGIC.match(line)), None)
        if magic is not None:
            raise NoteError(
                f"line {block.start + 1 + magic}: `{lines[magic].strip()}` is an IPython magic, not Python: "
                "a snippet runs as a plain .py file; leave it out of the note's python block"
            ) from None
        raise NoteError(
            f"line {block.start + (error.lineno or 1)}: the python block at line "
            f"{block.start} is not valid Python: {error.msg}"
        ) from None


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
    if not (
        isinstance(last, ast.Expr)
        and not (isinstance(last.value, ast.Call) and getattr(last.value.func, "id", "") == "print")
    ):
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
