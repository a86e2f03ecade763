"""The docs travel with the code: every link and file reference in them resolves in a clone.

README.md, docs/ and every other Markdown file (and the comments of the code, which point into
docs/) may only refer to files of this repository; design notes kept elsewhere are not there
for the next engineer.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", "node_modules", "dist", "var", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MENTION = re.compile(r"(?<![\w/.-])((?:\.\.?/)*[\w./-]*\w\.md)\b")
OUTSIDE = re.compile(r"\.\./shared|/work/|shared/docs|shared/tools")
SOURCES = ("*.md", "*.py", "*.ts", "*.tsx", "Makefile", "Dockerfile", "*.yaml", "*.toml", "run")


def _files(*patterns: str) -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP]
        found += [Path(folder, n) for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)]
    return sorted(found)


MARKDOWN = _files("*.md")


def _resolves(target: str, base: Path) -> bool:
    """``target`` names a file or folder of the repository, from ``base`` or from the root."""
    for start in (base, ROOT):
        path = (start / target).resolve()
        if path.is_relative_to(ROOT) and path.exists():
            return True
    return False


def test_the_docs_that_must_be_there_are() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in MARKDOWN}
    assert {"README.md", "docs/architecture.md", "docs/sync-protocol.md"} <= names


@pytest.mark.parametrize("doc", MARKDOWN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_in_a_doc_resolves_in_the_repository(doc: Path) -> None:
    broken = []
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a web address, mailto:, or a heading of the same page
        path = target.split("#", 1)[0]
        if not (doc.parent / path).resolve().is_relative_to(ROOT) or not (doc.parent / path).exists():
            broken.append(target)
    assert broken == [], f"{doc.relative_to(ROOT)}: links to nothing in the repository"


@pytest.mark.parametrize("doc", MARKDOWN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_doc_points_outside_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert OUTSIDE.findall(text) == [], f"{doc.relative_to(ROOT)} points outside the repository"


def test_every_markdown_file_named_in_docs_or_code_exists() -> None:
    # e.g. "see docs/surveys.md" in a docstring, or a design note that only exists elsewhere
    missing = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _files(*SOURCES)
        for name in MENTION.findall(path.read_text(encoding="utf-8", errors="replace"))
        if not _resolves(name, path.parent)
    ]
    assert missing == []
