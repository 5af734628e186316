"""requirements.lock pins what was tested: it must satisfy pyproject.toml, and .venv must match it."""
from __future__ import annotations

import re
from importlib import metadata

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from helpers import ROOT

PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)", re.M)


def locked() -> dict[str, Version]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {canonicalize_name(m["name"]): Version(m["version"]) for m in PIN.finditer(text)}


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"]]


def test_every_pin_has_a_hash():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    for block in re.split(r"\n(?=\S)", text):
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]


def test_the_lock_satisfies_pyproject():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is declared but not locked: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement} is declared, {name}=={pins[name]} is locked: run `make lock`")


def test_torch_is_the_cpu_wheel():
    assert locked()["torch"].local == "cpu"  # the multi-GB CUDA build is never the one pinned


def test_the_venv_matches_the_lock():
    installed = {canonicalize_name(d.metadata["Name"]): Version(d.version)
                 for d in metadata.distributions()}
    wrong = {name: (str(version), str(installed.get(name)))
             for name, version in locked().items() if installed.get(name) != version}
    assert wrong == {}, f"locked vs installed {wrong}: run `make test` (it installs the lock)"


def test_what_the_code_imports_is_declared():
    """Every third-party module the tests, the packages and the snippets import is a declared
    dependency (or installed with one by name), not a transitive accident."""
    names = {canonicalize_name(r.name) for r in declared()} | {"d2l-param-notes"}  # src/: this project
    provided = {}
    for dist in metadata.distributions():
        for top in (dist.read_text("top_level.txt") or "").split():
            provided.setdefault(top, canonicalize_name(dist.metadata["Name"]))
        for file in dist.files or []:
            parts = file.parts
            if parts and parts[0].endswith(".py") and len(parts) == 1:
                provided.setdefault(parts[0][:-3], canonicalize_name(dist.metadata["Name"]))
            elif len(parts) > 1 and parts[1] == "__init__.py":
                provided.setdefault(parts[0], canonicalize_name(dist.metadata["Name"]))
    imported = set()
    for folder in ("tests", "src", "snippets"):
        for path in (ROOT / folder).rglob("*.py"):
            if "fixtures" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            imported |= set(re.findall(r"^\s*(?:import|from) ([A-Za-z_][\w]*)", text, re.M))
    third_party = {m: provided[m] for m in imported if m in provided}
    undeclared = {m: d for m, d in third_party.items() if d not in names}
    assert undeclared == {}
    assert {"torch", "bs4", "yaml", "nbformat", "markdown_exec"} <= set(third_party)
