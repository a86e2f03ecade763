"""Decompression bombs through the real paths, each in a fresh process whose peak memory is
measured (``tests/bomb_child.py``): the upload refuses them from the header alone, and the
minutes PDF never decodes one that is already stored (content from before the check).

Before the pixel limit, three 0.5 MB 9000 × 9000 photos added ~580 MiB to a PDF render; the
bound here is a fifth of that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.unit.pdf.samples import pdf_text

ROOT = Path(__file__).resolve().parents[2]
BOUND_KIB = 100 * 1024


def child(mode: str, folder: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAHA_") and k != "TEST_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "tests.bomb_child", mode, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_png_bomb_is_refused_at_upload_from_its_header(tmp_path: Path) -> None:
    # when: a 0.5 MB PNG of 13000 × 13000 pixels is uploaded with tus
    result = child("upload", tmp_path)
    # then: refused with the limit, without decoding it
    assert (result["status"], result["code"]) == (422, "IMAGE_TOO_LARGE")
    assert result["peak_kib"] - result["baseline_kib"] < BOUND_KIB


def test_the_minutes_pdf_does_not_decode_stored_bombs(tmp_path: Path) -> None:
    # when: sealed minutes whose three point photos are 9000 × 9000 PNGs get their PDF
    result = child("pdf", tmp_path)
    # then: the PDF is made, the photos are named too large, and memory stays bounded
    assert result["status"] == 200, result
    assert result["peak_kib"] - result["baseline_kib"] < BOUND_KIB
    assert pdf_text((tmp_path / "minutes.pdf").read_bytes()).count("fotoğraf çok büyük") == 3
