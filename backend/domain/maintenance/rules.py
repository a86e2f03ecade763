"""Checklist rules, pure: is an answer valid for its item, which answers failed, may the
checklist be marked done (directive 12(14), 16). The phone applies the same (defaults are the
items' ``expected`` values, so a clean camera is a few taps)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backend.domain.errors import DomainError, ErrorCode
from backend.domain.maintenance.models import ItemType


def item_of(items: Sequence[Mapping[str, Any]], key: str) -> Mapping[str, Any]:
    for item in items:
        if item["key"] == key:
            return item
    raise DomainError(ErrorCode.CHECKLIST_UNKNOWN_ITEM, field="itemKey", params={"item": key})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_value(item: Mapping[str, Any], value: Any) -> None:
    """Refuse a value of the wrong shape for the item's type (None: not answered, always valid)."""
    kind = ItemType(item["type"])
    if value is None:
        ok = True
    elif kind is ItemType.YES_NO:
        ok = isinstance(value, bool)
    elif kind is ItemType.CHOICE:
        ok = isinstance(value, str) and value in {c["key"] for c in item.get("choices") or []}
    elif kind is ItemType.NUMBER:
        ok = _is_number(value)
    elif kind is ItemType.SNAPSHOT:
        ok = value in ("ok", "blurred", "obstructed", "too_dark", "changed")
    else:  # TEXT, PHOTO (a photo item's value is an optional caption)
        ok = isinstance(value, str) and len(value) <= 2000
    if not ok:
        raise DomainError(ErrorCode.CHECKLIST_BAD_VALUE, field="value", params={"item": item["key"]})


def failed(item: Mapping[str, Any], value: Any) -> bool:
    """The answer differs from what a device in order gives: a yes/no or choice other than the
    expected one, a number outside the item's range, an image that is not ok."""
    kind = ItemType(item["type"])
    if value is None:
        return False
    if kind is ItemType.NUMBER:
        low, high = item.get("min"), item.get("max")
        return (low is not None and value < low) or (high is not None and value > high)
    if kind in (ItemType.YES_NO, ItemType.CHOICE, ItemType.SNAPSHOT):
        return item.get("expected") is not None and value != item["expected"]
    return False


def missing(item: Mapping[str, Any], answer: Mapping[str, Any] | None) -> bool:
    """A required item without its answer (a required photo item: without a photo)."""
    if not item.get("required"):
        return False
    if answer is None:
        return True
    if ItemType(item["type"]) is ItemType.PHOTO:
        return not answer.get("photos")
    return answer.get("value") is None


def check_done(items: Sequence[Mapping[str, Any]], answers: Mapping[str, Mapping[str, Any]]) -> None:
    """A checklist is done when every required item is answered and none failed; a failed item
    makes it a problem (marked as such, with a note), never done."""
    gaps = [item["key"] for item in items if missing(item, answers.get(item["key"]))]
    if gaps:
        raise DomainError(ErrorCode.CHECKLIST_INCOMPLETE, field="status", params={"items": ", ".join(gaps)})
    bad = [item["key"] for item in items if failed(item, (answers.get(item["key"]) or {}).get("value"))]
    if bad:
        raise DomainError(
            ErrorCode.CHECKLIST_HAS_FAILED_ITEMS, field="status", params={"items": ", ".join(bad)}
        )
