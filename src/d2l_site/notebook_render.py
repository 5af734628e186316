"""A notebook page's HTML: drawn by mkdocs-jupyter's own `nb2html` (in a worker process on a
clean build), then made a page of this site: headings with Chinese ids and a TOC, no CDN
scripts, the derivation as MathML, keyboard-reachable wide code.
"""

from __future__ import annotations

import functools
import re
from html import unescape
from pathlib import Path

from mkdocs.structure.toc import get_toc
from pymdownx.slugs import slugify

from . import patches


def render_html(path: str, options: dict, fast: tuple = ("keep_templates", "light_soup")) -> str:
    """The notebook as mkdocs-jupyter renders it (its nb2html, its options), with nbconvert's
    compiled templates kept and its last pass done without BeautifulSoup, if `fast` says so."""
    from mkdocs_jupyter import convert

    if "keep_templates" in fast:
        patches.keep_compiled_templates(compiled_templates())
    if "light_soup" in fast:
        patches.light_soup()
    return convert.nb2html(path, **options)


@functools.cache
def compiled_templates():
    """This process's compiled Jinja templates, in memory (nbconvert's: each render made a new
    Jinja environment and compiled its 11 templates again, 0.13 s of a 0.22 s render; Material's
    under serve). Never a folder on disk, which another user could have planted."""
    import jinja2

    class InMemory(jinja2.BytecodeCache):  # keyed by name and a checksum of the source
        def __init__(self):
            self.codes: dict[str, bytes] = {}

        def load_bytecode(self, bucket):
            if bucket.key in self.codes:
                bucket.bytecode_from_string(self.codes[bucket.key])

        def dump_bytecode(self, bucket):
            self.codes[bucket.key] = bucket.bytecode_to_string()

    return InMemory()


HEADING = re.compile(r"<h(?P<level>[1-6])(?P<attrs>[^>]*)>(?P<inner>.*?)</h(?P=level)>", re.S)
TAG = re.compile(r"<[^>]+>")
CDN_SCRIPTS = re.compile(
    r'<!-- Load mathjax -->\s*<script src="[^"]*">\s*</script>'
    r'|<script type="text/x-mathjax-config">.*?</script>'
    r'|<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*?</script>',
    re.S,
)
# Material's bundle forces three style recalculations of the whole page as it starts; on a notebook
# page (~3,600 elements) they are most of its blocking time on a phone. Its cells start skipped
# (content-visibility: auto: drawn when in sight) and, once the page has loaded, are drawn one at a
# time when the browser is idle (four at a time blocked longer): from then on the page is as it
# would be without the rule (find in page, anchors, axe and Lighthouse see every cell laid out
# where it is; skipped cells sized by estimate move under a checker that scrolls).
# The style goes before the cells (after them it arrives once the first are drawn, and they
# move), the script after them.
CELLS_DRAWN_WHEN_IDLE = (
    """<style>
.jp-Notebook > .jp-Cell { content-visibility: auto; contain-intrinsic-size: auto 10rem; }
</style>
""",
    """<script>
addEventListener("load", () => {
  const cells = [...document.querySelectorAll(".jp-Notebook > .jp-Cell")];
  const idle = window.requestIdleCallback || (next => setTimeout(next, 50));
  const draw = () => {
    for (const cell of cells.splice(0, 1)) cell.style.contentVisibility = "visible";
    if (cells.length) idle(draw);
  };
  idle(draw);
});
</script>
""",
)
NOTEBOOK_MATH = re.compile(r"<p>\$\$\n?(?P<tex>.+?)\n?\$\$</p>", re.S)


def fix_headings(html: str, page) -> str:
    """mkdocs-jupyter's slugifier drops Chinese, leaving id="" headings and dead TOC links;
    give every heading the site's own slug (unique) and rebuild the page's TOC."""
    slug = slugify(case="lower")
    seen: dict[str, int] = {}
    tokens: list[dict] = []

    def replace(m):
        inner = re.sub(r'<a class="anchor-link"[^>]*>.*?</a>', "", m["inner"], flags=re.S)
        name = TAG.sub("", inner).strip()
        base = slug(name, "-") or f"section-{len(tokens) + 1}"
        n = seen.get(base, 0)
        seen[base] = n + 1
        hid = base if n == 0 else f"{base}_{n}"
        level = int(m["level"])
        tokens.append({"level": level, "id": hid, "name": name, "children": []})
        attrs = re.sub(r'\s*id="[^"]*"', "", m["attrs"])
        return (
            f'<h{level}{attrs} id="{hid}">{inner}'
            f'<a class="headerlink" href="#{hid}" title="Permanent link">¶</a></h{level}>'
        )

    html = HEADING.sub(replace, html)
    # nest the flat list of headings the way MkDocs' toc tokens are nested
    root: list[dict] = []
    stack: list[dict] = []
    for token in tokens:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    page.toc = get_toc(root)
    return html


def as_site_page(html: str, page, css, math) -> str:
    """The rendered notebook as a page of this site (`css`: the build's NotebookCSS; `math`:
    LaTeX -> MathML, as the note page has it)."""
    html = fix_headings(html, page)
    html = CDN_SCRIPTS.sub("", html)  # nbconvert's template loads MathJax and mermaid; no page uses them
    html = css.externalize(html, page.url)
    # the derivation's $$…$$ (Jupyter renders it itself) as MathML, like the page: no math script
    html = NOTEBOOK_MATH.sub(lambda m: f'<div class="derivation">{math(unescape(m["tex"]))}</div>', html)
    html = prose_math(html, math)
    html = inline_attachments(html, page.file.abs_src_path)
    # nbconvert's page hides a diagram until JupyterLab draws it; here Material draws it (site's mermaid)
    html = html.replace('<div class="jp-Mermaid">', '<div class="jp-Mermaid jp-RenderedMermaid">')
    # long code lines scroll sideways: a keyboard must reach them too (axe scrollable-region-focusable)
    return html.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')


NOT_PROSE = re.compile(
    r"(<pre\b.*?</pre>|<code\b.*?</code>|<script\b.*?</script>|<style\b.*?</style>|<math\b.*?</math>)", re.S
)


def prose_math(html: str, math) -> str:
    """A note's $$…$$ and $…$ in the notebook's Markdown cells as MathML, as on its page (the
    download keeps the LaTeX for Jupyter); code, outputs and scripts are left alone."""
    from .obsidian import DISPLAY_MATH, INLINE_MATH

    def convert(text: str) -> str:
        text = DISPLAY_MATH.sub(lambda m: math(unescape(m["tex"]).strip()), text)
        return INLINE_MATH.sub(lambda m: math(unescape(m["tex"]), block=False), text)

    return "".join(part if NOT_PROSE.fullmatch(part) else convert(part) for part in NOT_PROSE.split(html))


def inline_attachments(html: str, notebook: str) -> str:
    """An <img src="attachment:…"> of a Markdown cell (an image with its size kept) as a data URI:
    nbconvert resolves attachments only in Markdown image syntax, and a browser knows no attachment:."""
    if 'src="attachment:' not in html:
        return html
    import json

    found = {}
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]:
        for name, data in (cell.get("attachments") or {}).items():
            mime, b64 = next(iter(data.items()))
            found[name] = f"data:{mime};base64,{b64}"
    return re.sub(r'src="attachment:([^"]+)"', lambda m: f'src="{found.get(unescape(m[1]), m[0][5:-1])}"', html)
