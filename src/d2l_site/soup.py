"""nbconvert's last pass over a notebook page, without parsing the page: BeautifulSoup's parse
and write-out were two thirds of a notebook render (0.17 of 0.26 s for the 5.2 notebook).

nbconvert (HTMLExporter.from_notebook_node) parses the page, gives an image without `alt` a
placeholder, makes each cell's input and output focusable (tabindex="0"), and writes the page
out again, with every character reference in the text decoded. `LightSoup` stands in for
BeautifulSoup there (d2l_site.patches.light_soup) and does the same with regular expressions over
the start tags and the text; scripts, styles and comments are left as they are. A selector it does
not know fails the render: nbconvert changed its pass.
"""

from __future__ import annotations

import re
from html import escape, unescape

RAW = re.compile(r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->)", re.S | re.I)
TAGS = re.compile(r"""(<[!/?]?[a-zA-Z](?:[^"'>]|"[^"]*"|'[^']*')*>)""")  # split: text, tag, text, ...
START = re.compile(r"""<(?P<name>[a-zA-Z][\w-]*)(?P<attrs>(?:[^"'>]|"[^"]*"|'[^']*')*?)(?P<close>\s*/?)>""")
VALUE = r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
ATTR = re.compile(rf"""([^\s"'>/=]+)({VALUE})""")

# nbconvert's selectors: (tag, a class it has or None, an attribute it lacks or None, inside .jp-Notebook)
SELECTORS = {
    "img:not([alt])": ("img", None, "alt", False),
    ".jp-Notebook div.jp-Cell-inputWrapper": ("div", "jp-Cell-inputWrapper", None, True),
    ".jp-Notebook div.jp-OutputArea-output": ("div", "jp-OutputArea-output", None, True),
}


class LightSoup:
    """What nbconvert uses of a BeautifulSoup: `select(selector)`, `element.attrs[name] = value`
    and `str()`."""

    def __init__(self, markup: str, features=None):
        self.parts = RAW.split(markup)  # even: markup, odd: a script, style or comment, kept
        self.edits: dict[tuple[int, int], dict[str, str]] = {}  # (part, offset of a start tag) -> attrs

    def select(self, selector: str) -> list:
        if selector not in SELECTORS:
            raise NotImplementedError(f"nbconvert selects {selector!r}: d2l_site.soup knows {sorted(SELECTORS)}")
        name, cls, lacks, in_notebook = SELECTORS[selector]
        found, inside = [], not in_notebook
        for i in range(0, len(self.parts), 2):
            for tag in START.finditer(self.parts[i]):
                attrs = {k.lower(): v for k, v in ATTR.findall(tag["attrs"])}
                classes = unescape(attrs.get("class", "").lstrip(" =").strip("\"'")).split()
                if not inside:
                    inside = "jp-Notebook" in classes
                elif tag["name"].lower() == name and (cls is None or cls in classes) and lacks not in attrs:
                    found.append(_Element(self.edits.setdefault((i, tag.start()), {})))
        return found

    def __str__(self) -> str:
        out = []
        for i, part in enumerate(self.parts):
            if i % 2:
                out.append(part)
                continue
            at = 0
            for k, piece in enumerate(TAGS.split(part)):
                if k % 2 == 0 and ("&" in piece or ">" in piece):
                    out.append(escape(unescape(piece), quote=False))  # as BeautifulSoup writes text
                elif k % 2 and self.edits.get((i, at)):
                    out.append(_with_attrs(piece, self.edits[i, at]))
                else:
                    out.append(piece)
                at += len(piece)
        return "".join(out)


class _Element:
    def __init__(self, edits: dict[str, str]):
        self.attrs = _Attrs(edits)


class _Attrs(dict):
    """Records what is set; nbconvert only sets."""

    def __init__(self, edits: dict[str, str]):
        super().__init__()
        self.edits = edits

    def __setitem__(self, key: str, value: str) -> None:
        self.edits[key] = value


def _with_attrs(tag: str, edits: dict[str, str]) -> str:
    start = START.fullmatch(tag)
    attrs = start["attrs"]
    for key, value in edits.items():
        new = f'{key}="{escape(value)}"'
        attrs, found = re.subn(rf"(?<=\s){re.escape(key)}{VALUE}(?=[\s/]|$)", new, attrs, count=1, flags=re.I)
        if not found:
            attrs += " " + new
    return f"<{start['name']}{attrs}{start['close']}>"
