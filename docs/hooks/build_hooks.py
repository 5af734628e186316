"""MkDocs hooks: the only build glue of this site (registered in mkdocs.yml).

- make page_helpers importable from the pages' hidden markdown-exec blocks;
- give markdown-exec a clean start on every build (it has no option for that);
- render the Obsidian syntax no plugin covers (obsidian.py);
- build, execute and link the notebook of each page whose front matter says
  `notebook: true` (page_notebooks.py), and fix mkdocs-jupyter's heading ids;
- publish the snippet files and one zip of snippets + notebooks for offline study;
- under `mkdocs serve`, keep compiled Jinja templates between rebuilds (Material's
  and nbconvert's): about 0.5 s less per rebuild.
"""
from __future__ import annotations

import importlib
import posixpath
import re
import sys
import tempfile
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import nbformat
from markdown_exec._internal.formatters import python as _exec_python
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data
from pymdownx.slugs import slugify

HOOKS_DIR = Path(__file__).resolve().parent
if str(HOOKS_DIR) not in sys.path:
    sys.path.insert(0, str(HOOKS_DIR))
import obsidian  # noqa: E402
import page_notebooks as notebooks  # noqa: E402
from mkdocs_callouts.utils import CalloutParser  # noqa: E402
from page_helpers import ARCHIVE  # noqa: E402

# -- build state -----------------------------------------------------------------
_command = "build"
_pool: ThreadPoolExecutor | None = None  # the kernel runs while the pages render
_pending: dict[str, tuple[Future, Path]] = {}  # notebook src_uri -> (execution, .ipynb path)
_notebook_of: dict[str, str] = {}  # page src_uri -> its notebook page's URL
_vault: obsidian.Vault | None = None


def on_startup(command, dirty):
    global _command
    _command = command
    if command == "serve":
        _keep_compiled_templates()


def _keep_compiled_templates():
    """Rebuilds recompile ~60 Jinja templates (0.7 s); a bytecode cache skips that.

    Serve only: `mkdocs build` stays a build from scratch. nbconvert has no option
    for it, so its environment factory is wrapped.
    """
    import jinja2
    from nbconvert.exporters.templateexporter import TemplateExporter

    global _jinja_cache
    folder = Path(tempfile.gettempdir()) / "d2l-notes-jinja"
    folder.mkdir(exist_ok=True)
    _jinja_cache = jinja2.FileSystemBytecodeCache(str(folder))
    create = TemplateExporter._create_environment

    def create_with_cache(self):
        env = create(self)
        env.bytecode_cache = _jinja_cache
        return env

    if not getattr(create, "keeps_compiled", False):
        create_with_cache.keeps_compiled = True
        TemplateExporter._create_environment = create_with_cache


_jinja_cache = None


def on_env(env, config, files):
    env.bytecode_cache = _jinja_cache  # None (no cache) unless serving
    return env


def on_config(config):
    # markdown-exec blocks `import page_helpers`; MkDocs may have dropped our path.
    if str(HOOKS_DIR) not in sys.path:
        sys.path.insert(0, str(HOOKS_DIR))
    # `make serve` keeps the process alive: pick up edits to the helpers.
    for name in ("page_helpers", "obsidian", "page_notebooks"):
        if name in sys.modules:
            importlib.reload(sys.modules[name])
    return config


def on_pre_build(config):
    # `mkdocs serve` keeps session globals between rebuilds, which can hide a
    # snippet that no longer defines what a later block uses. Start clean.
    global _pool
    _exec_python._sessions_globals.clear()
    _pool = ThreadPoolExecutor(max_workers=1)
    _pending.clear()
    _notebook_css.clear()
    _notebook_of.clear()


@event_priority(100)  # before mkdocs-jupyter looks for .ipynb files
def on_files(files, config):
    global _vault
    root = Path(config.config_file_path).parent
    _vault = obsidian.Vault(config.docs_dir, [f.src_uri for f in files.documentation_pages()
                                              if f.src_uri.endswith(".md")])
    for snippet in sorted((root / "snippets").rglob("*.py")):
        files.append(File.generated(config, str(snippet.relative_to(root)),
                                    abs_src_path=str(snippet)))
    cache = root / ".cache" / "notebook-outputs" if _command == "serve" else None
    for page in list(files.documentation_pages()):
        text = Path(page.abs_src_path).read_text(encoding="utf-8")
        if not get_data(text)[1].get("notebook"):
            continue
        nb_uri = f"notebooks/{Path(page.src_uri).stem}.ipynb"
        # A real source dir, not File.generated: mkdocs-jupyter's NotebookFile
        # reads src_dir and cannot see a generated file's abs_src_path.
        src_dir = root / ".cache" / "generated"
        nb_file = File(nb_uri, src_dir=str(src_dir), dest_dir=config.site_dir,
                       use_directory_urls=config.use_directory_urls)
        # mkdocs-jupyter serves the notebook at the URL a .md at that path would get
        nb_url = File(nb_uri.removesuffix(".ipynb") + ".md", None, config.site_dir,
                      config.use_directory_urls).url
        page_dir = posixpath.dirname(page.src_uri)
        base = (config.site_url or "").rstrip("/")

        def link(m, page_dir=page_dir, nb_url=nb_url, base=base):
            target = files.get_file_from_path(posixpath.normpath(posixpath.join(page_dir, m["target"])))
            if target is None:  # not a page: MkDocs reports the page's own broken link
                return m[0]
            href = f"{base}/{target.url}" if base else get_relative_url(target.url, nb_url)
            return f"]({href}{m['anchor'] or ''})"

        # the notebook's prose is the page's, with Obsidian syntax already rendered
        text = CalloutParser().parse(_vault.convert(text, page.src_uri))
        nb = notebooks.build_notebook(text, config.mdx_configs, link)
        path = src_dir / nb_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)  # placeholder until the kernel is done
        _pending[nb_uri] = (_pool.submit(notebooks.execute, nb, root, page.src_uri, cache), path)
        _notebook_of[page.src_uri] = nb_url
        files.append(nb_file)
    return files


def on_page_markdown(markdown, page, config, files):
    return _vault.convert(markdown, page.file.src_uri)


def on_pre_page(page, config, files):
    if page.file.src_uri in _pending:
        future, path = _pending[page.file.src_uri]
        try:
            nbformat.write(future.result(), path)
        except notebooks.NotebookError as error:
            raise PluginError(str(error)) from None
    return page


HEADING = re.compile(r'<h(?P<level>[1-6])(?P<attrs>[^>]*)>(?P<inner>.*?)</h(?P=level)>', re.S)
TAG = re.compile(r"<[^>]+>")
CDN_SCRIPTS = re.compile(
    r'<!-- Load mathjax -->\s*<script src="[^"]*">\s*</script>'
    r'|<script type="text/x-mathjax-config">.*?</script>'
    r'|<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*?</script>', re.S)


def _fix_notebook_headings(html: str, page) -> str:
    """mkdocs-jupyter's slugifier drops Chinese, leaving id="" headings and dead TOC
    links; give every heading the site's own slug (unique) and rebuild the TOC."""
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
        return (f'<h{level}{attrs} id="{hid}">{inner}'
                f'<a class="headerlink" href="#{hid}" title="Permanent link">¶</a></h{level}>')

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


NOTEBOOK_CSS = "assets/stylesheets/jupyter.css"
BIG_STYLE = re.compile(r'<style type="text/css">\s*(?P<css>(?:(?!</style>).){20000,}?)</style>', re.S)
_notebook_css: list[str] = []


def _externalize_notebook_css(html: str, page) -> str:
    """nbconvert inlines ~570 kB of JupyterLab CSS into every notebook page; serve it as
    one cacheable file instead (lighter pages on phones, faster search indexing)."""
    blocks = [m["css"] for m in BIG_STYLE.finditer(html)]
    if not blocks:
        return html
    _notebook_css[:] = blocks
    href = get_relative_url(NOTEBOOK_CSS, page.url)
    return f'<link rel="stylesheet" href="{href}">' + BIG_STYLE.sub("", html)


def on_page_content(html, page, config, files):
    src = page.file.src_uri
    if src in _pending:  # the rendered notebook
        page.meta["search"] = {"exclude": True}  # same text as its page: one search hit, not two
        html = _fix_notebook_headings(html, page)
        # nbconvert's template loads MathJax and mermaid from a CDN; these pages use neither.
        html = CDN_SCRIPTS.sub("", html)
        html = _externalize_notebook_css(html, page)
        name = Path(src).name
        bar = (f'<p class="notebook-links"><a class="md-button md-button--primary" href="{name}" '
               f'download>下载 {name}（含输出）</a></p>')
        return bar + html
    if src in _notebook_of:  # a page that has a notebook
        href = get_relative_url(_notebook_of[src], page.url)
        name = Path(_notebook_of[src]).name + ".ipynb"
        bar = (f'<p class="notebook-links"><a class="md-button" href="{href}">Notebook 版</a> '
               f'<a class="md-button" href="{href}{name}" download>下载 {name}</a></p>')
        return bar + html
    return html


def on_post_build(config):
    """The notebook stylesheet, and one zip of every snippet and executed notebook."""
    root = Path(config.config_file_path).parent
    site = Path(config.site_dir)
    if _notebook_css:
        css = site / NOTEBOOK_CSS
        css.parent.mkdir(parents=True, exist_ok=True)
        css.write_text("\n".join(_notebook_css), encoding="utf-8")
    members = [(str(p.relative_to(root)), p) for p in sorted((root / "snippets").rglob("*.py"))]
    members += [(f"notebooks/{path.name}", path) for _, path in sorted(_pending.values(),
                                                                     key=lambda v: v[1].name)]
    target = site / ARCHIVE
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in members:
            info = zipfile.ZipInfo(name, date_time=(2023, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    _pool.shutdown()


def on_build_error(error):
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
