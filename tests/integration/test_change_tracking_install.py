"""Change tracking is installed by each entry point's start-up, never by opening a database.

Each case runs in a fresh interpreter: this test process has it installed already (conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend.db.migrate import upgrade


def _run(code: str, tmp_path: Path) -> str:
    env = {**os.environ, "SAHA_DATA_DIR": str(tmp_path / "data"), "SAHA_DEMO_DATA": "false"}
    env["SAHA_DATABASE_URL"] = f"sqlite:///{tmp_path / 'saha.db'}"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    upgrade(f"sqlite:///{tmp_path / 'saha.db'}")
    return tmp_path


def test_opening_a_database_installs_nothing_and_create_app_installs_it(migrated: Path) -> None:
    # given a fresh process
    code = """
        from backend.config import get_settings
        from backend.db.engine import Database
        from backend.domain.sync_adapter import change_tracking_installed

        Database(get_settings().effective_database_url).dispose()
        print(change_tracking_installed())
        from backend.app import create_app

        create_app()
        print(change_tracking_installed())
    """
    # when a database is opened, then the app is made / then only the app installed tracking
    assert _run(code, migrated).split() == ["False", "True"]


def test_the_cli_installs_it_before_a_database_command(migrated: Path) -> None:
    code = """
        from backend import cli
        from backend.domain.sync_adapter import change_tracking_installed

        print(change_tracking_installed())
        cli.main(["sync-new-epoch"])
        print(change_tracking_installed())
    """
    lines = _run(code, migrated).splitlines()
    assert lines[0] == "False"
    assert lines[-1] == "True"
