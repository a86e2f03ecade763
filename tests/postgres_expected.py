"""With TEST_DATABASE_URL set, the PostgreSQL variants are expected: one that skips fails.

CI (.ci/run, `make test`) sets TEST_DATABASE_URL; a PostgreSQL variant that skipped there (the
server unreachable, a fixture that gave up) would otherwise leave a green run that never ran the
SQL it was meant to. A variant is a test parametrized with ``postgres`` (the ``db_url`` fixture),
one that asks for ``postgres_migrated``, or one marked ``postgres``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


def postgres_variant(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec is not None else ()
    return (
        "postgres" in params
        or "postgres_migrated" in getattr(item, "fixturenames", ())
        or item.get_closest_marker("postgres") is not None
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome: Any = yield
    report: pytest.TestReport = outcome.get_result()
    if os.environ.get("TEST_DATABASE_URL") and report.skipped and postgres_variant(item):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL variant skipped although TEST_DATABASE_URL is set: {reason}"
