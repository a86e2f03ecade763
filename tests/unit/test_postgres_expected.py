"""A PostgreSQL variant that skips fails the run when TEST_DATABASE_URL says PostgreSQL is there."""

from __future__ import annotations

import pytest

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\nmarkers =\n    postgres: needs PostgreSQL\n"
SUITE = """
import pytest

@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request):
    if request.param == "postgres":
        pytest.skip("server unreachable")
    return "sqlite://"

def test_both(db_url):
    assert db_url

@pytest.mark.postgres
def test_marked():
    pytest.skip("no server")

def test_other():
    pytest.skip("not about PostgreSQL")
"""


def test_a_skipped_postgres_variant_fails_when_postgres_is_expected(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(SUITE)
    pytester.makeini(INI)
    monkeypatch.setenv("TEST_DATABASE_URL", "postgresql://127.0.0.1/none")

    result = pytester.runpytest("-p", "tests.postgres_expected")

    result.assert_outcomes(passed=1, skipped=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*PostgreSQL variant skipped although TEST_DATABASE_URL is set*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_without_postgres_expected_the_variants_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(SUITE)
    pytester.makeini(INI)
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)

    result = pytester.runpytest("-p", "tests.postgres_expected")

    result.assert_outcomes(passed=1, skipped=3)
    assert result.ret == pytest.ExitCode.OK
