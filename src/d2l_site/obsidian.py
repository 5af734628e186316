"""Obsidian syntax that no well-kept plugin covers here (used by the d2l-site plugin).

Callouts are mkdocs-callouts' job and ==highlights== pymdownx.mark's. What is left:
- wikilinks [[note]], [[note#heading]], [[note#^block]], [[note|alias]]: a note is a
  page of this site when its first heading is the note's name, else the book URL
  from obsidian_notes.yml, else a visible "未发布" marker (never a dead link);
- block ids ("... ^1537f9" ending a paragraph) become anchors those links reach;
- image embeds ![[file.png|center|600]] become images with width and alignment.
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
WIKILINK = re.compile(r"(?<!!)\[\[(?P<note>[^\]|#]*)(?:#(?P<anchor>[^\]|]+))?(?:\|(?P<alias>[^\]]+))?\]\]")
EMBED = re.compile(r"!\[\[(?P<file>[^\]|#]+)(?P<options>(?:\|[^\]|]*)*)\]\]")
BLOCK_ID = re.compile(r"^(?P<text>\S.*?)\s+\^(?P<id>[A-Za-z0-9-]+)\s*$")
TITLE = re.compile(r"^# (?P<title>.+?)\s*$", re.M)  # a page's note name: its first heading
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
_slug = slugify(case="lower")


def block_anchor(block_id: str) -> str:
    return f"block-{block_id.lower()}"


def heading_anchor(heading: str) -> str:
    return _slug(heading.strip(), "-")


class Vault:
    """The notes this site knows: its pages by first heading, the book's by the mapping file."""

    def __init__(self, docs_dir: str, pages: list[str]):
        self.docs_dir = Path(docs_dir)
        self._blocks: dict[str, str] = {}
        self.pages: dict[str, str] = {}
        for src in pages:
            text = (self.docs_dir / src).read_text(encoding="utf-8")
            title = TITLE.search(text)
            if title:
                self.pages.setdefault(title["title"], src)
        self.book: dict[str, str] = yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or {}
        self.files = {
            p.name: p.relative_to(self.docs_dir).as_posix()
            for p in self.docs_dir.rglob("*")
            if p.suffix.lower() in IMAGE_TYPES
        }

    def convert(self, markdown: str, src: str) -> str:
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
        return WIKILINK.sub(lambda m: self._link(m, src), text)

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
