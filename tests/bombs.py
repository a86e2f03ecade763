"""Decompression bombs: small files that decode to huge bitmaps (tests only)."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int, color: tuple[int, int, int] = (0, 0, 0)) -> bytes:
    """A valid RGB PNG of one colour: a few hundred kilobytes for ``width × height × 3`` bytes of
    bitmap. Compressed row by row, so making it never holds the bitmap either."""
    row = b"\x00" + bytes(color) * width
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
