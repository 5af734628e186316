"""A tiny project for the engine's own tests: two pages, a snippet with a hidden set-up, a local
helper module that imports another, no torch and no Material (a build takes about a second)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INDEX = """\
# Tiny

```python exec="1" session="seeded" title="snippets/seeded.py"
--8<-- "snippets/seeded.py:setup"
```

```python exec="1" source="block" result="text" session="seeded" title="snippets/seeded.py"
--8<-- "snippets/seeded.py:show"
```

```python exec="1" html="1" session="seeded" title="figure"
from tinyhelp import label
print(f'<p id="fig">{label(w)}</p>')
```

```python exec="1" html="1"
from pathlib import Path
print(f'<p id="data">{Path("docs/data.txt").read_text().strip()}</p>')
```
"""

OTHER = """\
# Other

```python exec="1" source="block" result="text" session="other"
total = sum(range(4))
print(total)
```
"""

SNIPPET = '''\
"""A seeded value: the hidden set-up decides what the page prints."""
# --8<-- [start:setup]
import random

random.seed(0)
# --8<-- [end:setup]

# --8<-- [start:show]
w = random.random()
print(f"w = {w:.4f}")
# --8<-- [end:show]
'''

CONFIG = """\
site_name: tiny
theme: mkdocs
markdown_extensions:
  - pymdownx.superfences
  - pymdownx.snippets:
      base_path: !relative $config_dir
      check_paths: true
plugins:
  - markdown-exec:
      languages: [bash]
  - exec-cache:
      modules: [lib]
      read_dirs: [docs, snippets]
      cache: !ENV [EXEC_CACHE, false]
      workers: !ENV [EXEC_WORKERS, 2]
      timeout: !ENV [EXEC_TIMEOUT, 120]
watch:
  - snippets
  - lib
"""


HELP = "from tinyfmt import fmt\n\n\ndef label(value):\n    return f'w = {fmt(value)}'\n"


def make(dest: Path) -> Path:
    """Write the tiny project at `dest`."""
    for rel, text in {"docs/index.md": INDEX, "docs/other.md": OTHER, "docs/data.txt": "first\n",
                      "snippets/seeded.py": SNIPPET, "mkdocs.yml": CONFIG,
                      "lib/tinyhelp.py": HELP,
                      "lib/tinyfmt.py": "def fmt(value):\n    return f'{value:.3f}'\n"}.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text, encoding="utf-8")
    return dest


def build(project: Path, site: str = "site", **env) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the tiny project (env: EXEC_CACHE, EXEC_WORKERS)."""
    import os

    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", site],
                          cwd=project, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0", **env})


def shown(project: Path, site: str = "site") -> dict[str, str]:
    """What the index page shows: the snippet's output, the figure, the data line."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((project / site / "index.html").read_text(encoding="utf-8"), "html.parser")
    code = soup.select("div.result pre code, div.result code")
    return {"output": code[0].get_text().strip() if code else "", "figure": soup.select_one("#fig").get_text(),
            "data": soup.select_one("#data").get_text()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
