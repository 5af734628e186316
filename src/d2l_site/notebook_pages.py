"""The notebook of each page whose front matter says `notebook: true`, for mkdocs-jupyter.

`Notebooks` holds one build's notebooks: each is made from its page in on_files (notebooks.py),
written with the outputs of the page's own blocks once they have run, and, on a clean build,
drawn by a worker as soon as its page's sessions are done, while this process renders other
pages. Its code cells must be the page's include blocks, in order, or the build fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import threading
from pathlib import Path
from urllib.parse import unquote

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from . import notebooks, patches
from .notebook_render import render_html


def notebook_uri(page_src: str) -> str:
    """Where a page's notebook goes (in the notebook folder, and on the site)."""
    return f"notebooks/{Path(page_src).stem}.ipynb"


def temp_folder() -> Path:
    """A folder of this process's own for the notebooks it makes (two builds of one project at
    once never write the same file), removed at exit; one left by a process that is gone (a
    `mkdocs serve` ended by a signal runs no clean-up) is removed now."""
    import atexit
    import shutil
    import tempfile

    for old in Path(tempfile.gettempdir()).glob("d2l-notebooks-*-*"):
        pid = old.name.split("-")[2]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"d2l-notebooks-{os.getpid()}-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _alive(pid: int) -> bool:
    if os.name != "posix":  # Windows' os.kill(pid, 0) would interrupt the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class Notebooks:
    """One build's notebooks. `engine` is the exec-cache engine; `options` mkdocs-jupyter's
    options for a render in a worker (a notebook whose blocks changed), or None (no notebook
    plugin). `drawn` outlives the build (serve): notebook -> (digest of its .ipynb, the worker's
    Future of its HTML), so an unchanged notebook is not drawn again. With `lazy`, a notebook
    whose cells are unchanged is not rewritten (serve: an edit elsewhere leaves it as it was)."""

    def __init__(self, engine, expand, folder: Path, options: dict | None, fast: tuple, drawn: dict, lazy=True):
        self.engine, self.expand, self.folder, self.options = engine, expand, folder, options
        self.fast, self.drawn, self.lazy = fast, drawn, lazy  # fast: render_html's
        self.made: dict[str, tuple] = {}  # notebook src_uri -> (notebook JSON, .ipynb path, block keys)
        self.of_page: dict[str, str] = {}  # page src_uri -> its notebook page's URL
        self.html: dict = {}  # notebook src_uri -> a worker's Future of its HTML
        self.from_workers: list[str] = []
        self.written: set[str] = set()
        self.sent: set[str] = set()
        self.changed: set[str] = set()  # notebooks whose blocks show other outputs than last time
        self.lock = threading.Lock()  # notebooks are written and sent from two threads

    def add(self, page, body: str, plan, nb_json: str | None, files, config, previous: str | None = None) -> str:
        """Make the notebook of `page` (`body`: its Markdown as its blocks see it) and list it
        in `files`. `nb_json` is the notebook as the last build made it from the same inputs,
        `previous` as it made it from any (serve); returns the notebook as made, to keep."""
        nb_uri = notebook_uri(page.src_uri)
        # A real source dir, not File.generated: mkdocs-jupyter's NotebookFile reads src_dir
        nb_file = File(
            nb_uri, src_dir=str(self.folder), dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls
        )
        # mkdocs-jupyter serves the notebook at the URL a .md at that path would get
        nb_url = File(nb_uri.removesuffix(".ipynb") + ".md", None, config.site_dir, config.use_directory_urls).url
        page_dir, base = posixpath.dirname(page.src_uri), (config.site_url or "").rstrip("/")

        def link(m):
            target = files.get_file_from_path(posixpath.normpath(posixpath.join(page_dir, m["target"])))
            if target is None:  # not a page: MkDocs reports the page's own broken link
                return m[0]
            href = f"{base}/{target.url}" if base else get_relative_url(target.url, nb_url)
            return f"]({href}{m['anchor'] or ''})"

        # the notebook's prose is the page's; its code cells are the page's include blocks (kept as
        # JSON: each build gets a fresh copy; nbformat validates when the notebook is written)
        def image(target: str) -> Path | None:  # a file of this site: into the notebook, as an attachment
            if "://" in target or target.startswith("data:"):
                return None
            path = Path(config.docs_dir) / posixpath.normpath(posixpath.join(page_dir, unquote(target)))
            return path if path.is_file() else None

        nb_json = nb_json or json.dumps(notebooks.build_notebook(body, self.expand, link, image))
        cells = json.loads(nb_json)["cells"]  # plain data: a NotebookNode only to write it
        shown = [
            c["metadata"].get("snippet") for c in cells if c["cell_type"] == "code" or "page_output" in c["metadata"]
        ]
        if shown != [b.include for b in plan.blocks]:
            raise PluginError(f"{page.src_uri}: its notebook cells do not match its blocks")
        path = self.folder / nb_uri
        # Under serve a notebook whose cells and outputs are unchanged is left as it was (rewritten,
        # it is drawn again: make bench measures it); a build always writes it.
        if plan.changed or not self.lazy or previous != nb_json or not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nbformat.from_dict(json.loads(nb_json)), path)  # outputs are added when its page renders
        self.made[nb_uri] = (nb_json, path, plan.keys)
        if plan.changed:
            self.changed.add(nb_uri)
        self.of_page[page.src_uri] = nb_url
        files.append(nb_file)
        if self.options is not None and plan.changed:
            self.engine.when_run(plan.keys, lambda: self._send_in_background(nb_uri))
        return nb_json

    def write(self, nb_uri: str, *, if_complete: bool = False) -> bool:
        """The notebook with its page's outputs; once a build (add_outputs fills the cells in
        place). With `if_complete`, only if every block has its output already (else False)."""
        with self.lock:
            if nb_uri in self.written:
                return True
            nb_json, path, keys = self.made[nb_uri]
            outputs = [self.engine.output(key) for key in keys]
            if if_complete and None in outputs:
                return False
            self.written.add(nb_uri)
            nbformat.write(notebooks.add_outputs(nbformat.from_dict(json.loads(nb_json)), outputs), path)
            return True

    def send(self, nb_uri: str, *, if_complete: bool = False) -> None:
        """Have a worker draw the notebook with mkdocs-jupyter's own function and options, while
        this process renders other pages; once a build, and only if its blocks changed (under
        serve a prose edit rewrites the notebook, which mkdocs-jupyter then draws here)."""
        if self.options is None or nb_uri not in self.changed:
            return
        with self.lock:
            if nb_uri in self.sent:
                return
        if not self.write(nb_uri, if_complete=if_complete):
            return
        with self.lock:
            if nb_uri not in self.sent:
                path = self.made[nb_uri][1]
                if nb_uri in self.drawn and self.drawn[nb_uri][0] == _digest(path):
                    return  # drawn from this very .ipynb before (serve): take_rendered reuses it
                future = self.engine.call(render_html, str(path), self.options, self.fast)
                if future is not None:
                    self.sent.add(nb_uri)
                    self.html[nb_uri] = future
                    self.drawn[nb_uri] = (_digest(path), future)

    def _send_in_background(self, nb_uri: str) -> None:
        """(when_run: what this raises fails the build)"""
        try:
            self.send(nb_uri, if_complete=True)
        except Exception as error:
            raise RuntimeError(f"{nb_uri}: {error}") from error

    def take_rendered(self, page) -> None:
        """If a worker drew this notebook page, in this build or (serve) from the same .ipynb
        in an earlier one, use its HTML instead of rendering it here."""
        uri = page.file.src_uri
        future = self.html.pop(uri, None)
        if future is not None:
            patches.render_from(page, future, lambda p: self.from_workers.append(uri))
        elif uri in self.drawn and uri in self.made:
            digest, future = self.drawn[uri]
            if future.done() and future.exception() is None and digest == _digest(self.made[uri][1]):
                patches.render_from(page, future, lambda p: None)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
