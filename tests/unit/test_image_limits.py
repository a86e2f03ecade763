"""Image sizes from headers alone, and the decoders that ask first (image health, minutes PDF)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from backend.integrations.blobs.images import ImageTooLargeError, check_pixels, decodable_size, image_size
from backend.integrations.imaging.health import assess, assess_alone
from backend.integrations.pdf.minutes_pdf import _signature_png, _thumbnail
from tests.bombs import png_bomb

ROOT = Path(__file__).resolve().parents[2]


def encoded(fmt: str, size: tuple[int, int], **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 80, 40)).save(out, format=fmt, **options)
    return out.getvalue()


def exif_jpeg(size: tuple[int, int]) -> bytes:
    """A JPEG whose frame header comes after a large EXIF segment (as phones write them)."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated
    exif[0x010E] = "x" * 30000  # image description
    return encoded("JPEG", size, exif=exif.tobytes(), progressive=True)


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (encoded("PNG", (641, 479)), (641, 479)),
        (encoded("JPEG", (1920, 1080)), (1920, 1080)),
        (exif_jpeg((1000, 750)), (1000, 750)),
        (encoded("WEBP", (300, 200), lossless=True), (300, 200)),
        (encoded("WEBP", (302, 202), quality=50), (302, 202)),
        (encoded("GIF", (33, 44)), (33, 44)),
        (encoded("BMP", (21, 12)), (21, 12)),  # through Pillow's header reader
        (png_bomb(13000, 13000), (13000, 13000)),
    ],
)
def test_the_size_comes_from_the_header(data: bytes, size: tuple[int, int]) -> None:
    assert image_size(data) == size
    assert image_size(io.BytesIO(data)) == size


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0" + bytes(200),
        b"%PDF-1.7\n",
        b"hello",
        b"RIFF\0\0\0\0WEBP",
    ],
)
def test_no_size_for_what_is_no_image(data: bytes) -> None:
    assert image_size(data) is None
    with pytest.raises(ValueError, match="size can be read"):
        decodable_size(data, 40_000_000)


def test_more_pixels_than_allowed_is_refused() -> None:
    # given
    bomb = png_bomb(8000, 6000)
    # when
    with pytest.raises(ImageTooLargeError) as refused:
        check_pixels(bomb, 40_000_000)
    # then
    assert (refused.value.width, refused.value.height) == (8000, 6000)
    assert check_pixels(bomb, 48_000_000) == (8000, 6000)


def test_image_health_refuses_a_bomb_reference_and_snapshot_without_decoding() -> None:
    # given
    bomb = png_bomb(9000, 9000, (128, 128, 128))
    snapshot = encoded("JPEG", (640, 360))
    # when
    as_reference = assess(bomb, snapshot)
    as_snapshot = assess(snapshot, bomb)
    alone = assess_alone(bomb)
    # then
    for report in (as_reference, as_snapshot, alone):
        assert report.verdict == "fail"
        assert [str(p) for p in report.problems] == ["unreadable"]
        assert "9000×9000" in report.message_tr
        assert "40 megapiksel" in report.message_tr
    assert "Referans" in as_reference.message_tr


def test_the_minutes_pdf_images_are_downscaled_copies_and_bombs_are_not_decoded() -> None:
    # given
    photo = exif_jpeg((4000, 3000))
    signature = encoded("PNG", (1800, 600))
    # when
    thumb = _thumbnail(photo)
    sig = _signature_png(signature)
    # then
    assert thumb is not None
    assert sig is not None
    assert max(Image.open(io.BytesIO(thumb)).size) <= 480
    assert Image.open(io.BytesIO(thumb)).size == (360, 480)  # EXIF rotation applied to the copy
    assert Image.open(io.BytesIO(sig)).size == (600, 200)
    assert _thumbnail(png_bomb(9000, 9000)) is None
    assert _signature_png(png_bomb(9000, 9000)) is None


def test_image_health_of_a_bomb_stays_within_a_memory_bound(tmp_path: Path) -> None:
    # given: a 20000 × 20000 reference image (0.4 MB) cost ~0.8 GiB to assess before the limit
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAHA_")}
    env["PYTHONPATH"] = str(ROOT)
    # when
    done = subprocess.run(
        [sys.executable, "-m", "tests.bomb_child", "health", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # then
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["status"], result["code"]) == ("fail", "unreadable")
    assert result["peak_kib"] - result["baseline_kib"] < 100 * 1024
