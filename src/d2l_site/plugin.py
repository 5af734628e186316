"""The MkDocs plugin `d2l-site`: what makes an Obsidian note a page of this site.

- renders the Obsidian syntax no plugin covers (obsidian.py), once per page, after the
  callouts plugin's own conversion, and plans each page's blocks with exec-cache from that text;
- builds the notebook of each page whose front matter says `notebook: true` (notebook_pages.py),
  with the outputs of the page's own run, drawn by exec-cache's workers on a clean build;
- makes the notebook pages pages of this site (notebook_render.py, notebook_css.py);
- publishes the snippet files, one zip of snippets and notebooks, and Material's palette
  stylesheet without its switching rule (publish.py);
- under `mkdocs serve`, keeps compiled Jinja templates in memory between rebuilds (Material's and
  nbconvert's), and jieba's dictionary cache (search) in a folder of this user's alone.

It uses exec-cache only through its public interface (exec_cache.plugin.engine_plugin).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from importlib import metadata
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from exec_cache.plugin import engine_plugin
from exec_cache.scan import included_stats
from exec_cache.store import Memo, UnsafeFolder, private_folder

from . import obsidian, patches, publish
from .notebook_css import NotebookCSS
from .notebook_pages import Notebooks, notebook_uri, temp_folder
from .notebook_render import CELLS_DRAWN_WHEN_IDLE, as_site_page, compiled_templates
from .page_helpers import ARCHIVE, math
from .pdf import PDF_NAME

log = logging.getLogger("mkdocs.plugins.d2l_site")


class SiteConfig(Config):
    snippets = c.Type(str, default="snippets")  # published beside the pages, zipped with the notebooks
    # what each speed or weight mechanism is worth is measured by `make bench` (README)
    cut_notebook_css = c.Type(bool, default=True)  # JupyterLab's sheet cut to what the pages match
    keep_templates = c.Type(bool, default=True)  # compiled Jinja templates kept (serve; notebook renders)
    light_soup = c.Type(bool, default=True)  # nbconvert's alt/tabindex pass without BeautifulSoup (d2l_site.soup)
    cut_palette_rule = c.Type(bool, default=True)  # Material's palette sheet less its switching rule
    remember_pages = c.Type(bool, default=True)  # serve: an unchanged page is not converted again
    lazy_notebooks = c.Type(bool, default=True)  # serve: a notebook whose cells are unchanged is not rewritten
    draw_in_workers = c.Type(bool, default=True)  # a notebook whose blocks changed is drawn by a worker
    cells_when_idle = c.Type(bool, default=True)  # a notebook page's cells drawn after it loads (notebook_render)
    pdf = c.Type(bool, default=False)  # pages link to the site's PDF (`make pdf` sets it: it writes the PDF)


def _private_jieba_cache() -> None:
    """jieba (the search plugin's Chinese segmenter) reads its dictionary cache back from the
    shared temp folder under a fixed name: give it a folder of this user's alone."""
    if importlib.util.find_spec("jieba") is None:
        return
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "d2l-notes" / "jieba"
    try:
        patches.jieba_cache_in(str(private_folder(folder)))
    except UnsafeFolder as error:
        log.warning(f"d2l-site: {error}")
        patches.jieba_cache_in(tempfile.mkdtemp(prefix="d2l-jieba-"))  # this process's own (0700)


class SitePlugin(BasePlugin[SiteConfig]):
    def __init__(self):
        self.command = "build"
        self.folder: Path | None = None  # this process's notebook folder
        self.memo = Memo()  # page -> (converted body, notebook JSON), for serve
        self.drawn: dict[str, tuple] = {}  # notebook -> (its .ipynb's digest, a worker's HTML), for serve
        self.site_seen = None  # serve: what every page shows of the others (titles, pages, nav)

    def on_startup(self, *, command, dirty):
        self.command = command
        if command == "serve" and not dirty:  # once per serve: the fast path is one flag away
            log.info(
                "`make serve` (mkdocs serve --dirty) reloads an edit faster: it renders again only "
                "the pages whose text or blocks changed"
            )

    def on_config(self, config):
        _private_jieba_cache()
        if self.command == "serve" and self.config.keep_templates:  # rebuilds recompile ~60 templates
            patches.keep_compiled_templates(compiled_templates())
        if self.config.light_soup:  # mkdocs-jupyter renders here too: in serve, and on a worker's failure
            patches.light_soup()
        self.exec = engine_plugin(config)
        self.root = Path(config.config_file_path).parent
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None and self.exec.caching:
            # its cache is keyed by the .ipynb bytes and its options: a folder per version set
            versions = " ".join(
                f"{d} {metadata.version(d)}" for d in ("mkdocs-jupyter", "nbconvert", "pygments", "jupyterlab_pygments")
            ) + (" light_soup" if self.config.light_soup else "")
            folder = self._cache_folder(f".cache/mkdocs-jupyter/{hashlib.sha256(versions.encode()).hexdigest()[:16]}")
            if folder is not None:
                for path in patches.cache_notebook_renders(jupyter, folder):
                    log.info(f"ignored an unreadable cache entry (it is made again): {path}")
        self.jupyter = jupyter
        return config

    def _cache_folder(self, rel: str) -> Path | None:
        """A cache folder of the project's, if it is this user's alone (else said, and no cache)."""
        try:
            return private_folder(self.root / rel)
        except UnsafeFolder as error:
            log.warning(f"d2l-site: {error}")
            return None

    def on_env(self, env, config, files):
        if self.command == "serve" and self.config.keep_templates:
            env.bytecode_cache = compiled_templates()  # in memory: nothing read back from a shared folder
        return env

    def on_pre_build(self, config):
        if self.folder is None:
            self.folder = temp_folder()
        # a notebook whose blocks changed is drawn by a worker if there are any; the others are
        # drawn here (mkdocs-jupyter's own cache answers when caching), or reused under serve
        draw = self.jupyter is not None and self.config.draw_in_workers
        options = patches.render_options(self.jupyter) if draw else None
        engine = self.exec.engine
        self.notebooks = Notebooks(
            engine,
            self.exec.expand,
            self.folder,
            options,
            tuple(name for name in ("keep_templates", "light_soup") if self.config[name]),
            self.drawn,
            lazy=self.config.lazy_notebooks,
        )
        self.css = NotebookCSS(
            engine.call,
            whole=self.command == "serve" or not self.config.cut_notebook_css,
            cache_dir=self._cache_folder(".cache/notebook-css") if self.exec.config.cache else None,
        )
        self.bodies: dict[str, tuple[str, str]] = {}  # page -> (Markdown as read, as converted)

    @event_priority(100)  # before mkdocs-jupyter looks for .ipynb files, and before exec-cache
    def on_files(self, files, config):
        pages = [f for f in files.documentation_pages() if f.src_uri.endswith(".md")]
        self.vault = obsidian.Vault(config.docs_dir, [f.src_uri for f in pages])
        for snippet in sorted((self.root / self.config.snippets).rglob("*.py")):
            files.append(File.generated(config, str(snippet.relative_to(self.root)), abs_src_path=str(snippet)))
        callouts = config.plugins.get("callouts")
        callouts = patches.callout_converter(callouts) if callouts is not None else (lambda text: text)
        # what every page's conversion reads besides its own text; and what every page shows of
        # the others (nav, titles): a change to that renders every page again under serve --dirty
        shared = (
            repr(sorted(self.vault.pages.items())),
            repr(sorted(self.vault.files.items())),
            tuple(f.src_uri for f in pages),
            repr(sorted(self.vault.book.items())),
        )
        site = (shared[0], shared[2], repr(config.nav))
        every_page, self.site_seen = self.site_seen is not None and site != self.site_seen, site
        for page in pages:
            text = Path(page.abs_src_path).read_text(encoding="utf-8")
            body, meta = get_data(text)
            inputs = (text, included_stats(self.root, body), shared)
            last = self.memo.last(page.src_uri)
            known = self.memo.made(page.src_uri, inputs) if self.config.remember_pages else None
            if known:  # serve: an unchanged page is not converted again
                converted, nb_json = known
            else:  # the callouts plugin's own conversion, then the Obsidian syntax: once per page
                converted, nb_json = self._convert(callouts(body), page.src_uri), None
            self.bodies[page.src_uri] = (body, converted)
            if last and last[0] != converted:  # --dirty would skip it: its file is unchanged
                self.exec.render_again(page.src_uri)
            plan = self.exec.plan_page(page.src_uri, converted)
            if meta.get("notebook"):
                previous = last[1] if last else None
                nb_json = self.notebooks.add(page, converted, plan, nb_json, files, config, previous)
            self.memo.keep(page.src_uri, inputs, (converted, nb_json))
        for src in [*(page.src_uri for page in pages), *self.notebooks.made] if every_page else ():
            self.exec.render_again(src)
        return files

    @event_priority(100)  # before the callouts plugin: the text is converted already
    def on_page_markdown(self, markdown, page, config, files):
        self.notebooks.take_rendered(page)
        read, converted = self.bodies.get(page.file.src_uri, (None, None))
        text = converted if markdown == read else self._convert(markdown, page.file.src_uri)
        tags = obsidian.tags_of(markdown)  # the #tags of the text join its front matter's, for Material's tags
        if tags:
            page.meta["tags"] = list(dict.fromkeys([*(page.meta.get("tags") or []), *tags]))
        return obsidian.page_math(text)  # the page's own: the notebook keeps $…$ for Jupyter

    def _convert(self, markdown: str, src: str) -> str:
        try:
            return self.vault.convert(markdown, src)
        except obsidian.EmbedError as error:
            raise PluginError(f"{src}: {error}") from None

    @event_priority(50)  # before mkdocs-jupyter's, which keys its cache on the .ipynb as it is then
    def on_pre_page(self, page, config, files):
        """A notebook renders after every Markdown page: its blocks have all run by now."""
        if page.file.src_uri in self.notebooks.made:
            self.notebooks.write(page.file.src_uri)
        return page

    def on_post_page(self, output, page, config):
        """A page with a mermaid diagram (a note's page, or its notebook page) loads the site's own
        mermaid before Material's script, which would otherwise fetch it from a CDN."""
        return publish.with_mermaid(output, get_relative_url(publish.MERMAID, page.url))

    def on_page_content(self, html, page, config, files):
        src = page.file.src_uri
        if src in self.notebooks.made:  # the rendered notebook
            page.meta["search"] = {"exclude": True}  # same text as its page: one search hit, not two
            html = as_site_page(html, page, self.css, math)
            if self.config.cells_when_idle:
                html = CELLS_DRAWN_WHEN_IDLE[0] + html + CELLS_DRAWN_WHEN_IDLE[1]
            name = Path(src).name
            links = f'<a class="md-button md-button--primary" href="{name}" download>下载 {name}（含输出）</a>'
        elif src in self.notebooks.of_page:  # a page that has a notebook
            self.notebooks.send(notebook_uri(src))
            href = get_relative_url(self.notebooks.of_page[src], page.url)
            name = Path(self.notebooks.of_page[src]).name + ".ipynb"
            links = (
                f'<a class="md-button" href="{href}">Notebook 版</a> '
                f'<a class="md-button" href="{href}{name}" download>下载 {name}</a>'
            )
        elif any(block.include for block in self.exec.engine.plans[src].blocks):  # shows snippets' outputs
            links = ""
        elif self.config.pdf and src != "tags.md":  # a content page: it is in the PDF
            return publish.under_title(html, f'<p class="notebook-links">{self._pdf_link(page)}</p>')
        else:
            return html
        pdf = self._pdf_link(page) if self.config.pdf and src not in self.notebooks.made else ""
        bar = " ".join(filter(None, [publish.verified(), links, pdf]))
        return publish.under_title(html, f'<p class="notebook-links">{bar}</p>')

    def _pdf_link(self, page) -> str:
        href = get_relative_url(PDF_NAME, page.url)
        return f'<a class="md-button" href="{href}" download>下载 PDF</a>'

    @event_priority(10)  # before exec-cache's summary
    def on_post_build(self, config):
        site = Path(config.site_dir)
        if self.config.cut_palette_rule:
            publish.drop_palette_switching_rule(site)
        self.css.write(site)
        snippets = sorted((self.root / self.config.snippets).rglob("*.py"))
        made = sorted(self.notebooks.made.values(), key=lambda v: v[1].name)
        members = [(str(p.relative_to(self.root)), p) for p in snippets]
        members += [(f"notebooks/{path.name}", path) for _, path, _ in made]
        publish.write_archive(site / ARCHIVE, members)
        log.info(
            f"notebooks drawn by workers: {len(self.notebooks.from_workers)} of {len(self.notebooks.made)}; "
            f"notebook stylesheet parsed by {self.css.parsed_by}"
        )
