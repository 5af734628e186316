"""JupyterLab's stylesheet on the notebook pages: one cacheable file, cut to what they can match.

nbconvert inlines ~570 kB of JupyterLab CSS into every notebook page. `NotebookCSS` takes it out
of each page (a <link> instead), collects the classes the pages use, and writes the sheet once,
cut to the rules those classes can match (575 kB -> 37 kB: less to download and parse on a
phone). The parse (~0.5 s) runs in a worker while pages render; `cache: true` keeps
the cut in .cache/notebook-css/ as checked JSON named by what it is made of.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from pathlib import Path

from mkdocs.utils import get_relative_url

from exec_cache.store import read_checked, write_checked

log = logging.getLogger("mkdocs.plugins.d2l_site")
HREF = "assets/stylesheets/jupyter.css"
CLASS_ATTR = re.compile(r'class="([^"]*)"')


STYLE = re.compile(r'<style type="text/css">\s*(?P<css>.*?)</style>', re.S)
BIG = 20000  # JupyterLab's stylesheet; a notebook's own small styles are shorter


def big_styles(html_text: str) -> list[str]:
    """The large stylesheets nbconvert inlines into a rendered notebook (the same for every
    notebook a build renders: they come from its template, not from the cells)."""
    return [m["css"] for m in STYLE.finditer(html_text) if len(m["css"]) >= BIG]


NEEDED_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
NEVER_MATCHES = re.compile(r"\.jupyter-wrapper\s+(:root|html|body)\b")  # nothing is inside these


def used_css(css: str, classes: set[str], rules: list | None = None) -> str:
    """The rules of `css` that can match a page whose elements carry `classes`.

    A selector is dropped when it needs a class no such page has (outside :not()), or when
    nothing can match it; Material's md-* classes count as present (its JS adds them).
    JupyterLab's stylesheet drops from 575 kB to 37 kB: less to download and parse on a
    phone (Lighthouse's blocking time did not change measurably; Material's start-up is that).
    `rules` is `css_rules(css)`, if a worker has parsed it already."""

    def kept(nodes) -> list[str]:
        out = []
        for kind, head, body in nodes:
            if kind == "rule":
                selectors = [text for text, needed, never in head if set(needed) <= classes and not never]
                if selectors:
                    out.append(",".join(selectors) + "{" + body + "}")
            elif kind == "group":
                inner = kept(body)
                if inner:
                    out.append(f"{head}{{{''.join(inner)}}}")
            else:
                out.append(head)
        return out

    return "".join(kept(css_rules(css) if rules is None else rules))


@functools.lru_cache(maxsize=1)
def css_rules(css: str) -> list:
    """A stylesheet as plain data (parsing 575 kB takes ~0.5 s: a clean build does it in the
    worker, ahead of time): ("rule", [(selector, classes it needs, can never match)],
    body), ("group", "@media …", [its rules]), or ("keep", an at-rule kept as it is)."""
    import tinycss2  # builds only: serve keeps the whole sheet

    def selector(tokens: list) -> tuple:
        text = tinycss2.serialize(t for t in tokens if not (t.type == "function" and t.lower_name == "not"))
        needed = sorted({c for c in NEEDED_CLASS.findall(text) if not c.startswith("md-")})
        return tinycss2.serialize(tokens).strip(), needed, bool(NEVER_MATCHES.search(text))

    def parse(nodes) -> list:
        out = []
        for node in nodes:
            if node.type == "qualified-rule":
                selectors, current = [], []
                for token in node.prelude:  # split the selector list at its top-level commas
                    if token.type == "literal" and token.value == ",":
                        selectors.append(current)
                        current = []
                    else:
                        current.append(token)
                out.append(("rule", [selector(s) for s in selectors + [current]], tinycss2.serialize(node.content)))
            elif node.type == "at-rule" and node.lower_at_keyword in ("media", "supports"):
                out.append(
                    (
                        "group",
                        f"@{node.at_keyword}{tinycss2.serialize(node.prelude)}",
                        parse(tinycss2.parse_rule_list(node.content or [], skip_whitespace=True, skip_comments=True)),
                    )
                )
            elif node.type == "at-rule":
                out.append(("keep", tinycss2.serialize([node]), None))
        return out

    return parse(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))


class NotebookCSS:
    """One build's notebook stylesheet: taken out of each page, written once at the end."""

    def __init__(self, call, *, whole: bool, cache_dir: Path | None):
        self.call = call  # the engine's call: parse in a worker
        self.whole, self.cache_dir = whole, cache_dir  # whole: serve (--dirty sees some pages only)
        self.blocks: list[str] = []
        self.rules = None  # a helper's Future of css_rules(the sheet)
        self.parsed_by = "nobody (serve keeps it whole)"
        self.classes: set[str] = set()

    def externalize(self, html: str, url: str) -> str:
        """The page without the big inline sheets, with a link to the one file instead."""
        blocks = big_styles(html)
        if not blocks:
            return html
        if self.blocks != blocks:
            self.blocks = blocks
            if not self.whole:  # parsed in a worker while the next pages render
                self.rules = self.call(css_rules, "\n".join(blocks))
        self.classes.update(c for m in CLASS_ATTR.finditer(html) for c in m[1].split())
        return f'<link rel="stylesheet" href="{get_relative_url(HREF, url)}">' + STYLE.sub(
            lambda m: "" if len(m["css"]) >= BIG else m[0], html
        )

    def write(self, site: Path) -> None:
        if not self.blocks:
            return
        text = "\n".join(self.blocks)
        path = site / HREF
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if self.whole else self.cut(text), encoding="utf-8")

    def cut(self, text: str) -> str:
        """used_css of the pages' classes, with the rules a worker parsed if there is one."""
        classes = sorted(self.classes)
        key = hashlib.sha256("\0".join([text, *classes]).encode()).hexdigest()
        kept = self.cache_dir / f"{key}.json" if self.cache_dir else None
        if kept is not None and kept.is_file():
            data = read_checked(kept, "css")
            if data is not None:
                self.parsed_by = "the cache"
                return data["css"]
            log.info(f"ignored an unreadable cache entry (it was made again): {kept}")
        try:
            rules = self.rules.result() if self.rules is not None else None
        except Exception:  # noqa: BLE001 - a dead worker: parse it here
            rules = None
        self.parsed_by = "a worker" if rules is not None else "this process"
        result = used_css(text, set(classes), rules)
        if kept is not None:
            write_checked(kept, {"css": result}, "css")
        return result
