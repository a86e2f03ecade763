"""Address rules and settings."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from backend.config import Settings
from backend.domain.assets.network import check_in_blocks, first_overlap, parse_block
from backend.domain.errors import DomainError, ErrorCode


@pytest.mark.parametrize(
    ("ip", "blocks", "ok"),
    [
        ("10.1.1.10", ["10.1.1.0/24"], True),
        ("10.1.1.255", ["10.1.1.0/24"], True),
        ("10.1.2.1", ["10.1.1.0/24"], False),
        ("10.1.2.1", ["10.1.1.0/24", "10.1.2.0/25"], True),
        ("fd00::5", ["fd00::/64"], True),
        ("fd00::5", ["10.0.0.0/8"], False),
        ("10.1.1.10", [], False),
    ],
)
def test_address_in_site_blocks(ip: str, blocks: list[str], ok: bool) -> None:
    if ok:
        assert check_in_blocks(ip, blocks) == ip
    else:
        with pytest.raises(DomainError) as err:
            check_in_blocks(ip, blocks)
        assert err.value.code is ErrorCode.DEVICE_IP_OUTSIDE_SITE_BLOCKS


@pytest.mark.parametrize("cidr", ["10.1.1.1/24", "10.1.1.0", "300.1.1.0/24", "abc", "10.1.1.0/33"])
def test_bad_blocks_are_refused(cidr: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_block(cidr)
    assert err.value.code is ErrorCode.IPBLOCK_INVALID


def test_overlap_detection() -> None:
    assert first_overlap(parse_block("10.1.0.0/16"), ["192.168.0.0/24", "10.1.5.0/24"]) == "10.1.5.0/24"
    assert first_overlap(parse_block("10.2.0.0/16"), ["10.1.5.0/24", "fd00::/64"]) is None


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")

    first = settings.effective_secret_key()
    second = Settings(data_dir=tmp_path / "data").effective_secret_key()

    assert first == second
    assert len(first) >= 48
    mode = stat.S_IMODE((tmp_path / "data" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("SAHA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAHA_ALLOWED_ORIGINS", '["https://saha.example"]')
    monkeypatch.setenv("SAHA_MAX_UPLOAD_BYTES", "1000")

    settings = Settings()

    assert settings.port == 8123
    assert settings.data_dir == tmp_path.resolve()
    assert settings.allowed_origins == ["https://saha.example"]
    assert settings.max_upload_bytes == 1000
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/saha.db"
    assert settings.is_sqlite


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
            "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        ),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite+aiosqlite:////var/x.db", "sqlite:////var/x.db"),
        ("sqlite:////var/x.db", "sqlite:////var/x.db"),
    ],
)
def test_database_urls_use_the_sync_drivers(given: str, used: str) -> None:
    from backend.db.engine import normalize_url

    assert normalize_url(given) == used
