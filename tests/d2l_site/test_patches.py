"""Each of the site's reaches into another package (d2l_site/patches.py) still does what it says:
each test fails when upstream changes what the patch relies on."""

from __future__ import annotations

import inspect
import json
from types import SimpleNamespace

import pytest

from d2l_site import patches


def test_nbconvert_environments_get_the_kept_templates():
    from nbconvert.exporters import HTMLExporter

    from d2l_site.notebook_render import compiled_templates

    cache = compiled_templates()  # a working cache: the wrap stays for the rest of the process
    patches.keep_compiled_templates(cache)
    patches.keep_compiled_templates(cache)  # once per process: not wrapped twice
    assert HTMLExporter()._create_environment().bytecode_cache is cache


def test_a_page_renders_from_a_workers_html_or_else_as_before():
    from concurrent.futures import Future

    drawn, failed = Future(), Future()
    drawn.set_result("<p>drawn</p>")
    failed.set_exception(RuntimeError("worker died"))
    for future, expected in ((drawn, "<p>drawn</p>"), (failed, "rendered here")):
        page = SimpleNamespace(content=None, toc=None)
        page.render = lambda config, files, page=page: setattr(page, "content", "rendered here")
        done = []
        patches.render_from(page, future, done.append)
        page.render(None, None)
        assert page.content == expected and done == ([page] if future is drawn else [])


def test_the_callouts_converter_is_the_plugins_own():
    from mkdocs_callouts.plugin import CalloutsPlugin

    plugin = CalloutsPlugin()
    plugin.load_config({})
    text = "> [!note] 标题\n> 正文\n\n> [!tip]- 折叠\n> 内容\n"
    converted = patches.callout_converter(plugin)(text)
    assert converted == plugin.on_page_markdown(text, page=None, config=None, files=None)
    assert '!!! note "标题"' in converted and "???" in converted


def test_the_render_options_are_the_ones_mkdocs_jupyter_passes_to_nb2html():
    from mkdocs_jupyter.plugin import Plugin

    plugin = Plugin()
    plugin.load_config({})
    options = patches.render_options(plugin)
    assert {"theme", "remove_tag_config", "no_input", "allow_errors"} <= set(options)
    source = inspect.getsource(Plugin.on_pre_page)
    call = source[source.index("convert.nb2html(") :].replace(" ", "")
    for name in options:  # its own call of nb2html passes each (execute as exec_nb: false here)
        assert f"\n{name}=" in call, name


def test_mkdocs_jupyters_cache_is_on_and_a_truncated_entry_is_removed(tmp_path):
    from mkdocs_jupyter.plugin import Plugin

    plugin = Plugin()
    plugin.load_config({})
    good, cut = tmp_path / "good.json", tmp_path / "cut.json"
    good.write_text(json.dumps({"content": "<p>x</p>", "toc_tokens": [], "title": None}), encoding="utf-8")
    cut.write_text(good.read_text(encoding="utf-8")[:20], encoding="utf-8")
    assert patches.cache_notebook_renders(plugin, tmp_path) == [cut]
    assert plugin.config["cache"] is True and plugin.config["cache_dir"] == str(tmp_path)
    assert good.exists() and not cut.exists()
    source = inspect.getsource(Plugin.on_pre_page)  # the entry format the check assumes
    assert 'cached["content"]' in source and 'cached["toc_tokens"]' in source


def test_jiebas_dictionary_cache_goes_where_it_is_told(tmp_path):
    jieba = pytest.importorskip("jieba")
    tokenizer = jieba.Tokenizer()
    saved, jieba.dt = jieba.dt, tokenizer
    try:
        patches.jieba_cache_in(str(tmp_path))
        tokenizer.initialize()
    finally:
        jieba.dt = saved
    assert (tmp_path / "jieba.cache").is_file()


def _elements(page: str) -> list:
    """A page as a browser reads it: each element with its attributes, each text with its spaces
    collapsed (BeautifulSoup's parse, which is what nbconvert's own pass writes out)."""
    from bs4 import BeautifulSoup, Comment, NavigableString

    out = []
    for node in BeautifulSoup(page, "html.parser").descendants:
        if isinstance(node, Comment):
            continue
        if isinstance(node, NavigableString):
            if text := " ".join(node.split()):
                out.append(text)
        else:
            out.append(
                (node.name, sorted((k, " ".join(v) if isinstance(v, list) else v) for k, v in node.attrs.items()))
            )
    return out


def test_nbconverts_last_pass_without_a_parse_gives_the_same_page(monkeypatch):
    import re

    import nbformat
    from nbconvert.exporters import HTMLExporter, html

    from d2l_site import soup

    source = inspect.getsource(HTMLExporter.from_notebook_node)  # the selectors LightSoup stands in for
    assert set(re.findall(r'soup\.select\("([^"]+)"\)', source)) == set(soup.SELECTORS)
    cells = [
        nbformat.v4.new_markdown_cell('## 参数 & "访问"\n\n<img src="a.png">\n\n![示意](b.png) 1 < 2 > 0'),
        nbformat.v4.new_code_cell(
            "print(type(x))", outputs=[nbformat.v4.new_output("stream", text="<class 'torch.Tensor'>\n")]
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    by_bs4 = HTMLExporter().from_notebook_node(notebook)[0]
    monkeypatch.setattr(html, "BeautifulSoup", soup.LightSoup)
    light = HTMLExporter().from_notebook_node(notebook)[0]
    assert _elements(light) == _elements(by_bs4)
    assert 'tabindex="0"' in light and 'alt="No description' in light and 'alt="示意"' in light
    text = soup.RAW.sub("", light)
    assert '参数 &amp; "访问"' in text and not re.search(r"&#\d+;|&quot;", text)  # written as bs4 writes text
    with pytest.raises(NotImplementedError, match="d2l_site.soup knows"):
        soup.LightSoup("<p></p>").select("p.new")
