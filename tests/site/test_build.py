"""The real site: a strict build whose pages show exactly what the snippets print."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from bs4 import BeautifulSoup

from helpers import (
    SNIPPETS,
    broken_links,
    outputs_by_file,
    page,
    run_snippet_fresh,
    run_snippets_fresh,
)

ALL_SNIPPETS = sorted(str(p.relative_to(SNIPPETS)) for p in SNIPPETS.rglob("*.py"))


@pytest.fixture(scope="module")
def shown_outputs(built_site) -> dict[str, str]:
    """Every snippet's output as shown on the site, whatever page it is on."""
    shown: dict[str, str] = {}
    for html in built_site.rglob("*.html"):
        if html.relative_to(built_site).parts[0] == "notebooks":  # the notebook pages repeat their page
            continue
        for path, text in outputs_by_file(page(built_site, html.relative_to(built_site))).items():
            assert path not in shown, f"{path} is shown on two pages"
            shown[path] = text
    return shown


def test_every_snippet_of_the_note_is_on_the_note_page(built_site):
    shown = outputs_by_file(page(built_site))
    assert {f"snippets/{p}" for p in ALL_SNIPPETS if p.startswith("parameters/")} == set(shown)


def test_every_snippet_file_is_shown_somewhere(shown_outputs):
    assert {f"snippets/{p}" for p in ALL_SNIPPETS} <= set(shown_outputs)


@pytest.fixture(scope="module")
def printed_alone() -> dict[str, str]:
    """What each snippet prints when run on its own (one interpreter, a fresh state each)."""
    return run_snippets_fresh(ALL_SNIPPETS)


SHOWN_AS_TABLE = {"parameters_exercises/init_tour.py"}  # the page has its numbers as an HTML table


@pytest.mark.parametrize("path", ALL_SNIPPETS)
def test_page_shows_what_the_snippet_prints_on_its_own(shown_outputs, printed_alone, path):
    if path in SHOWN_AS_TABLE:  # same rows and numbers; the table's header is its own
        printed = [" ".join(line.split()) for line in printed_alone[path].splitlines()[1:]]
        assert shown_outputs[f"snippets/{path}"].splitlines() == printed
        return
    assert shown_outputs[f"snippets/{path}"] == printed_alone[path].rstrip("\n")


def test_a_batched_run_prints_what_python_prints(printed_alone):
    """The batch above stands for `python snippets/<file>.py`: check it against the real thing
    on a snippet that draws random numbers, builds an optimizer and trains, late in the batch."""
    path = "parameters_exercises/train_shared_mlp.py"
    assert printed_alone[path] == run_snippet_fresh(path)


def test_no_traceback_and_no_pasted_note_output(built_site):
    soup = page(built_site)
    assert "Traceback" not in soup.get_text()
    # The note's pasted numbers may appear only inside the remarks that quote it.
    for remark in soup.select("div.admonition.warning"):
        remark.decompose()
    for pasted in ("-0.2004", "0.0887", "tensor(1.8000)", "tensor(1.5000)"):
        assert pasted not in soup.get_text()


def test_note_headings_in_order_with_chinese_ids(built_site):
    heads = [(h.get("id"), h.get_text().rstrip("¶"))
             for h in page(built_site).select("article h1, article h2, article h3")]
    assert [text for _, text in heads] == [
        "5.2 参数管理", "1. 参数访问", "2. 参数初始化", "2.1 内置初始化", "2.2 自定义初始化",
        "3. 参数绑定", "理解参数绑定下的反向传播", "总结", "参考文献"]
    assert heads[1][0] == "1-参数访问"
    assert all(re.search(r"[\u4e00-\u9fff]", hid) for hid, _ in heads)


def test_key_points_and_remarks_are_admonitions(built_site):
    soup = page(built_site)
    titles = [t.get_text() for t in soup.select(".admonition-title, details > summary")]
    assert titles[0] == "要点"
    assert "注意" in titles
    assert titles.count("与笔记不同") == 4


def test_links_to_other_notes_go_to_the_book(built_site):
    hrefs = {a["href"] for a in page(built_site).select("article a[href^='https://']")}
    assert "https://zh.d2l.ai/chapter_preliminaries/ndarray.html" in hrefs
    assert ("https://zh.d2l.ai/chapter_multilayer-perceptrons/numerical-stability-and-init.html"
            in hrefs)


def test_copyright_line_in_the_footer(built_site):
    assert "© 2023 yanghn. All rights reserved." in page(built_site).select_one("footer").get_text()


def test_home_page_names_the_torch_that_built_it(built_site):
    assert torch.__version__ in page(built_site, "index.html").get_text()


def test_no_asset_from_another_host(built_site):
    """Scripts, styles, images and fonts all come from the site itself."""
    for html in built_site.rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["script", "link", "img", "iframe", "source"]):
            url = tag.get("src") or (tag.get("href") if tag.name == "link" else None) or ""
            if tag.name == "link" and tag.get("rel") in (["canonical"], ["alternate"]):
                continue
            assert not re.match(r"(https?:)?//", url), f"{html.relative_to(built_site)}: {tag}"


def test_chinese_search_index_is_segmented_by_jieba(built_site):
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["zh"]
    text = " ".join(doc["text"] + doc["title"] for doc in index["docs"])
    # jieba splits Chinese into words with zero-width spaces, so a query can match them
    assert "参数\u200b绑定" in text
    assert "初始化" in text.replace("\u200b", "")
    titles = {doc["title"] for doc in index["docs"]}
    assert {"3. 参数绑定", "2.1 内置初始化"} <= {t.replace("\u200b", "") for t in titles}


def test_exercise_page_has_the_build_time_charts(built_site):
    soup = page(built_site, "deep-learning-computation/parameters-exercises/index.html")
    for fig in ("hist-init-normal", "hist-xavier", "hist-my-init", "loss-shared-mlp"):
        svg = soup.select_one(f"figure#{fig} svg")
        assert svg is not None and svg.find("title").get_text(), fig
    my_init_bars = soup.select('figure#hist-my-init g[id^="hist-my-init-bar-"]')
    assert 8 <= len(my_init_bars) < 40  # two flat parts and the spike at 0; the gaps have no bar
    assert [h.get_text().rstrip("¶") for h in soup.select("article h2")] == [
        "1. 访问 FixedHiddenMLP 的参数", "2. 试一试不同的初始化方法",
        "3. 训练带共享参数层的 MLP", "4. 为什么共享参数是个好主意"]


def test_supplement_is_a_page_of_its_own_and_the_note_stays_faithful(built_site):
    note = page(built_site).get_text()
    for only_in_book in ("init_constant", "remove_duplicate", "weight.data[:] += 1"):
        assert only_in_book not in note
    supplement = page(built_site, "deep-learning-computation/parameters-supplement/index.html")
    assert "init_constant" in supplement.get_text() and "torch.no_grad()" in supplement.get_text()


CONTENT_PAGES = ["deep-learning-computation/parameters/index.html",
                 "deep-learning-computation/tied-gradients/index.html",
                 "deep-learning-computation/parameters-exercises/index.html",
                 "deep-learning-computation/parameters-supplement/index.html",
                 "notebooks/parameters/index.html"]


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_each_content_page_says_under_its_title_which_pytorch_printed_it(built_site, rel):
    soup = page(built_site, rel)
    bar = soup.select_one("article h1").find_next_sibling()
    assert bar is not None and "notebook-links" in bar.get("class", [])
    assert f"PyTorch {torch.__version__} " in bar.select_one(".verified").get_text()


def test_the_nav_has_no_two_entries_with_one_title(built_site):
    titles = [a.get_text(" ", strip=True)
              for a in page(built_site, "index.html").select("nav.md-nav--primary a.md-nav__link")]
    notebooks = [t for t in titles if "Notebook" in t]
    assert notebooks and len(set(titles)) == len(titles), titles


def test_every_link_has_text_and_a_target_that_exists(built_site):
    assert broken_links(built_site) == []


def test_the_link_check_finds_an_empty_a_dead_and_an_anchorless_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<link rel="canonical" href="https://example.org/site/">'
                                         '<h2 id="here">x</h2><a href="a/">A</a><a href="#here">B</a>')
    (tmp_path / "a/index.html").write_text(
        '<a href="../#here"></a><a href="../missing/">C</a><a href="../#gone">D</a>'
        '<a href="https://zh.d2l.ai/"><img alt="书"></a>')
    (tmp_path / "404.html").write_text(  # its links start with the site's published path
        '<a href="/site/a/">E</a><a href="/site/#here">F</a><a href="/site/gone/">G</a><a href="/a/">H</a>')
    assert broken_links(tmp_path) == [("404.html", "/site/gone/", "no such file"),
                                      ("404.html", "/a/", "outside the site's path /site/"),
                                      ("a/index.html", "../#here", "no text"),
                                      ("a/index.html", "../missing/", "no such file"),
                                      ("a/index.html", "../#gone", "no such anchor")]


def test_the_notebook_stylesheet_keeps_exactly_the_rules_a_page_can_match():
    from d2l_site import notebook_css

    css = (".a .b{color:red}.x{color:blue}.a:not(.x){margin:0}.jupyter-wrapper :root{--v:1}"
           ".a,.x .b{top:0}:is(.a,.x) .y{left:0}.md-typeset__scrollwrap .a{padding:0}"
           "@media (max-width:10px){.x{color:red}.b{color:green}}@keyframes k{to{opacity:0}}")
    assert notebook_css.used_css(css, {"a", "b", "jupyter-wrapper"}) == (
        ".a .b{color:red}.a:not(.x){margin:0}.a{top:0}.md-typeset__scrollwrap .a{padding:0}"
        "@media (max-width:10px){.b{color:green}}@keyframes k{to{opacity:0}}")


def test_the_palette_stylesheet_is_materials_own_less_the_switching_rule(built_site):
    """The d2l-site plugin cuts the rule that restyles every element twice at each page load (Lighthouse
    blocking time on phones); everything else of Material's palette stylesheet is published as is."""
    import material

    [original] = (Path(material.__file__).parent / "templates/assets/stylesheets").glob("palette.*.min.css")
    published = (built_site / "assets/stylesheets" / original.name).read_text(encoding="utf-8")
    text = original.read_text(encoding="utf-8")
    rule = re.search(r"\[data-md-color-switching\] \*[^{}]*\{[^{}]*\}", text)[0]
    assert "transition" in rule and published == text.replace(rule, "", 1)
    assert "data-md-color-switching" not in published


def test_a_changed_switching_rule_is_reported_not_skipped(tmp_path, caplog):
    from d2l_site import publish

    css = tmp_path / "assets/stylesheets/palette.0.min.css"
    css.parent.mkdir(parents=True)
    css.write_text("[data-md-color-switching] *{transition:none}", encoding="utf-8")
    publish.drop_palette_switching_rule(tmp_path)
    assert "palette-switching rule has changed" in caplog.text  # a warning: --strict fails
    assert css.read_text(encoding="utf-8") == "[data-md-color-switching] *{transition:none}"


def test_the_kept_notebook_stylesheet_is_named_by_the_classes_it_was_cut_for(tmp_path, monkeypatch):
    """build-fast's .cache/notebook-css/ entry is named by the stylesheet and the notebook pages'
    classes: a page that gains a class gets a new cut, never the one kept for the old classes."""
    from d2l_site.notebook_css import NotebookCSS

    css = ".a{color:red}.b{color:blue}"
    cuts = []
    for classes in ({"a"}, {"a", "b"}, {"a"}):
        sheet = NotebookCSS(lambda *args: None, whole=False, cache_dir=tmp_path / ".cache/notebook-css")
        sheet.classes = set(classes)
        cuts.append((sheet.cut(css), sheet.parsed_by))
    assert cuts == [(".a{color:red}", "this process"), (".a{color:red}.b{color:blue}", "this process"),
                    (".a{color:red}", "the cache")]
    assert len(list((tmp_path / ".cache/notebook-css").glob("*.json"))) == 2


def test_only_a_page_with_a_diagram_loads_mermaid(built_site):
    """mermaid is 2.7 MB: on d2l-site's first try every notebook page loaded it, because nbconvert's
    inline stylesheet names .jp-Mermaid (a notebook page weighed 3.4 MB instead of 0.7 MB)."""
    from d2l_site.publish import MERMAID

    loading = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*.html")
               if MERMAID.split("/")[-1] in p.read_text(encoding="utf-8")]
    assert loading == []  # this site has no diagram (tests/site/test_vault.py has one)
