"""One definition of a block's output, whoever runs it: what `python` prints to stdout when the
same code runs alone, with markdown-exec's `workdir` and `width` applied. Workers, a serial build
and a replay of cached blocks must agree with it; and a block gets a time limit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tiny_project as tiny
from bs4 import BeautifulSoup

from helpers import started_by

# standalone blocks: (fence options, code); each is also run alone by `python`
ALONE = [
    (
        "",
        'import sys\nprint("a", "b", sep="-", end="!\\n")\nprint("to stderr", file=sys.stderr)\n'
        'sys.stdout.write("written\\n")\nprint("to stdout", file=sys.stdout)',
    ),
    (
        'workdir="snippets"',
        "from pathlib import Path\nprint(Path.cwd().name, sorted(p.name for p in Path('.').iterdir()))",
    ),
    ('width="37"', "import os\nimport shutil\nprint(os.environ.get('COLUMNS'), shutil.get_terminal_size().columns)"),
]
# a session whose first block has a workdir of its own: a replay must run it there
SESSION = [
    ('session="s" workdir="snippets"', "from pathlib import Path\nhere = Path.cwd().name\nprint(here)"),
    ('session="s"', "print(here, Path.cwd().name)"),
]


def page(blocks) -> str:
    fences = [f'```python exec="1" result="text" {opts}\n{code}\n```\n' for opts, code in blocks]
    return "# Options\n\n" + "\n".join(fences)


def outputs(site: Path) -> list[str]:
    soup = BeautifulSoup((site / "options/index.html").read_text(encoding="utf-8"), "html.parser")
    return [code.get_text() for code in soup.select("pre code")]


def alone(project: Path, opts: str, code: str) -> str:
    """What `python` prints running the code alone, in its workdir, with its width as COLUMNS."""
    workdir = re.search(r'workdir="([^"]+)"', opts)
    width = re.search(r'width="(\d+)"', opts)
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | ({"COLUMNS": width[1]} if width else {})
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project / (workdir[1] if workdir else ""),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = tiny.make(tmp_path_factory.mktemp("options") / "tiny")
    (project / "docs/options.md").write_text(page(ALONE + SESSION), encoding="utf-8")
    return project


def test_workers_serial_and_a_replay_print_what_python_prints(project):
    """On d16244c the workers ran `workdir` blocks in the project root and ignored `width`."""
    for name, env in (("parallel", {"EXEC_WORKERS": "2"}), ("serial", {"EXEC_WORKERS": "0"})):
        done = tiny.build(project, name, **env)
        assert done.returncode == 0, done.stderr
    expected = [alone(project, opts, code) for opts, code in ALONE] + ["snippets\n", "snippets tiny\n"]
    assert expected[0] == "a-b!\nwritten\nto stdout\n" and expected[2] == "37 37\n"
    assert outputs(project / "parallel") == outputs(project / "serial") == expected
    # a replay: the session's first block is a cache hit, its second a miss that needs its variables
    assert tiny.build(project, "cached", EXEC_CACHE="true").returncode == 0
    text = (project / "docs/options.md").read_text(encoding="utf-8")
    (project / "docs/options.md").write_text(text.replace("print(here, Path", "print(here,  Path"), encoding="utf-8")
    done = tiny.build(project, "cached", EXEC_CACHE="true", EXEC_WORKERS="0")
    assert done.returncode == 0, done.stderr
    assert re.search(r"(\d+) run while rendering", done.stderr)[1] == "1"  # the miss (the replay is not counted)
    assert outputs(project / "cached") == expected


@pytest.mark.parametrize("workers", ["2", "0"])
def test_a_block_that_never_ends_fails_the_build_naming_it_and_leaves_no_process(tmp_path, workers):
    """On d16244c such a block hung the build, and CI, with no message."""
    project = tiny.make(tmp_path / "tiny")
    (project / "snippets/forever.py").write_text("import time\n\nwhile True:\n    time.sleep(3600)\n", encoding="utf-8")
    (project / "docs/other.md").write_text(
        '# Other\n\n```python exec="1" session="loop" title="snippets/forever.py"\n--8<-- "snippets/forever.py"\n```\n',
        encoding="utf-8",
    )
    start = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=project,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "EXEC_TIMEOUT": "2", "EXEC_WORKERS": workers},
    )
    log, _ = server.communicate(timeout=120)
    assert server.returncode != 0 and time.monotonic() - start < 60, log
    assert "other.md" in log and "snippets/forever.py" in log and "time limit of 2 s" in log, log
    if workers == "2":  # as serve shows it: the page carries the error (a build that is not strict)
        subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project, capture_output=True, timeout=120,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "EXEC_TIMEOUT": "2"})
        assert "stopped after its time limit of 2 s" in (project / "site/other/index.html").read_text(encoding="utf-8")
    deadline = time.time() + 10
    while started_by(server.pid) and time.time() < deadline:
        time.sleep(0.2)
    assert started_by(server.pid) == []


def test_a_worker_that_dies_is_logged_and_replaced_and_its_block_runs_again(tmp_path):
    project = tiny.make(tmp_path / "tiny")
    (project / "docs/other.md").write_text(
        '# Other\n\n```python exec="1" result="text" title="dies once"\n'
        "import os\nfrom pathlib import Path\n\nmark = Path('died')\n"
        "if not mark.exists() and os.getpid() != int(os.environ.get('EXEC_CACHE_PARENT', '0')):\n"
        "    mark.write_text('x')\n    os._exit(9)  # this worker dies, once\nprint('ran again')\n```\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "EXEC_WORKERS": "2"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "died").exists()  # a worker did die
    assert re.search(r"WARNING .*a worker died .*the worker pool is replaced", done.stderr), done.stderr
    assert "ran again" in (project / "site/other/index.html").read_text(encoding="utf-8")
    assert re.search(r"(\d+) run while rendering", done.stderr)[1] == "0"  # it ran in the new pool
    shutil.rmtree(project / "site")
