"""Obsidian syntax that no well-kept extension covers here (used by the d2l-site plugin).

Callouts are mkdocs-callouts' job, ==highlights== pymdownx.mark's, ~~strikethrough~~
pymdownx.tilde's, task lists pymdownx.tasklist's, footnotes Markdown's. What is left:
- %% comments %%, inline or over lines, are dropped: the author's private memo is never
  published (strip_comments; `make note` drops them too);
- wikilinks [[note]], [[note#heading]], [[note#^block]], [[note|alias]]: a note is a
  page of this site when its first heading (or one of its `aliases`) is the note's name, else
  the book URL from obsidian_notes.yml, else a visible "未发布" marker (never a dead link);
- block ids ("... ^1537f9" ending a paragraph) become anchors those links reach;
- image embeds ![[file.png|center|600]] become images with width and alignment;
- note embeds ![[note]], ![[note#heading]], ![[note#^id]] put that text here when the note is a
  page of this site (its python blocks as plain code), else a link; a cycle is an error;
- #tags in the text become tag marks, and the page's tags (tags_of);
- $…$ and $$…$$ become MathML on the page (page_math; the notebook keeps the LaTeX).
Code blocks and inline code are left untouched.
"""

from __future__ import annotations

import posixpath
import re
from html import escape
from pathlib import Path

import yaml
from pymdownx.slugs import slugify

from exec_cache.scan import fences, lines_of

NOTES_FILE = Path(__file__).with_name("obsidian_notes.yml")
COMMENT = re.compile(r"%%.*?%%", re.S)
EXEC_ATTR = re.compile(r'^(\s*(?:`{3,}|~{3,})\s*py(?:thon)?\b.*?)\bexec="?(?:1|true|yes|on)"?', re.M)
TAG = re.compile(r"(?<![\w&#/(:\"'])#(?P<tag>[^\W\d_][\w/-]*)")  # #标签, #tag/sub; not #1, not a URL fragment
DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)(?P<tex>[^$\n]+?)(?<=\S)\$(?![$\w])")
WIKILINK = re.compile(r"(?<!!)\[\[(?P<note>[^\]|#]*)(?:#(?P<anchor>[^\]|]+))?(?:\|(?P<alias>[^\]]+))?\]\]")
EMBED = re.compile(r"!\[\[(?P<file>[^\]|#]+)(?:#(?P<anchor>[^\]|]+))?(?P<options>(?:\|[^\]|]*)*)\]\]")
BLOCK_ID = re.compile(r"^(?P<text>\S.*?)\s+\^(?P<id>[A-Za-z0-9-]+)\s*$")
TITLE = re.compile(r"^# (?P<title>.+?)\s*$", re.M)  # a page's note name: its first heading
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
_slug = slugify(case="lower")


class EmbedError(Exception):
    """An embed that cannot be made (a cycle); the build names the notes."""


def outside_code(text: str, change) -> str:
    """`change(chunk)` applied to the text between fenced code blocks (their lines kept as they are)."""
    lines = text.split("\n")
    code = {n for fence in fences(lines_of(text)) for n in range(fence.start, min(fence.end, len(lines) - 1) + 1)}
    out, chunk = [], []
    for n, line in enumerate(lines):
        if n in code:
            if chunk:
                out.append(change("\n".join(chunk)))
                chunk = []
            out.append(line)
        else:
            chunk.append(line)
    if chunk:
        out.append(change("\n".join(chunk)))
    return "\n".join(out)


def _outside_inline_code(text: str, change) -> str:
    return "".join(p if p.startswith("`") else change(p) for p in re.split(r"(`[^`\n]*`)", text))


def in_prose(text: str, change) -> str:
    """`change(part)` applied to the text outside fenced and inline code."""
    return outside_code(text, lambda chunk: _outside_inline_code(chunk, change))


def strip_comments(text: str) -> str:
    """The text without its %% comments %% (outside code)."""
    drop = lambda m: "\n" * m[0].count("\n")  # noqa: E731 - the lines after it keep their numbers
    return outside_code(text, lambda chunk: COMMENT.sub(drop, chunk))


def page_math(text: str) -> str:
    """$$…$$ and $…$ outside code as MathML (the LaTeX kept in alttext)."""
    from .page_helpers import math

    def convert(chunk: str) -> str:
        chunk = DISPLAY_MATH.sub(lambda m: "\n" + math(m["tex"].strip()) + "\n", chunk)
        return INLINE_MATH.sub(lambda m: math(m["tex"], block=False), chunk)

    return in_prose(text, convert)


def tags_of(text: str) -> list[str]:
    """The #tags of a page's text (outside code), in order."""
    found: list[str] = []
    in_prose(text, lambda part: found.extend(TAG.findall(part)) or part)
    return list(dict.fromkeys(found))


def block_anchor(block_id: str) -> str:
    return f"block-{block_id.lower()}"


def heading_anchor(heading: str) -> str:
    return _slug(heading.strip(), "-")


def is_image(name: str) -> bool:
    return Path(name).suffix.lower() in IMAGE_TYPES


class Vault:
    """The notes this site knows: its pages by first heading and `aliases`, the book's by the
    mapping file."""

    def __init__(self, docs_dir: str, pages: list[str]):
        from mkdocs.utils.meta import get_data

        self.docs_dir = Path(docs_dir)
        self._blocks: dict[str, str] = {}
        self.pages: dict[str, str] = {}
        self.tags_page = "tags.md" if "tags.md" in pages else None
        aliases = []
        for src in pages:
            body, meta = get_data((self.docs_dir / src).read_text(encoding="utf-8"))
            title = TITLE.search(body)
            if title:
                self.pages.setdefault(title["title"], src)
            names = meta.get("aliases") or []
            aliases += [(str(name), src) for name in ([names] if isinstance(names, str) else names)]
        for name, src in aliases:  # a page's own title wins over another's alias
            self.pages.setdefault(name, src)
        self.book: dict[str, str] = yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or {}
        self.files = {
            p.name: p.relative_to(self.docs_dir).as_posix()
            for p in self.docs_dir.rglob("*")
            if p.suffix.lower() in IMAGE_TYPES
        }

    def convert(self, markdown: str, src: str, embedding: tuple[str, ...] = ()) -> str:
        """The page's Markdown with the Obsidian syntax rendered; `embedding`: the notes whose
        embeds led here (an embed cycle is an EmbedError)."""
        markdown = self._embed_notes(strip_comments(markdown), src, embedding)
        # [[#^id]] names no note: its link text is the start of the paragraph it points to
        self._blocks = {m["id"]: m["text"] for m in map(BLOCK_ID.match, markdown.split("\n")) if m}
        lines = markdown.split("\n")
        code = {n for fence in fences(lines_of(markdown)) for n in range(fence.start, fence.end + 1)}
        out = []
        for n, line in enumerate(lines):
            if n in code:
                out.append(line)
                continue
            parts = re.split(r"(`[^`]*`)", line)  # leave inline code alone
            line = "".join(p if p.startswith("`") else self._inline(p, src) for p in parts)
            block = BLOCK_ID.match(line)
            if block and not line.lstrip().startswith(("#", "-", "*", ">", "|")):
                line = f"{block['text']}\n{{: #{block_anchor(block['id'])} }}"
            out.append(line)
        return "\n".join(out)

    def _inline(self, text: str, src: str) -> str:
        text = EMBED.sub(lambda m: self._embed(m, src), text)
        text = WIKILINK.sub(lambda m: self._link(m, src), text)
        return TAG.sub(lambda m: self._tag(m["tag"], src), text)

    def _tag(self, tag: str, src: str) -> str:
        if self.tags_page is None:
            return f'<span class="obsidian-tag">#{escape(tag)}</span>'
        target = posixpath.relpath(self.tags_page, posixpath.dirname(src) or ".")
        return f"[#{tag}]({target}){{ .obsidian-tag }}"  # its anchor is made after MkDocs checks anchors

    def _embed_notes(self, markdown: str, src: str, embedding: tuple[str, ...]) -> str:
        """A line that is only a note embed becomes that note's text, or part of it."""

        def embed(line: str) -> str:
            m = EMBED.fullmatch(line.strip())
            if not m or is_image(m["file"]):
                return line
            note, anchor = m["file"].strip(), (m["anchor"] or "").strip()
            page = next((t for t, s in self.pages.items() if s == src), src)  # the page being converted
            link = self._link(WIKILINK.match(f"[[{note}{'#' + anchor if anchor else ''}]]"), src)
            if note not in self.pages:
                return f"> 嵌入：{link}"
            if note in embedding or self.pages[note] == src:
                chain = " 嵌入 ".join(f"《{n}》" for n in (page, *embedding, note))
                raise EmbedError(f"an embed cycle: {chain}")
            text = self.part(self.pages[note], anchor)
            # its python blocks as plain code: they run on their own page
            text = EXEC_ATTR.sub(r"\1", text)
            inner = self.convert(text, src, (*embedding, note))
            # blank lines around the Markdown inside: Jupyter (CommonMark) renders it there too
            return f'<div class="note-embed" markdown>\n\n嵌入自 {link}\n{{: .note-embed-source }}\n\n{inner}\n\n</div>'

        return outside_code(markdown, lambda chunk: "\n".join(embed(line) for line in chunk.split("\n")))

    def part(self, page_src: str, anchor: str) -> str:
        """A page's text (no front matter, no comments), or its section `heading`, or its block `^id`."""
        from mkdocs.utils.meta import get_data

        lines = strip_comments(get_data((self.docs_dir / page_src).read_text(encoding="utf-8"))[0]).split("\n")
        if anchor.startswith("^"):
            end = next((i for i, l in enumerate(lines) if l.rstrip().endswith(f"^{anchor[1:]}")), None)
            if end is None:
                raise EmbedError(f"{page_src}: no block ^{anchor[1:]} to embed")
            start = end
            while start > 0 and lines[start - 1].strip():
                start -= 1
            lines[end] = lines[end].rstrip()[: -len(anchor)].rstrip()
            return "\n".join(lines[start : end + 1])
        if anchor:
            heads = [
                (i, len(m[1]))
                for i, l in enumerate(lines)
                if (m := re.match(r"^(#{1,6})\s+(.*?)\s*$", l)) and m[2] == anchor
            ]
            if not heads:
                raise EmbedError(f"{page_src}: no heading '{anchor}' to embed")
            start, level = heads[0]
            end = next(
                (
                    i
                    for i in range(start + 1, len(lines))
                    if (m := re.match(r"^(#{1,6})\s", lines[i])) and len(m[1]) <= level
                ),
                len(lines),
            )
            return "\n".join(lines[start:end]).strip("\n")
        return "\n".join(lines[1:] if lines and TITLE.match(lines[0]) else lines).strip("\n")

    def _link(self, m: re.Match, src: str) -> str:
        note, anchor, alias = (m["note"] or "").strip(), (m["anchor"] or "").strip(), m["alias"]
        if anchor.startswith("^"):
            fragment, shown = "#" + block_anchor(anchor[1:]), note or self._quote(anchor[1:])
        elif anchor:
            fragment, shown = "#" + heading_anchor(anchor), f"{note} > {anchor}" if note else anchor
        else:
            fragment, shown = "", note
        label = (alias or shown).strip()
        if not note or self.pages.get(note) == src:  # [[#heading]], or a link to this page
            return f"[{label}]({fragment or '#'})"
        if note in self.pages:
            target = posixpath.relpath(self.pages[note], posixpath.dirname(src) or ".")
            return f"[{label}]({target}{fragment})"
        if note in self.book:  # the book's anchors differ from the vault's: page only
            return f"[{label}]({self.book[note]})"
        return (
            f'<span class="unpublished-note" title="笔记《{escape(note)}》尚未发布">'
            f"{escape(label)}<sup>未发布</sup></span>"
        )

    def _quote(self, block_id: str) -> str:
        text = re.sub(r"[*_=`\[\]]", "", self._blocks.get(block_id, f"^{block_id}")).strip()
        return f"“{text[:24]}…”" if len(text) > 24 else f"“{text}”"

    def _embed(self, m: re.Match, src: str) -> str:
        name = m["file"].strip()
        options = [o.strip() for o in m["options"].split("|") if o.strip()]
        path = self.files.get(Path(name).name, name)
        target = posixpath.relpath(path, posixpath.dirname(src) or ".")
        attrs, alt = [], Path(name).stem
        for option in options:
            size = re.fullmatch(r"(\d+)(?:x(\d+))?", option)
            if size:
                attrs.append(f'width="{size[1]}"')
                if size[2]:
                    attrs.append(f'height="{size[2]}"')
            elif option in ("center", "left", "right"):
                attrs.append(f".align-{option}")
            else:
                alt = option
        return f"![{alt}](<{target}>){{ {' '.join(attrs)} }}" if attrs else f"![{alt}](<{target}>)"
