"""The container image installs what the sealed minutes PDF needs from Debian, and that is enough.

deploy/runtime-packages.txt is the one list: the Dockerfile's runtime stage installs it, `make
system-deps` installs it here, and this test renders the minutes with only the fonts those
packages bring (a fontconfig of their files alone, as in the image, where nothing else is
installed): every font is embedded, comes from the list, and carries the Turkish letters.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from tests.unit.pdf.samples import pdf_text

ROOT = Path(__file__).resolve().parents[3]
LIST = ROOT / "deploy" / "runtime-packages.txt"
TURKISH = "çğıöşüÇĞİÖŞÜ"
SAMPLE = "Şükrü Öztürk, Ayşe Çığ, İlkay Güneşoğlu"  # signers in tests/unit/pdf/samples.py


def _packages() -> list[str]:
    return [
        word for line in LIST.read_text(encoding="utf-8").splitlines() for word in line.split("#")[0].split()
    ]


def _dpkg(*args: str) -> str:
    if shutil.which("dpkg-query") is None:
        pytest.skip("not a Debian machine: the list names Debian packages")
    return subprocess.run(["dpkg-query", *args], capture_output=True, text=True, check=False).stdout


def test_the_dockerfile_and_make_install_the_list() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "COPY deploy/runtime-packages.txt /tmp/runtime-packages.txt" in dockerfile
    assert "$(sed 's/#.*//' /tmp/runtime-packages.txt)" in dockerfile
    assert "deploy/runtime-packages.txt" in makefile
    assert {"libpango-1.0-0", "fonts-dejavu-core"} <= set(_packages())


def test_the_listed_packages_are_installed_here() -> None:
    missing = [p for p in _packages() if "install ok installed" not in _dpkg("-W", "-f=${Status}", p)]
    assert missing == [], "run `make system-deps` (as root) to install them"


def _font_files() -> list[Path]:
    files = [
        Path(f) for p in _packages() for f in _dpkg("-L", p).splitlines() if f.endswith((".ttf", ".otf"))
    ]
    assert files, "the list brings no font"
    return files


def _render_with_only(fonts: list[Path], tmp_path: Path) -> bytes:
    """The sample minutes, rendered in a process whose fontconfig knows only ``fonts``."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    for font in fonts:
        (folder / font.name).symlink_to(font)
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{folder}</dir>\n  <cachedir>{tmp_path / 'cache'}</cachedir>\n"
        '  <include ignore_missing="yes">/etc/fonts/conf.d</include>\n</fontconfig>\n',
        encoding="utf-8",
    )
    code = "import sys\nfrom tests.unit.pdf.samples import render\nsys.stdout.buffer.write(render())"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env={"FONTCONFIG_FILE": str(config), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=120,
    )
    return done.stdout


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def test_the_minutes_render_with_turkish_letters_from_the_listed_fonts_alone(tmp_path: Path) -> None:
    # given the listed fonts: each carries every Turkish letter
    fonts = _font_files()
    families = set()
    for font in fonts:
        with TTFont(font, lazy=True) as tt:
            assert set(TURKISH) <= {chr(c) for c in tt.getBestCmap()}, font
            families.add(_normal(tt["name"].getDebugName(1) or ""))

    # when the minutes are rendered with those fonts alone
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    pdf = _render_with_only(fonts, tmp_path)

    # then every font in the PDF is embedded and is one of them (a style of a listed family) …
    table = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in table.splitlines()[2:]]
    assert rows, table
    for row in rows:
        name = row[0].split("+", 1)[-1]  # "XKQQSR+DejaVu-Sans": a subset of DejaVu Sans
        assert any(_normal(name).startswith(f) for f in families), table
        assert row[-5:-2] == ["yes", "yes", "yes"], table  # embedded, subset, with a Unicode map
    # … and the Turkish text comes back out letter for letter
    text = pdf_text(pdf)
    for name in SAMPLE.split(", "):
        assert name in text
    assert set(TURKISH) <= set(text)
