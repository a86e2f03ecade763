"""A device's identity (GetDeviceInformation) checked before anyone may write it into the inventory.

A truncated, padded or hostile answer must not become a make, model, serial number or firmware
in the inventory: :func:`read_identity` accepts the identity only when every present field is
short printable text and the fields ONVIF requires are there; otherwise it returns the problems
and no identity at all (one bad field makes the whole answer suspect).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# inventory key -> ONVIF element of GetDeviceInformationResponse
FIELDS: dict[str, str] = {
    "make": "Manufacturer",
    "model": "Model",
    "serial": "SerialNumber",
    "firmware": "FirmwareVersion",
    "hardware_id": "HardwareId",
}
REQUIRED = ("make", "model", "firmware")  # present in every sane answer; serial/hardware may be empty
MAX_LENGTH = 64  # the inventory's limit for these fields (backend.domain.assets.commands.Short)


def field_problem(value: Any) -> str | None:
    """Why ``value`` cannot be an identity field, or None."""
    if not isinstance(value, str):
        return "not_text"
    if len(value) > MAX_LENGTH:
        return "too_long"
    if any(not ch.isprintable() or ch == "\ufffd" for ch in value):
        return "control_characters"
    return None


def read_identity(info: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(identity, problems): the identity is empty whenever there is any problem."""
    identity: dict[str, str] = {}
    problems: dict[str, str] = {}
    for key, element in FIELDS.items():
        value = info.get(element)
        if value is None:
            if key in REQUIRED:
                problems[key] = "missing"
            continue
        problem = field_problem(value)
        if problem is not None:
            problems[key] = problem
            continue
        text = str(value).strip()
        if text:
            identity[key] = text
    return ({} if problems else identity), problems


def clean_identity(device: Mapping[str, Any]) -> dict[str, str]:
    """Only the fields that are acceptable identity text (for ``diagnostics.record`` arguments)."""
    texts = {
        str(k): str(v) for k, v in device.items() if isinstance(v, str | int) and not isinstance(v, bool)
    }
    return {k: v.strip() for k, v in texts.items() if k in FIELDS and v.strip() and field_problem(v) is None}
