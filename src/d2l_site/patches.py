"""Every reach of the site into another package's internals, each with a one-line reason and a
test that fails when upstream changes what it relies on (tests/d2l_site/test_patches.py).
Nothing else in the package touches a private API or another plugin's config."""

from __future__ import annotations


def keep_compiled_templates(cache) -> None:
    """nbconvert makes a new Jinja environment per render and has no option for a bytecode
    cache: its environment factory is wrapped (once per process) to give it `cache`."""
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = TemplateExporter._create_environment
    if getattr(create, "keeps_compiled", False):
        return

    def create_with_cache(self):
        env = create(self)
        env.bytecode_cache = cache
        return env

    create_with_cache.keeps_compiled = True
    TemplateExporter._create_environment = create_with_cache


def light_soup() -> None:
    """nbconvert's HTMLExporter parses every page with BeautifulSoup to add alt texts and
    tabindex, then writes it out again: its module's name for BeautifulSoup is pointed at
    d2l_site.soup.LightSoup, which does the same without a parse."""
    from nbconvert.exporters import html

    from .soup import LightSoup

    html.BeautifulSoup = LightSoup


def render_from(page, future, on_done) -> None:
    """mkdocs-jupyter replaces a notebook page's `render` with its own nbconvert run; a notebook
    drawn in a worker must replace that in turn. If the worker failed, render here."""
    from mkdocs.structure.toc import get_toc

    render = page.render

    def from_worker(config, files):
        try:
            page.content = future.result()
        except Exception:  # noqa: BLE001 - a dead worker: mkdocs-jupyter renders it here
            return render(config, files)
        page.toc = get_toc([])
        on_done(page)

    page.render = from_worker


def cache_notebook_renders(jupyter, folder) -> list:
    """mkdocs-jupyter's cache (28 % of `make build-fast`) is an option of its config, which this
    site turns on where exec-cache caches; it writes an entry non-atomically and fails the build
    on reading a truncated one, so entries that do not parse are removed first (they are made
    again). Its entry format ({"content", "toc_tokens", "title"} as JSON) is its own. Returns
    the removed entries."""
    import json

    jupyter.config["cache"], jupyter.config["cache_dir"] = True, str(folder)
    removed = []
    for path in sorted(folder.glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(entry["content"], str) and isinstance(entry["toc_tokens"], list):
                continue
        except (OSError, ValueError, KeyError, TypeError):
            pass
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def callout_converter(callouts):
    """The callouts plugin converts in its page event; the site converts once per page, before
    planning its blocks, with the plugin's own parser class and the plugin's options."""
    from mkdocs_callouts.utils import CalloutParser

    options = callouts.config
    return CalloutParser(
        convert_aliases=options.get("aliases", True),
        breakless_lists=options.get("breakless_lists", True),
        title_from_first_bold=options.get("title_from_first_bold", False),
    ).parse


def render_options(jupyter) -> dict:
    """A notebook drawn in a worker calls mkdocs-jupyter's nb2html with the options its plugin
    would pass: the config options named like nb2html's parameters (no list copied by hand)."""
    import inspect

    from mkdocs_jupyter.convert import nb2html

    return {name: jupyter.config[name] for name in inspect.signature(nb2html).parameters if name in jupyter.config}


def jieba_cache_in(folder: str) -> None:
    """jieba (Material's Chinese search segmenter) reads its dictionary cache back from the
    shared temp folder under a fixed name; its documented tmp_dir moves it."""
    import jieba

    jieba.dt.tmp_dir = folder
