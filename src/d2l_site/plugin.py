"""MkDocs hooks: the only build glue of this site (registered in mkdocs.yml).

- make page_helpers importable from the pages' hidden markdown-exec blocks;
- run the pages' python blocks through exec_cache.py: each block once per build, the
  sessions in parallel worker processes before the pages render, outputs cached under
  `mkdocs serve` (markdown-exec has no cache, no parallelism and no clean start);
- under `mkdocs serve --dirty`, re-render a page when one of its blocks changed, even
  if the page itself did not (MkDocs knows nothing of `--8<--` includes);
- render the Obsidian syntax no plugin covers (obsidian.py);
- build and link the notebook of each page whose front matter says `notebook: true`
  (page_notebooks.py), with the outputs of the page's own run; a clean build renders it in
  a renderer process (one per 8 notebooks, at most one per worker) as soon as the page's
  sessions have run, while this process renders other pages; fix mkdocs-jupyter's heading ids;
- publish Material's palette stylesheet without the rule that restyles every element twice
  at each page load (blocking time on phones);
- publish JupyterLab's stylesheet cut to the rules a notebook page can match (parsed by the
  renderers while they wait; `make build-fast` keeps the cut in .cache/notebook-css/);
- load jieba's dictionary for Material's Chinese search while the workers import torch;
- publish the snippet files and one zip of snippets + notebooks for offline study;
- under `mkdocs serve`, keep compiled Jinja templates between rebuilds (Material's
  and nbconvert's): about 0.5 s less per rebuild.
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import json
import logging
import os
import posixpath
import re
import sys
import tempfile
import threading
import zipfile
from html import unescape
from importlib import metadata
from pathlib import Path

import markdown_exec
import nbformat
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
import exec_cache  # noqa: E402
import obsidian  # noqa: E402
import page_helpers  # noqa: E402
import page_notebooks as notebooks  # noqa: E402
from mkdocs_callouts.utils import CalloutParser  # noqa: E402
from page_helpers import ARCHIVE  # noqa: E402

log = logging.getLogger("mkdocs.hooks.build_hooks")

# -- build state (what outlives a rebuild of `mkdocs serve` is in exec_cache) ----------
_notebooks: dict[str, tuple[nbformat.NotebookNode, Path, list[str]]] = {}
#   notebook src_uri -> (notebook without outputs, .ipynb path, key of each code cell's block)
_notebook_of: dict[str, str] = {}  # page src_uri -> its notebook page's URL
_page_keys: dict[str, list[str]] = {}  # page src_uri -> the keys of its blocks
_page_blocks: dict[str, list] = {}  # page src_uri -> its blocks
_vault: obsidian.Vault | None = None
_notebook_html: dict = {}  # notebook src_uri -> a renderer's Future of its HTML (clean builds)
_notebooks_from_workers: list[str] = []  # the notebooks whose HTML a worker rendered
_notebooks_written: set[str] = set()  # the notebooks given their outputs in this build
_notebooks_sent: set[str] = set()  # the notebooks sent to a renderer in this build


def on_startup(command, dirty):
    exec_cache.command = command
    if os.environ.get("D2L_EXEC_CACHE") == "1" and command != "serve":
        exec_cache.workers.workers = 0  # build-fast: its few misses run sooner than workers start
    else:  # their torch import overlaps the rest of MkDocs' start-up
        exec_cache.workers.start()
    if command == "serve":
        _keep_compiled_templates()
        _watch_every(0.1)


def _load_jieba() -> None:
    try:
        import jieba
    except ImportError:  # the search plugin then indexes without it, as it does anyway
        return
    jieba.initialize()


def _watch_every(seconds: float) -> None:
    """`mkdocs serve` polls for changes every 0.5 s and has no option for it: a shorter
    interval saves ~0.2 s a reload. Fenced: LiveReloadServer is MkDocs-internal; the
    test that guards it is tests/site/test_exec_cache.py::test_serve_polls_every_tenth_second."""
    from mkdocs.livereload import LiveReloadServer

    init = LiveReloadServer.__init__
    if getattr(init, "polls_every", None) == seconds:
        return

    def polls_faster(self, *args, polling_interval=seconds, **kwargs):
        init(self, *args, polling_interval=polling_interval, **kwargs)

    polls_faster.polls_every = seconds
    LiveReloadServer.__init__ = polls_faster


def on_shutdown():
    exec_cache.workers.shutdown()


def _template_cache():
    """Compiled Jinja templates, kept in a temp folder between rebuilds of `mkdocs serve`."""
    import jinja2

    folder = Path(tempfile.gettempdir()) / "d2l-notes-jinja"
    folder.mkdir(exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))


def _keep_compiled_templates():
    """Rebuilds recompile ~60 Jinja templates (0.7 s); a bytecode cache skips that.
    Serve only: `mkdocs build` stays a build from scratch."""
    notebooks.keep_compiled_templates(_template_cache())


def on_env(env, config, files):
    if exec_cache.command == "serve":
        env.bytecode_cache = _template_cache()
    return env


def on_config(config):
    # markdown-exec blocks `import page_helpers`; MkDocs may have dropped our path.
    if str(HOOKS_DIR) not in sys.path:
        sys.path.insert(0, str(HOOKS_DIR))
    # `make serve` keeps the process alive: pick up edits to the helpers.
    for name in ("page_helpers", "obsidian", "page_notebooks"):
        if name in sys.modules:
            importlib.reload(sys.modules[name])
    # python blocks: markdown-exec renders them, exec_cache runs them (its public
    # extension point; the plugin's own fences are limited to other languages in mkdocs.yml)
    fences = config.mdx_configs.setdefault("pymdownx.superfences", {}).setdefault("custom_fences", [])
    fences.append({"name": "python", "class": "python", "validator": markdown_exec.validator,
                   "format": exec_cache.formatter})
    _cache_rendered_notebooks(config)
    return config


def _cache_rendered_notebooks(config) -> None:
    """Where blocks are cached (serve, build-fast), so is mkdocs-jupyter's HTML of a notebook:
    its own cache, keyed by the .ipynb bytes and its options, in a folder named after the
    versions that render it (its key has none). `mkdocs build` keeps it off, as mkdocs.yml says."""
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None or not (exec_cache.command == "serve"
                               or os.environ.get("D2L_EXEC_CACHE") == "1"):
        return
    versions = " ".join(f"{d} {metadata.version(d)}" for d in
                        ("mkdocs-jupyter", "nbconvert", "pygments", "jupyterlab_pygments"))
    folder = hashlib.sha256(versions.encode()).hexdigest()[:16]
    root = Path(config.config_file_path).parent
    jupyter.config["cache"] = True
    jupyter.config["cache_dir"] = str(root / ".cache" / "mkdocs-jupyter" / folder)


def _store(root: Path) -> exec_cache.Store:
    """`mkdocs build` executes everything (in memory only) unless D2L_EXEC_CACHE=1 (`make
    build-fast`); `mkdocs serve` keeps one store, backed by .cache/exec/, for the session."""
    folder = root / ".cache" / "exec"
    if exec_cache.command == "serve":
        if exec_cache.serve_store is None:
            exec_cache.serve_store = exec_cache.Store(folder)
        return exec_cache.serve_store
    return exec_cache.Store(folder if os.environ.get("D2L_EXEC_CACHE") == "1" else None)


def _render_env(config) -> str:
    """What shapes a block's HTML besides its inputs: mkdocs.yml and the renderers' versions."""
    text = Path(config.config_file_path).read_text(encoding="utf-8")
    return " ".join([hashlib.sha256(text.encode()).hexdigest()] + [
        f"{d} {metadata.version(d)}" for d in ("markdown", "pymdown-extensions", "pygments",
                                               "markdown-exec")])


def on_pre_build(config):
    exec_cache.new_build()  # a rebuild of `mkdocs serve` reads the helpers' source anew
    # every build starts with no session variables: serve cannot hide a broken snippet
    exec_cache.current = exec_cache.Pages(_store(Path(config.config_file_path).parent),
                                          render_env=_render_env(config),
                                          markdown_config=exec_cache.portable_markdown_config())
    _notebooks.clear()
    _page_keys.clear()
    _notebook_css.clear()
    _notebook_css_rules.clear()
    _notebook_css_parsed_by.clear()
    _notebook_classes.clear()
    _notebook_html.clear()
    _notebooks_from_workers.clear()
    _notebooks_written.clear()
    _notebooks_sent.clear()
    _notebook_errors.clear()
    _notebook_of.clear()


def _keys(blocks: list[exec_cache.Block]) -> list[str]:
    """Each block's key; a block with no session is a session of its own."""
    keys: list[str] = [""] * len(blocks)
    for members in exec_cache.sessions(blocks).values():
        chain = [blocks[n] for n in members]
        for n, key in zip(members, exec_cache.session_keys([b.code for b in chain],
                                                           [b.options for b in chain])):
            keys[n] = key
    return keys


def _run_ahead(src: str, blocks: list[exec_cache.Block], keys: list[str]) -> bool:
    """Send the page's sessions that have a block not in the store to the workers.

    Returns whether the page must show other outputs than it did (a block changed, or
    it showed an error, or it was never rendered in this process).
    """
    current = exec_cache.current
    for name, members in exec_cache.sessions(blocks).items():
        chain_keys = [keys[n] for n in members]
        if not all(current.store.has(key) for key in chain_keys):  # pending elsewhere counts as had
            current.fresh.update(chain_keys)
            chain = [blocks[n] for n in members]
            options = [exec_cache.fence_options(block) for block in chain]  # the worker renders them too
            exec_cache.workers.submit(current.store, f"{src}:{name}", chain, chain_keys,
                                      about={"page": src, "session": name},
                                      render=(*current.markdown_config, options),
                                      html_keys=[current.html_key(k, o) for k, o in zip(chain_keys, options)])
    return exec_cache.rendered.get(src) != keys


INCLUDE = re.compile(r'--8<-- "(?P<path>[^":]+)')


def _inputs(root: Path, text: str, shared: tuple) -> tuple:
    """Everything a page's blocks and notebook are made from, as a value to compare:
    its text, the files it includes (their size and time), and what all pages share."""
    stats = []
    for rel in sorted(set(INCLUDE.findall(text))):
        try:
            stat = (root / rel).stat()
            stats.append((rel, stat.st_mtime_ns, stat.st_size))
        except OSError:
            stats.append((rel, None, None))
    return (text, tuple(stats), shared)


def _shared_inputs(root: Path, files) -> tuple:
    """What every page's blocks and notebook depend on: the hooks' modules, the vault, the pages."""
    hooks = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                  for p in sorted(HOOKS_DIR.iterdir()) if p.is_file())
    return (hooks, repr(sorted(_vault.pages.items())), repr(sorted(_vault.files.items())),
            tuple(f.src_uri for f in files.documentation_pages()), exec_cache.environment())


def _notebook_uri(page_src: str) -> str:
    """Where a page's notebook goes (in the notebook folder, and on the site)."""
    return f"notebooks/{Path(page_src).stem}.ipynb"


# A renderer costs ~1.5 s of CPU to start (Python, nbconvert, its warm-up) and draws a notebook
# in ~0.25 s: a second one pays off from about 8 notebooks (1 note: 4, slower by a second
# renderer; 32 notes: 35, where one renderer drew them for ~10 s after the sessions had run).
NOTEBOOKS_PER_RENDERER = 8


@event_priority(100)  # before mkdocs-jupyter looks for .ipynb files
def on_files(files, config):
    global _vault
    root = Path(config.config_file_path).parent
    _vault = obsidian.Vault(config.docs_dir, [f.src_uri for f in files.documentation_pages()
                                              if f.src_uri.endswith(".md")])
    for snippet in sorted((root / "snippets").rglob("*.py")):
        files.append(File.generated(config, str(snippet.relative_to(root)),
                                    abs_src_path=str(snippet)))
    expand = notebooks.snippet_expander(config.mdx_configs)
    shared = _shared_inputs(root, files)
    options = _renderer_options(config)  # None: no renderers (serve, build-fast)
    for page in list(files.documentation_pages()):
        if not page.src_uri.endswith(".md"):
            continue
        text = Path(page.abs_src_path).read_text(encoding="utf-8")
        inputs = _inputs(root, text, shared)
        known = exec_cache.page_memo.get(page.src_uri)
        if known and known[0] == inputs:  # serve: an unchanged page is not scanned again
            converted, blocks, keys = known[1]
        else:
            # the page's Markdown as its blocks will see it: Obsidian syntax rendered
            converted = CalloutParser().parse(_vault.convert(text, page.src_uri))
            try:
                blocks = exec_cache.scan(converted, expand)
            except Exception as error:  # e.g. a missing --8<-- file: say which page includes it
                raise PluginError(f"{page.src_uri}: {error}") from None
            keys = _keys(blocks)
            exec_cache.page_memo[page.src_uri] = (inputs, (converted, blocks, keys))
        new = _run_ahead(page.src_uri, blocks, keys)
        _page_keys[page.src_uri] = keys
        _page_blocks[page.src_uri] = blocks
        if new and exec_cache.command == "serve":  # --dirty would skip it: its source file is unchanged
            page.is_modified = lambda: True
        if not get_data(text)[1].get("notebook"):
            continue
        nb_uri = _notebook_uri(page.src_uri)
        # A real source dir, not File.generated: mkdocs-jupyter's NotebookFile
        # reads src_dir and cannot see a generated file's abs_src_path.
        src_dir = exec_cache.notebook_dir()
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

        # the notebook's prose is the page's; its code cells are the page's include blocks
        # (kept as JSON, each build gets a fresh copy: add_outputs fills the cells in place;
        # nbformat validates when the notebook is written, not at each copy)
        memo = exec_cache.page_memo[page.src_uri]
        if len(memo) < 3:
            exec_cache.page_memo[page.src_uri] = (*memo, json.dumps(
                notebooks.build_notebook(converted, expand, link)))
        nb = nbformat.from_dict(json.loads(exec_cache.page_memo[page.src_uri][2]))
        shown = [c.metadata.get("snippet") for c in nb.cells
                 if c.cell_type == "code" or "page_output" in c.metadata]
        if shown != [b.include for b in blocks]:
            raise PluginError(f"{page.src_uri}: its notebook cells do not match its blocks")
        path = src_dir / nb_uri
        # Under serve a prose-only edit leaves the notebook as it was (re-rendering it costs
        # ~0.3 s a reload); a build always writes it, a changed block or cell always refreshes it.
        if new or _code_cells(path) != [c.source for c in nb.cells if c.cell_type == "code"]:
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, path)  # outputs are added when its page is rendered
        _notebooks[nb_uri] = (nb, path, keys)
        _notebook_of[page.src_uri] = nb_url
        files.append(nb_file)
        if options is not None and new:
            _render_when_run(nb_uri, keys, options)
    if options is not None:  # a clean build's notebooks are drawn by renderers (serve's and
        # build-fast's come from mkdocs-jupyter's cache); they start while torch is imported
        exec_cache.workers.start_renderers(options, -(-len(_notebooks) // NOTEBOOKS_PER_RENDERER))
    # Material's Chinese search loads jieba's dictionary (~0.5 s) when it indexes the first
    # page; load it now instead, while this process waits for the workers' torch import
    threading.Thread(target=_load_jieba, daemon=True).start()
    return files


def _code_cells(path: Path) -> list[str] | None:
    """The code of the notebook the last build wrote, if any."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in cells if c["cell_type"] == "code"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    if src in _notebook_html:  # rendered in a worker: take that HTML instead of rendering it here
        _use_worker_html(page, _notebook_html.pop(src))
    exec_cache.current.page = src  # the blocks about to render are this page's
    exec_cache.rendered[src] = _page_keys.get(src)
    return _vault.convert(markdown, src)


_notebook_lock = threading.Lock()  # the notebooks are written and sent from two threads
_notebook_errors: dict[str, Exception] = {}  # notebook -> what writing it raised in the background


def _write_notebook(nb_uri: str, *, if_complete: bool = False) -> bool:
    """The notebook with its page's outputs; once a build (add_outputs fills the cells in
    place). With `if_complete`, only if every block has its output already (else False)."""
    with _notebook_lock:
        if nb_uri in _notebook_errors:
            raise _notebook_errors.pop(nb_uri)
        if nb_uri in _notebooks_written:
            return True
        nb, path, keys = _notebooks[nb_uri]
        entries = [exec_cache.current.store.get(key) for key in keys]
        if if_complete and None in entries:
            return False
        _notebooks_written.add(nb_uri)
        nbformat.write(notebooks.add_outputs(nb, [e.output if e else None for e in entries]), path)
        return True


@event_priority(50)  # before mkdocs-jupyter's, which keys its cache on the .ipynb as it is then
def on_pre_page(page, config, files):
    """A notebook renders after every Markdown page: its blocks have all run by now."""
    if page.file.src_uri in _notebooks:
        _write_notebook(page.file.src_uri)
    return page


def _renderer_options(config) -> dict | None:
    """mkdocs-jupyter's options, for a render of a notebook in another process; None where
    mkdocs-jupyter's cache is on (serve, build-fast): that cache answers first, in this process."""
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None or jupyter.config["cache"]:
        return None
    return {name: jupyter.config[name] for name in (
        "execute", "kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt",
        "remove_tag_config", "highlight_extra_classes", "include_requirejs", "custom_mathjax_url")}


def _send_to_renderer(nb_uri: str, options: dict, *, if_complete: bool = False) -> None:
    """A clean build renders a page's notebook (nbconvert) in a renderer process while this
    process renders other pages, with mkdocs-jupyter's own function and options; once a build."""
    with _notebook_lock:
        if nb_uri in _notebooks_sent:
            return
    if not _write_notebook(nb_uri, if_complete=if_complete):
        return
    with _notebook_lock:
        if nb_uri not in _notebooks_sent:
            future = exec_cache.workers.call(notebooks.render_html, str(_notebooks[nb_uri][1]), options)
            if future is not None:
                _notebooks_sent.add(nb_uri)
                _notebook_html[nb_uri] = future


def _render_when_run(nb_uri: str, keys: list[str], options: dict) -> None:
    """Send the notebook to the renderers as soon as the sessions of its page have run, not when
    the page renders: with many pages the notebooks are drawn while this process renders."""
    store = exec_cache.current.store
    jobs = {id(job): job for job in (store.pending.get(key) for key in keys) if job is not None}
    left = [len(jobs)]
    lock = threading.Lock()

    def send():  # a thread of its own: not the worker pool's management thread
        try:
            _send_to_renderer(nb_uri, options, if_complete=True)
        except Exception as error:  # noqa: BLE001 - raised again when the page renders
            with _notebook_lock:
                _notebook_errors[nb_uri] = error

    def one_done(_future):
        with lock:
            left[0] -= 1
            if left[0]:
                return
        threading.Thread(target=send, daemon=True).start()

    for job in jobs.values():
        job.future.add_done_callback(one_done)


def _use_worker_html(page, future) -> None:
    """Replace mkdocs-jupyter's render of this page by the worker's HTML (its toc is rebuilt
    from the headings in on_page_content); if the worker failed, render here after all."""
    render = page.render

    def from_worker(config, files):
        try:
            page.content = future.result()
        except Exception:  # noqa: BLE001 - a dead worker: mkdocs-jupyter renders it here
            return render(config, files)
        page.toc = get_toc([])
        _notebooks_from_workers.append(page.file.src_uri)

    page.render = from_worker


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


NOTEBOOK_MATH = re.compile(r"<p>\$\$\n?(?P<tex>.+?)\n?\$\$</p>", re.S)
NOTEBOOK_CSS = "assets/stylesheets/jupyter.css"
_notebook_css: list[str] = []
_notebook_css_rules: list = []  # a renderer's Future of css_rules(the notebook stylesheet)
_notebook_css_parsed_by: list[str] = []  # "a worker" or "this process", for the log
_notebook_classes: set[str] = set()  # every class on a notebook page
CLASS_ATTR = re.compile(r'class="([^"]*)"')


def _externalize_notebook_css(html: str, page) -> str:
    """nbconvert inlines ~570 kB of JupyterLab CSS into every notebook page; serve it as
    one cacheable file instead (lighter pages on phones, faster search indexing)."""
    blocks = notebooks.big_styles(html)
    if not blocks:
        return html
    if _notebook_css != blocks:
        _notebook_css[:] = blocks
        if exec_cache.command != "serve":  # parsed in a worker while the next pages render
            _notebook_css_rules[:] = [exec_cache.workers.call(notebooks.css_rules, "\n".join(blocks))]
    _notebook_classes.update(c for m in CLASS_ATTR.finditer(html) for c in m[1].split())
    href = get_relative_url(NOTEBOOK_CSS, page.url)
    return f'<link rel="stylesheet" href="{href}">' + notebooks.STYLE.sub(
        lambda m: "" if len(m["css"]) >= notebooks.BIG else m[0], html)


def _under_title(html: str, bar: str) -> str:
    """Put the page's notebook links and version line right under its <h1>."""
    end = html.find("</h1>")
    return html[:end + 5] + bar + html[end + 5:] if end != -1 else bar + html


@functools.cache
def _verified() -> str:
    """Which PyTorch printed this page's outputs, read at build time (as PyTorch tutorials' "Last Verified")."""
    return (f'<span class="verified">本页输出由 PyTorch {metadata.version("torch")} 在构建网站时运行得到'
            "</span>")


def on_page_content(html, page, config, files):
    src = page.file.src_uri
    if src in _notebooks:  # the rendered notebook
        page.meta["search"] = {"exclude": True}  # same text as its page: one search hit, not two
        html = _fix_notebook_headings(html, page)
        # nbconvert's template loads MathJax and mermaid from a CDN; these pages use neither.
        html = CDN_SCRIPTS.sub("", html)
        html = _externalize_notebook_css(html, page)
        # the derivation's $$…$$ (Jupyter renders it itself) as MathML, like the page: no math script
        html = NOTEBOOK_MATH.sub(lambda m: f'<div class="derivation">{page_helpers.math(unescape(m["tex"]))}</div>',
                                 html)
        # long code lines scroll sideways: a keyboard must reach them too (axe scrollable-region-focusable)
        html = html.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
        name = Path(src).name
        links = f'<a class="md-button md-button--primary" href="{name}" download>下载 {name}（含输出）</a>'
    elif src in _notebook_of:  # a page that has a notebook
        options = _renderer_options(config)
        if options is not None:
            _send_to_renderer(_notebook_uri(src), options)
        href = get_relative_url(_notebook_of[src], page.url)
        name = Path(_notebook_of[src]).name + ".ipynb"
        links = (f'<a class="md-button" href="{href}">Notebook 版</a> '
                 f'<a class="md-button" href="{href}{name}" download>下载 {name}</a>')
    elif any(block.include for block in _page_blocks.get(src, ())):  # shows snippets' outputs
        links = ""
    else:
        return html
    return _under_title(html, f'<p class="notebook-links">{" ".join(filter(None, [_verified(), links]))}</p>')


def _cut_notebook_css(root: Path, text: str) -> str:
    """used_css of the notebook pages' classes, with the rules a worker parsed if there is one.
    `make build-fast` keeps the result in .cache/notebook-css/ as plain JSON named by what it
    is made of; a file that does not check out is ignored and the cut made again."""
    classes = sorted(_notebook_classes)
    key = hashlib.sha256("\0".join([text, *classes]).encode()).hexdigest()
    kept = root / ".cache" / "notebook-css" / f"{key}.json"
    cached = os.environ.get("D2L_EXEC_CACHE") == "1"
    if cached and kept.is_file():
        data = exec_cache.read_checked(kept, "css")
        if data is not None:
            _notebook_css_parsed_by.append("the cache")
            return data["css"]
        log.info(f"ignored an unreadable cache entry (it was made again): {kept}")
    future = _notebook_css_rules[0] if _notebook_css_rules else None
    try:
        rules = future.result() if future is not None else None
    except Exception:  # noqa: BLE001 - a dead worker: parse it here
        rules = None
    _notebook_css_parsed_by.append("a worker" if rules is not None else "this process")
    result = notebooks.used_css(text, set(classes), rules)
    if cached:
        exec_cache.write_checked(kept, {"css": result}, "css")
    return result


SWITCHING_RULE = re.compile(r"\[data-md-color-switching\] \*,\[data-md-color-switching\] :after,"
                            r"\[data-md-color-switching\] :before\{[^{}]*\}")


def _drop_palette_switching_rule(site: Path) -> None:
    """At every page load Material's palette sets, then removes, data-md-color-switching on
    <body>, and its one rule `[data-md-color-switching] *{transition-duration:0ms…}` makes each
    change restyle every element: twice ~0.25 s of blocking time on a throttled phone
    (Lighthouse performance of a notebook page 88 -> 96). Without the rule, switching between
    light and dark fades a few colours for 0.25 s instead of swapping them at once. No option
    or override removes one rule of Material's stylesheet, so the published copy is cut here."""
    for css in (site / "assets/stylesheets").glob("palette.*.min.css"):
        text = css.read_text(encoding="utf-8")
        cut, found = SWITCHING_RULE.subn("", text)
        if found:
            css.write_text(cut, encoding="utf-8")
        elif "data-md-color-switching" in text:  # Material changed it: say so (strict fails)
            log.warning(f"{css.name}: Material's palette-switching rule has changed; "
                        "update build_hooks.SWITCHING_RULE")


def on_post_build(config):
    """Material's palette stylesheet without its switching rule, the notebook stylesheet, and
    one zip of every snippet and executed notebook."""
    root = Path(config.config_file_path).parent
    site = Path(config.site_dir)
    _drop_palette_switching_rule(site)
    if _notebook_css:
        css = site / NOTEBOOK_CSS
        css.parent.mkdir(parents=True, exist_ok=True)
        text = "\n".join(_notebook_css)
        # serve --dirty renders only the edited pages: their classes are not every page's
        css.write_text(text if exec_cache.command == "serve" else _cut_notebook_css(root, text),
                       encoding="utf-8")
    members = [(str(p.relative_to(root)), p) for p in sorted((root / "snippets").rglob("*.py"))]
    members += [(f"notebooks/{path.name}", path) for _, path, _ in sorted(_notebooks.values(),
                                                                        key=lambda v: v[1].name)]
    target = site / ARCHIVE
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in members:
            info = zipfile.ZipInfo(name, date_time=(2023, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    pages = exec_cache.current
    log.info(f"python blocks: {len(pages.fresh)} new, run by {exec_cache.workers.workers} "
             f"workers; {pages.executed} run while rendering; HTML made ahead (by a worker, or "
             f"cached): {pages.html_ready} of {pages.blocks}; notebooks rendered by workers: "
             f"{len(_notebooks_from_workers)} of {len(_notebooks)} ({exec_cache.workers.renderers} "
             f"renderer processes); notebook stylesheet parsed by "
             f"{_notebook_css_parsed_by[0] if _notebook_css_parsed_by else 'nobody (serve keeps it whole)'}")
    for path in pages.store.ignored:
        log.info(f"ignored an unreadable cache entry (it was re-executed): {path}")
    if exec_cache.command != "serve":
        exec_cache.workers.shutdown()


def on_build_error(error):
    if exec_cache.command != "serve":
        exec_cache.workers.shutdown()
