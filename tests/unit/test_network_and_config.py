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


def test_secrets_come_from_files_like_docker_secrets_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given /run/secrets-style files named saha_<setting>
    (tmp_path / "saha_secret_key").write_text("from-a-file\n")
    (tmp_path / "saha_signing_pepper").write_text("cGVwcGVyLXBlcHBlci1wZXBwZXItcGVwcGVyLXBlcHBlcg")
    # when
    settings = Settings(_secrets_dir=tmp_path)  # type: ignore[call-arg]
    monkeypatch.setenv("SAHA_SECRET_KEY", "from-the-environment")
    overridden = Settings(_secrets_dir=tmp_path)  # type: ignore[call-arg]
    # then
    assert settings.secret_key == "from-a-file"
    assert settings.signing_pepper.startswith("cGVwcGVy")
    assert overridden.secret_key == "from-the-environment"


def test_compose_deployment_names_real_settings_and_its_proxy_reaches_every_replica() -> None:
    import yaml

    # given the scaled deployment
    root = Path(__file__).resolve().parents[2]
    compose = yaml.safe_load((root / "compose.yaml").read_text())
    nginx = (root / "deploy" / "nginx.conf").read_text()
    services = compose["services"]
    replicas = [name for name, s in services.items() if s.get("command", [])[-1:] == ["serve"]]
    # then: two replicas behind the proxy, migrations run once before them
    assert len(replicas) >= 2
    for name in replicas:
        assert f"server {name}:8000" in nginx
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"][-1] == "init"
    # and every secret and variable it sets is a setting Saha reads
    fields = set(Settings.model_fields)
    for secret in compose["secrets"]:
        assert secret.removeprefix("saha_") in fields, secret
    for var in services["app1"]["environment"]:
        assert var == "PORT" or var.removeprefix("SAHA_").lower() in fields, var
