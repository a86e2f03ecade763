"""An image's size from its header alone, before anything decodes it.

A 0.5 MB PNG of 13000 × 13000 pixels unpacks to half a gigabyte: decoders allocate the whole
bitmap first. So every place that decodes an uploaded image (the upload check, the minutes PDF,
image health) asks ``image_size`` first and refuses above the configured pixel limit
(``Settings.image_max_pixels``) — OpenCV's ``imdecode`` in particular allocates before it can be
stopped.

PNG (IHDR), JPEG (the first SOF marker), WebP (VP8, VP8L, VP8X) and GIF are parsed here, reading
at most a few segment headers; other formats (AVIF, …) are asked of Pillow, whose ``Image.open``
reads headers only (never ``load``) — its own bomb guard refusing one counts as too large.
``None`` means "not an image we can size": the upload accepts it (nothing on the server will
decode it), every decoder refuses it.
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import BinaryIO

DEFAULT_MAX_PIXELS = 40_000_000
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_MAX_JPEG_SEGMENTS = 4096  # a header with more segments than this before its frame is not a photo


class ImageTooLargeError(ValueError):
    """More pixels than allowed (``width``/``height`` are 0 when only "too many" is known)."""

    def __init__(self, width: int, height: int, max_pixels: int) -> None:
        size = f"{width}×{height}" if width and height else "?"
        super().__init__(f"image too large: {size} pixels, at most {max_pixels}")
        self.width = width
        self.height = height
        self.max_pixels = max_pixels

    @property
    def size_text(self) -> str:
        if self.width and self.height:
            return f"{self.width}×{self.height} px"
        return f"> {self.max_pixels} px"


def _read(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    return data if len(data) == n else b""


def _png(fh: BinaryIO) -> tuple[int, int] | None:
    fh.seek(8)
    head = _read(fh, 16)  # length, "IHDR", width, height
    if len(head) != 16 or head[4:8] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[8:16])
    return int(width), int(height)


def _jpeg(fh: BinaryIO) -> tuple[int, int] | None:
    fh.seek(2)
    for _ in range(_MAX_JPEG_SEGMENTS):
        byte = _read(fh, 1)
        if byte != b"\xff":
            return None
        marker = _read(fh, 1)
        while marker == b"\xff":  # fill bytes
            marker = _read(fh, 1)
        if not marker:
            return None
        code = marker[0]
        if code == 0xD8 or 0xD0 <= code <= 0xD7 or code == 0x01:  # no length
            continue
        if code in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            return None
        length_bytes = _read(fh, 2)
        if not length_bytes:
            return None
        length = struct.unpack(">H", length_bytes)[0]
        if length < 2:
            return None
        if code in _JPEG_SOF:
            frame = _read(fh, 5)  # precision, height, width
            if not frame:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return int(width), int(height)
        fh.seek(length - 2, io.SEEK_CUR)
    return None


def _webp(fh: BinaryIO) -> tuple[int, int] | None:
    fh.seek(12)
    chunk = _read(fh, 8)
    if not chunk:
        return None
    kind = chunk[:4]
    body = _read(fh, 10)
    if not body:
        return None
    if kind == b"VP8X":
        width = 1 + int.from_bytes(body[4:7], "little")
        height = 1 + int.from_bytes(body[7:10], "little")
        return width, height
    if kind == b"VP8L":
        if body[0] != 0x2F:
            return None
        bits = int.from_bytes(body[1:5], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if kind == b"VP8 ":
        if body[3:6] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", body[6:10])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    return None


def _gif(fh: BinaryIO) -> tuple[int, int] | None:
    fh.seek(6)
    screen = _read(fh, 4)
    if not screen:
        return None
    width, height = struct.unpack("<HH", screen)
    return int(width), int(height)


def _pillow(fh: BinaryIO, max_pixels: int) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError

    fh.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fh) as image:  # headers only: nothing is decoded until .load()
                width, height = image.size
    except Image.DecompressionBombError:
        raise ImageTooLargeError(0, 0, max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error, EOFError):
        return None
    return int(width), int(height)


def image_size(source: bytes | BinaryIO, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int] | None:
    """(width, height) from the header, or None when the bytes are no image we can size."""
    fh: BinaryIO = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
    start = fh.tell()
    try:
        fh.seek(0)
        magic = fh.read(16)
        try:
            if magic.startswith(b"\x89PNG\r\n\x1a\n"):
                return _png(fh)
            if magic.startswith(b"\xff\xd8"):
                return _jpeg(fh)
            if magic[:4] == b"RIFF" and magic[8:12] == b"WEBP":
                return _webp(fh)
            if magic[:6] in (b"GIF87a", b"GIF89a"):
                return _gif(fh)
        except (struct.error, OSError):
            return None
        if magic.startswith(b"%PDF-"):
            return None
        return _pillow(fh, max_pixels)
    finally:
        fh.seek(start)


def check_pixels(source: bytes | BinaryIO, max_pixels: int) -> tuple[int, int] | None:
    """The size when within ``max_pixels``; ImageTooLargeError above it; None when unknown."""
    size = image_size(source, max_pixels)
    if size is not None and size[0] * size[1] > max_pixels:
        raise ImageTooLargeError(size[0], size[1], max_pixels)
    return size


def decodable_size(data: bytes, max_pixels: int) -> tuple[int, int]:
    """For decoders: the size of an image that may be decoded; ValueError (or its subclass
    ImageTooLargeError) for anything else — unknown bytes are never handed to a decoder."""
    size = check_pixels(data, max_pixels)
    if size is None or size[0] <= 0 or size[1] <= 0:
        raise ValueError("not an image whose size can be read from its header")
    return size
