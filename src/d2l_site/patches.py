"""The site's patches of other packages' private APIs, each with a one-line reason and a test
(tests/d2l_site/test_patches.py). Nothing else in the package touches a private API."""

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
