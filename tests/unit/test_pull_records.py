"""A pulled record's values are converted per column (chosen once per column, for speed); the
result must be exactly what the generic per-value conversion gives, for every synced column."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend.domain.sync_adapter import _COLUMNS, _CONVERTERS, MODELS, _value


def _sample(column: Any) -> Any:
    kind = column.type
    impl = getattr(kind, "impl_instance", kind)
    try:
        python_type = impl.python_type
    except NotImplementedError:  # no declared Python type
        python_type = object
    if python_type is object:  # a column of any JSON value (Conflict's values), or undeclared
        return {"nested": [1, "a", None]}
    if issubclass(python_type, enum.Enum):
        return next(iter(python_type))
    samples: dict[type, Any] = {
        str: "metin",
        int: 7,
        bool: True,
        float: 1.5,
        Decimal: Decimal("12.50"),
        uuid.UUID: uuid.UUID(int=5),
        datetime: datetime(2026, 12, 5, 10, 0, tzinfo=UTC),
        date: date(2026, 12, 5),
        dict: {"a": 1},
        list: ["x"],
    }
    for base, value in samples.items():
        if issubclass(python_type, base):
            return value
    raise AssertionError(f"no sample for {python_type}")


@pytest.mark.parametrize("entity", sorted(MODELS))
def test_every_column_converts_as_the_generic_conversion_does(entity: str) -> None:
    table = MODELS[entity].__table__  # type: ignore[attr-defined]
    checked = 0
    for (key, _), convert in zip(_COLUMNS[entity], _CONVERTERS[entity], strict=True):
        value = _sample(table.columns[key])
        got = value if convert is None else convert(value)
        assert got == _value(value), (entity, key)
        assert type(got) is type(_value(value)), (entity, key)
        checked += 1
    assert checked == len(_COLUMNS[entity]) > 1
