"""Every third-party package the code imports is declared in pyproject.toml (by its own name,
not through another package that happens to bring it today) and pinned in the lock files.

The server's code (backend/, sync/) may only import the project's dependencies; tests, benches
and scripts may also import the ``dev`` extra. An import inside ``if TYPE_CHECKING:`` is for
mypy (a ``dev`` package); one inside ``try: … except ImportError`` is optional.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
FIRST_PARTY = {"backend", "sync", "tests", "bench", "scripts"}
RUNTIME_CODE = ("backend", "sync")
DEV_CODE = ("tests", "bench", "scripts")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements: list[str]) -> set[str]:
    return {normalise(re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0]) for r in requirements}


RUNTIME = _names(PYPROJECT["dependencies"])
DEV = _names(PYPROJECT["optional-dependencies"]["dev"])


def _optional(handlers: list[ast.ExceptHandler]) -> bool:
    names = (
        {n.id for h in handlers for n in ast.walk(h.type) if isinstance(n, ast.Name)} if handlers else set()
    )
    return bool(names & {"ImportError", "ModuleNotFoundError"})


def _imports(tree: ast.AST, *, typing_only: bool = False) -> Iterator[tuple[str, bool]]:
    """(top-level module, imported for type checking only), skipping optional imports."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import):
            yield from ((a.name.split(".")[0], typing_only) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], typing_only
        elif isinstance(node, ast.Try) and _optional(node.handlers):
            for child in node.handlers + node.orelse + node.finalbody:
                yield from _imports(child, typing_only=typing_only)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                yield from _imports(ast.Module([child], []), typing_only=True)
            for child in node.orelse:
                yield from _imports(ast.Module([child], []), typing_only=typing_only)
        else:
            yield from _imports(node, typing_only=typing_only)


def _local(module: str, path: Path) -> bool:
    """A module of the project's own: a package, or a file beside the importing one (e2e tests
    import their conftest, benches their helpers)."""
    return module in FIRST_PARTY or (path.parent / f"{module}.py").exists() or (path.parent / module).is_dir()


def _third_party(folders: tuple[str, ...]) -> dict[tuple[str, bool], set[str]]:
    """(module, typing only) -> the files importing it."""
    found: dict[tuple[str, bool], set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for module, typing_only in _imports(tree):
                if module in sys.stdlib_module_names or module == "__future__" or _local(module, path):
                    continue
                found.setdefault((module, typing_only), set()).add(str(path.relative_to(ROOT)))
    return found


@functools.cache
def _providers() -> dict[str, list[str]]:
    return packages_distributions()


def _undeclared(folders: tuple[str, ...], allowed: set[str], typing: set[str]) -> list[str]:
    providers = _providers()
    problems = []
    for (module, typing_only), files in sorted(_third_party(folders).items()):
        dists = {normalise(d) for d in providers.get(module, [])}
        if not dists:
            problems.append(f"{module}: not installed (imported by {sorted(files)[0]})")
        elif not dists & (allowed | typing if typing_only else allowed):
            problems.append(f"{module} ({'/'.join(sorted(dists))}): undeclared, imported by {sorted(files)}")
    return problems


def test_the_server_imports_only_declared_dependencies() -> None:
    assert _undeclared(RUNTIME_CODE, RUNTIME, DEV) == []


def test_tests_benches_and_scripts_import_only_declared_packages() -> None:
    assert _undeclared(DEV_CODE, RUNTIME | DEV, set()) == []


def _locked(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", line):
            pins[normalise(m[1])] = m[2]
    return pins


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PYPROJECT["dependencies"]),
        ("requirements-dev.lock", PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_every_declared_package_is_pinned_in_the_lock_within_its_range(
    lock: str, requirements: list[str]
) -> None:
    pins = _locked(ROOT / lock)
    stale = []
    for requirement in map(Requirement, requirements):
        pin = pins.get(normalise(requirement.name))
        if pin is None or not requirement.specifier.contains(pin, prereleases=True):
            stale.append(f"{requirement}: locked {pin}")
    assert stale == [], f"{lock} is stale: run `make lock`"


def test_the_two_locks_agree() -> None:
    runtime, dev = _locked(ROOT / "requirements.lock"), _locked(ROOT / "requirements-dev.lock")
    assert {name: (pin, dev.get(name)) for name, pin in runtime.items() if dev.get(name) != pin} == {}
