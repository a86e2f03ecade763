"""A cheap look at a PDF's shape before anyone parses it (the public verification).

Parsing and validating a PDF costs time in proportion to its objects and incremental updates;
a crafted file of a few megabytes can hold hundreds of thousands of tiny objects or thousands
of revisions. Counting them is a linear byte scan (regular expressions over the raw file, no
parsing), so absurd files are refused in milliseconds. Objects packed into object streams are
counted by the streams' ``/N``. The count errs high (a pattern inside a compressed stream may
match), never low enough to let a heavy file through; sealed minutes have a few hundred objects
and two revisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OBJECT = re.compile(rb"(?<![0-9])[0-9]{1,10}[ \t\r\n\f\x00]+[0-9]{1,5}[ \t\r\n\f\x00]+obj(?![A-Za-z])")
_STARTXREF = re.compile(rb"startxref")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm")
_COUNT = re.compile(rb"/N\s+([0-9]{1,10})")
_WINDOW = 512  # bytes around "/Type /ObjStm" searched for its "/N"


@dataclass(frozen=True)
class PdfShape:
    objects: int
    revisions: int


def pdf_shape(data: bytes) -> PdfShape:
    objects = sum(1 for _ in _OBJECT.finditer(data))
    for match in _OBJECT_STREAM.finditer(data):
        window = data[max(0, match.start() - _WINDOW) : match.end() + _WINDOW]
        count = _COUNT.search(window)
        if count:
            objects += int(count.group(1))
    return PdfShape(objects=objects, revisions=sum(1 for _ in _STARTXREF.finditer(data)))


def shape_problem(data: bytes, max_objects: int, max_revisions: int) -> str | None:
    """Why this file is too heavy to verify, or None."""
    shape = pdf_shape(data)
    if shape.objects > max_objects:
        return f"the PDF has more than {max_objects} objects"
    if shape.revisions > max_revisions:
        return f"the PDF has more than {max_revisions} revisions"
    return None
