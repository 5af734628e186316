"""`make pdf`: the site as one PDF, read back with pypdf. The published site (built_site) is
printed once more from a copy: the same site must give the same bytes."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from helpers import PDF, build_site, made_once, mini_project, page, print_pdf


@pytest.fixture(scope="session")
def printed(built_site) -> Path:
    """The published site, which has its PDF."""
    if not (built_site / PDF).is_file():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but the published site has no PDF", pytrace=False)
        pytest.skip("no chromium on PATH: make pdf prints with it, so the site was built without its PDF")
    return built_site


@pytest.fixture(scope="session")
def again(tmp_path_factory, printed, published_env) -> Path:
    """A copy of the published site, its PDF printed again (named as `make pdf` names it: `site`,
    relative to the folder it runs in)."""
    def make(folder: Path) -> None:
        shutil.copytree(printed, folder / "again")
        (folder / "again" / PDF).unlink()
        print_pdf("again", published_env["SITE_URL"], folder)

    return made_once(tmp_path_factory, "pdf", make) / "again"


@pytest.fixture(scope="session")
def book(printed):
    from pypdf import PdfReader

    reader = PdfReader(printed / PDF)
    text = "\n".join(p.extract_text() for p in reader.pages)
    return reader, text, re.sub(r"\s", "", text)


def content(site: Path) -> list[tuple[str, str]]:
    from d2l_site.pdf import content_pages

    return content_pages(site)


def test_two_prints_of_one_site_are_the_same_bytes(printed, again):
    assert (again / PDF).read_bytes() == (printed / PDF).read_bytes()


def outline(reader, depth=0):
    """(depth, title, page) of every outline entry, in order."""
    for item in reader.outline if depth == 0 else depth:
        if isinstance(item, list):
            yield from ((d + 1, t, n) for d, t, n in outline(reader, item))
        else:
            yield 0, item.title, reader.get_destination_page_number(item) + 1


def test_every_content_page_is_in_it_in_nav_order_without_the_notebook_pages(printed, book):
    reader, text, bare = book
    pages = content(printed)
    assert len(pages) >= 7 and not any(url.startswith("notebooks/") for url, _ in pages)
    top = [(title, n) for depth, title, n in outline(reader) if depth == 0]
    assert [title for title, _ in top] == [title for _, title in pages]  # one entry per page, in nav order
    assert [n for _, n in top] == sorted({n for _, n in top}), top  # each starts a page of its own, in order
    for title, n in top:
        assert re.sub(r"\s", "", title) in re.sub(r"\s", "", reader.pages[n - 1].extract_text()), title
    sections = [title for depth, title, _ in outline(reader) if depth == 1]
    assert "3. 参数绑定" in sections and "总结" in sections  # and its sections under it


def test_the_cover_and_contents_have_what_they_promise(book):
    reader, text, bare = book
    first = reader.pages[0].extract_text()
    assert "动手学深度学习 · 学习笔记" in first and re.search(r"PyTorch 2\.13\.\d", first)
    assert not re.search(r"20\d\d-\d\d-\d\d", first)  # no build date: the same inputs, the same PDF
    entries = [(title, n) for depth, title, n in outline(reader) if depth <= 1]
    # the contents' pages, less each one's running page number (its last line)
    contents = "\n".join(p.extract_text().rstrip().rsplit("\n", 1)[0] for p in reader.pages[1 : entries[0][1] - 1])
    assert "目录" in contents and all(title in contents for title, _ in entries)
    shown = [int(line) for line in contents.splitlines() if line.strip().isdigit()][:len(entries)]
    assert shown == [n for _, n in entries]  # each entry's page number is the page it is on
    for index in (0, entries[3][1] - 1, len(reader.pages) - 1):  # running page numbers
        assert reader.pages[index].extract_text().strip().splitlines()[-1].strip() == str(index + 1)


def test_live_outputs_and_formulas_are_printed(printed, book):
    _, _, bare = book
    site = printed
    for url, title in content(site):
        soup = page(site, url + "index.html")
        outputs = [c.get_text() for c in soup.select("div.result pre code, pre code.language-text")][:3]
        for output in outputs:
            line = next((line for line in output.splitlines() if line.strip()), "")
            assert re.sub(r"\s", "", line) in bare, (title, line)
    derivation = page(site, "deep-learning-computation/parameters/index.html").select("div.derivation math")
    assert derivation
    numbers = {n.get_text() for m in derivation for n in m.select("mn")}
    assert numbers and all(n in bare for n in numbers), numbers - {n for n in numbers if n in bare}


def test_a_long_code_line_is_printed_whole(printed, book):
    _, _, bare = book
    site = printed
    lines = [line for url, _ in content(site) for c in page(site, url + "index.html").select("pre code")
             for line in c.get_text().splitlines()]
    longest = max(lines, key=len)
    assert len(longest) > 95  # wider than an A4 page's code column
    assert re.sub(r"\s", "", longest) in bare, longest


def test_chinese_text_is_searchable(book):
    """Noto CJK draws 手 and the Kangxi radical ⼿ with one glyph; the PDF must name it 手."""
    _, text, _ = book
    assert "动手学深度学习" in text and "网站" in text
    assert not [c for c in text if 0x2E80 <= ord(c) <= 0x2FDF]


def test_it_is_tagged_in_chinese_with_a_title_and_every_font_embedded(book):
    reader, _, _ = book
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/Lang"] == "zh" and reader.metadata.title == "动手学深度学习 · 学习笔记"
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata
    fonts = {}
    for pdf_page in reader.pages:
        for font in (pdf_page["/Resources"].get("/Font") or {}).values():
            fonts[font.indirect_reference] = font.get_object()
    assert fonts
    for font in fonts.values():
        if font["/Subtype"] == "/Type3":
            assert "/CharProcs" in font  # its glyphs are drawn in the PDF itself
            continue
        outer = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = outer["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_pages_link_to_the_pdf_where_it_is_built_and_nowhere_else(printed, tmp_path):
    for url, _ in content(printed):
        links = page(printed, url + "index.html").select(f'a[href$="{PDF}"]')
        assert [a.get_text() for a in links] == ["下载 PDF"], url
    assert not page(printed, "notebooks/parameters/index.html").select(f'a[href$="{PDF}"]')
    project = mini_project(tmp_path / "mini")  # `make build`: no PDF, no link
    done = build_site(project, tmp_path / "site", env={"D2L_EXEC_WORKERS": "0"})
    assert done.returncode == 0, done.stderr
    assert page(tmp_path / "site", "index.html").select("p.notebook-links") != []
    assert not page(tmp_path / "site", "index.html").select(f'a[href$="{PDF}"]')
