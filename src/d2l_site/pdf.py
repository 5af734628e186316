"""`make pdf`: the built site as one PDF for readers who read offline, site/<PDF_NAME>.

Every content page in nav order (notebook pages repeat their pages: left out), as the site shows it
(live outputs, figures, MathML, tables, callouts), after a cover ("outputs made with PyTorch X",
no date) and a table of contents with page numbers; running page numbers; an outline of every
page and section; links between pages are links inside the PDF, links to the book go to the book.
Chromium prints it (Playwright, the site's print stylesheet: extra.css `@media print`, which
Ctrl-P uses too) twice: the first print's outline gives the contents' page numbers. pikepdf then
fixes the dates and document ID and sets the language and title: the same site gives the same bytes.

    python -m d2l_site.pdf site [--site-url URL]
"""

from __future__ import annotations

import argparse
import html
import posixpath
import re
import sys
import tempfile
import unicodedata
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

PDF_NAME = "d2l-notes.pdf"
SKIPPED = ("notebooks/", "tags/")  # notebook pages repeat their pages; the tags page lists pages
KEPT_WHOLE = ", ".join(  # what extra.css keeps whole on paper (break-inside: avoid)
    f".md-typeset {s}"
    for s in ("pre", ".highlight", ".result", ".admonition", "details", "figure", "table", ".derivation", ".note-embed")
)
FOOTER = '<div style="width:100%;font-size:9px;color:#555;text-align:center"><span class="pageNumber"></span></div>'


def _text(heading) -> str:
    return re.sub(r"\s+", " ", heading.get_text()).removesuffix("¶").strip()


def content_pages(site: Path) -> list[tuple[str, str]]:
    """(url, title) of every content page, in nav order, from the built home page's navigation."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    urls = [""]
    for a in soup.select("nav.md-nav--primary a.md-nav__link[href]"):
        url = posixpath.normpath(unquote(a["href"])).removeprefix("./")
        url = "" if url == "." else url.rstrip("/") + "/"
        if url not in urls and not url.startswith(SKIPPED) and (site / url / "index.html").is_file():
            urls.append(url)
    pages = []
    for url in urls:
        page = BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")
        pages.append((url, _text(page.select_one("article h1"))))
    return pages


def _article(site: Path, url: str, n: int, anchors: dict[str, int], site_url: str):
    """The page's article as a section of the book: ids made unique, links resolved."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.md-content__inner")
    for gone in article.select("a.headerlink, .md-content__button, .notebook-links .md-button, script"):
        gone.decompose()
    for details in article.select("details"):
        details["open"] = ""  # a folded callout is printed open
    for tag in article.select("[id]"):
        tag["id"] = f"p{n}-{tag['id']}"
    for tag in article.select("[for]"):
        tag["for"] = f"p{n}-{tag['for']}"
    base = "http://site/" + url
    for tag in article.select("[src]"):
        target = urlsplit(urljoin(base, tag["src"]))
        if target.netloc == "site":
            tag["src"] = target.path.lstrip("/")
    for a in article.select("a[href]"):
        target = urlsplit(urljoin(base, a["href"]))
        if target.netloc != "site":
            continue  # the book, and every other site, stay as they are
        path = unquote(target.path.lstrip("/"))
        if path in anchors:  # a page of the book: a link inside the PDF
            m = anchors[path]
            a["href"] = f"#p{m}-{unquote(target.fragment)}" if target.fragment else f"#p{m}"
        elif site_url:  # a download of the site (a snippet, a notebook): on the published site
            a["href"] = urljoin(site_url, target.path.lstrip("/"))
        else:
            del a["href"]
    toc = [(h["id"], _text(h)) for h in article.select("h2[id]")]
    return article.decode_contents(), toc


def book_html(site: Path, site_url: str, numbers: list[int] | None = None) -> tuple[str, list[str]]:
    """The whole book as one HTML page at the site's root, and the titles its contents list (in
    order: each page, then its sections). `numbers`: their page numbers, once known."""
    from bs4 import BeautifulSoup

    pages = content_pages(site)
    anchors = {url: n for n, (url, _) in enumerate(pages)}
    head = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    styles = "".join(str(link) for link in head.select('head link[rel="stylesheet"]'))
    title = head.select_one('meta[property="og:site_name"]') or head.select_one("title")
    name = title.get("content") if title.name == "meta" else head.select_one("title").get_text()
    name = name.split(" - ")[-1].strip()
    sections, entries = [], []
    for n, (url, page_title) in enumerate(pages):
        body, toc = _article(site, url, n, anchors, site_url)
        sections.append(f'<section class="pdf-page" id="p{n}">{body}</section>')
        entries.append((f"p{n}", page_title, toc))
    titles, items, k = [], [], 0
    for anchor, page_title, toc in entries:
        titles.append(page_title)
        subs = []
        for sub_anchor, sub_title in toc:
            titles.append(sub_title)
            subs.append((sub_anchor, sub_title))
        number = lambda i: str(numbers[i]) if numbers else "000"  # noqa: E731 - as wide as the real ones
        lines = [f'<li><a href="#{anchor}">{html.escape(page_title)}</a><span class="pdf-pn">{number(k)}</span>']
        k += 1
        if subs:
            lines.append("<ol>")
            for sub_anchor, sub_title in subs:
                lines.append(
                    f'<li><a href="#{sub_anchor}">{html.escape(sub_title)}</a>'
                    f'<span class="pdf-pn">{number(k)}</span></li>'
                )
                k += 1
            lines.append("</ol>")
        items.append("".join(lines) + "</li>")
    cover = (
        f'<section class="pdf-cover"><p class="pdf-title">{html.escape(name)}</p>'
        f'<p class="pdf-made">输出由 PyTorch {metadata.version("torch")} 在构建网站时运行得到</p></section>'
    )
    toc_html = (
        f'<nav class="pdf-toc" aria-label="目录"><p class="pdf-toc-title">目录</p><ol>{"".join(items)}</ol></nav>'
    )
    document = (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(name)}</title>'
        f'{styles}</head><body class="pdf-book" data-md-color-scheme="default" data-md-color-primary="indigo"'
        f' data-md-color-accent="deep-orange"><div class="md-typeset">{cover}{toc_html}{"".join(sections)}'
        f"</div></body></html>"
    )
    return document, titles


def _outline_pages(pdf_path: Path) -> list[tuple[str, int]]:
    """(title, 1-based page) of every outline entry, in document order."""
    from pypdf import PdfReader

    reader = PdfReader(pdf_path)
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((re.sub(r"\s+", " ", item.title).strip(), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    return found


def page_numbers(titles: list[str], names: list[str], outline: list[tuple[str, int]]) -> list[int]:
    """The page of each contents entry. The outline has one entry per heading, in document order
    (`names`); its text cannot be matched (Chromium repeats part of some headings in it)."""
    if len(outline) != len(names):
        raise ValueError(f"the PDF's outline has {len(outline)} entries for {len(names)} headings")
    numbers, i = [], 0
    for title in titles:
        while i < len(names) and names[i] != title:
            i += 1
        if i == len(names):
            raise ValueError(f"no heading {title!r} (in order) for the contents")
        numbers.append(outline[i][1])
        i += 1
    return numbers


def _print(browser, site: Path, document: str, out: Path) -> None:
    book = site / "pdf-book.html"  # at the root: the pages' images and stylesheets resolve
    book.write_text(document, encoding="utf-8")
    try:
        page = browser.new_page(viewport={"width": 688, "height": 994})  # an A4 page less the margins, in px
        page.emulate_media(media="print", color_scheme="light")
        page.goto(book.as_uri(), wait_until="load")
        # a block kept whole (extra.css) that is taller than a page may break: else it leaves a gap
        page.evaluate(
            f"document.querySelectorAll({KEPT_WHOLE!r}).forEach(e => "
            "{ if (e.getBoundingClientRect().height > 950) e.style.breakInside = 'auto' })"
        )
        if page.locator("pre.mermaid").count():
            page.add_script_tag(path=str(site / "assets/vendor/mermaid/mermaid.min.js"))
            page.evaluate("mermaid.run({querySelector: 'pre.mermaid'})")
        page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            outline=True,
            tagged=True,
            margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
        )
        page.close()
    finally:
        book.unlink(missing_ok=True)


def headings(document: str) -> list[str]:
    """Every heading's text, in document order: the outline's entries."""
    from bs4 import BeautifulSoup

    found = BeautifulSoup(document, "html.parser").select("h1, h2, h3, h4, h5, h6")
    return [_text(h) for h in found]


# the simplified-form radicals (no compatibility decomposition) and the ideographs they look like
# (Unicode's EquivalentUnifiedIdeograph.txt); Kangxi radicals go by NFKC
SIMPLIFIED_RADICALS = dict(
    zip(
        "⻄⻅⻆⻈⻉⻋⻌⻐⻓⻔⻙⻚⻛⻜⻝⻠⻢⻥⻦⻧⻨⻩⻬⻮⻰⻳⺰⺦",
        "西见角讠贝车辶钅长门韦页风飞食饣马鱼鸟卤麦黄齐齿龙龟纟丬",
    )
)


def unified(cmap: str) -> str:
    """A font's ToUnicode map with Kangxi and CJK radicals mapped to the ideographs they look like:
    Noto CJK draws 手 and ⼿ with one glyph, and the PDF named it ⼿, which a search for 手 misses."""

    def ideograph(m: re.Match) -> str:
        char = chr(int(m["dst"], 16))
        same = SIMPLIFIED_RADICALS.get(char) or unicodedata.normalize("NFKC", char)
        return m[0] if not 0x2E80 <= ord(char) <= 0x2FDF or len(same) != 1 else f"{m['src']}<{ord(same):04X}>"

    lines, section = [], None
    for line in cmap.split("\n"):
        if line.endswith(("beginbfchar", "beginbfrange")):
            section = line.split()[-1]
        elif line.startswith("end"):
            section = None
        elif section == "beginbfchar":
            line = re.sub(r"^(?P<src><[0-9A-Fa-f]+>\s+)<(?P<dst>[0-9A-Fa-f]{4})>$", ideograph, line)
        elif section == "beginbfrange":  # a range of one code only: a range of radicals is not one of ideographs
            line = re.sub(r"^(?P<src>(<[0-9A-Fa-f]+>)\s+\2\s+)<(?P<dst>[0-9A-Fa-f]{4})>$", ideograph, line)
        lines.append(line)
    return "\n".join(lines)


def stabilize(pdf_path: Path, out: Path, title: str, names: list[str]) -> None:
    """No dates, a document ID from the content, the document's language and title, and each
    outline entry named as its heading (Chromium repeats part of some)."""
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        with pdf.open_outline() as outline:
            items, todo = [], list(outline.root)
            while todo:
                item = todo.pop(0)
                items.append(item)
                todo[:0] = list(item.children)
            if len(items) == len(names):
                for item, name in zip(items, names):
                    item.title = name
        for key in ("/CreationDate", "/ModDate"):
            if key in pdf.docinfo:
                del pdf.docinfo[key]
        for obj in pdf.objects:  # text a reader can search for: 手, not ⼿
            if isinstance(obj, pikepdf.Dictionary) and "/ToUnicode" in obj:
                cmap = obj.ToUnicode.read_bytes().decode("latin-1")
                fixed = unified(cmap)
                if fixed != cmap:
                    obj.ToUnicode.write(fixed.encode("latin-1"))
        pdf.docinfo["/Title"] = title
        pdf.Root.Lang = pikepdf.String("zh")
        pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        if "/Metadata" in pdf.Root:
            del pdf.Root["/Metadata"]
        pdf.save(out, deterministic_id=True)


def make_pdf(site: Path, site_url: str = "", chromium: str | None = None) -> Path:
    from playwright.sync_api import sync_playwright

    site = site.resolve()  # Chromium opens the book by a file:// URI: `make pdf` names the site relatively
    out = site / PDF_NAME
    document, titles = book_html(site, site_url)
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        first = Path(tmp) / "first.pdf"
        _print(browser, site, document, first)  # the contents say 000: as wide as a page number
        numbers = page_numbers(titles, headings(document), _outline_pages(first))
        document, _ = book_html(site, site_url, numbers)
        second = Path(tmp) / "second.pdf"
        _print(browser, site, document, second)
        browser.close()
        name = re.search(r"<title>(.*?)</title>", document)[1]
        stabilize(second, out, html.unescape(name), headings(document))
    return out


def main(argv: list[str] | None = None) -> int:
    import shutil

    parser = argparse.ArgumentParser(description=f"the built site as one PDF (site/{PDF_NAME})")
    parser.add_argument("site", type=Path, help="the built site (make build)")
    parser.add_argument("--site-url", default="", help="where the site is published: its downloads link there")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not (args.site / "index.html").is_file():
        print(f"make pdf: {args.site}/index.html: build the site first", file=sys.stderr)
        return 2
    try:
        out = make_pdf(args.site, args.site_url, chromium)
    except Exception as error:  # noqa: BLE001 - said plainly: no PDF is left half-written
        (args.site / PDF_NAME).unlink(missing_ok=True)
        print(f"make pdf: {error}", file=sys.stderr)
        return 1
    from pypdf import PdfReader

    print(f"{out}: {len(PdfReader(out).pages)} pages, {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
