"""Files at rest are the server user's alone, and public verification tells nothing about minutes
that are not sealed."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PdfFileWriter

from backend.config import Settings
from backend.db.engine import Database
from backend.domain.surveys.models import Minutes, Survey
from backend.domain.workorders.models import WorkOrder
from backend.integrations.pdf.seal import load_seal_identity, seal_pdf
from tests.factories import (
    make_minutes,
    passkey_sign_args,
    register_passkey,
    reload,
    run,
    set_pin,
    sign_args,
)
from tests.integration.conftest import World
from tests.webauthn_soft import SoftAuthenticator

ROOT = Path(__file__).resolve().parents[2]

# ---- files at rest -------------------------------------------------------------------------------


def test_init_leaves_the_data_folder_private_to_the_server_user(tmp_path: Path) -> None:
    # given a data folder made by an older version: world-readable, with files and a sub-folder
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    old = data / "notes-from-before.txt"
    old.write_text("x", encoding="utf-8")
    old.chmod(0o644)
    nested = data / "blobs" / "ab"
    nested.mkdir(parents=True)
    for folder in (data / "blobs", nested):
        folder.chmod(0o755)
    old_blob = nested / ("ab" * 32)
    old_blob.write_bytes(b"blob")
    old_blob.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAHA_") and k != "TEST_DATABASE_URL"}
    env.update(SAHA_DATA_DIR=str(data), SAHA_DEMO_DATA="1", PYTHONPATH=str(ROOT))

    # when the server is initialised (migrations and demo data) into it
    done = subprocess.run(
        [sys.executable, "-m", "backend", "init"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    # then every folder is 0700 and every file 0600, old and new alike
    assert done.returncode == 0, done.stderr
    assert "demo data loaded" in done.stdout
    modes = {
        path.relative_to(data).as_posix(): stat.S_IMODE(path.lstat().st_mode)
        for path in [data, *data.rglob("*")]
    }
    for name in (
        "saha.db",
        "secret_key",
        "signing_pin_key.pem",
        "signing_pepper",
        old.name,
        f"blobs/ab/{'ab' * 32}",
    ):
        assert name in modes, sorted(modes)
    folders = {name for name in modes if (data / name).is_dir()}
    assert {".", "blobs", "blobs/ab"} <= folders
    wrong = {name: oct(mode) for name, mode in modes.items() if mode != (0o700 if name in folders else 0o600)}
    assert wrong == {}


# ---- public verification --------------------------------------------------------------------------

UNKNOWN_CODE = "AAAA-AAAA-AAAA"


def _minutes(db: Database, world: World) -> Minutes:
    minutes: Minutes = make_minutes(
        db, world.manager, world.site_north, world.tech, world.security, world.unit_head
    )
    return minutes


def _secrets_of(db: Database, world: World, minutes: Minutes) -> list[str]:
    """What the minutes would tell about themselves: none of it may show before sealing."""
    survey = reload(db, Survey, minutes.survey_id)
    wo = reload(db, WorkOrder, survey.work_order_id)
    return [
        str(minutes.id),
        minutes.content_hash,
        wo.number,
        world.site_north.name,
        survey.requesting_unit,
        world.tech.full_name,
        world.security.full_name,
        world.unit_head.full_name,
    ]


def _blank_pdf() -> bytes:
    writer = PdfFileWriter()
    writer.insert_page(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
                generic.pdf_name("/Resources"): generic.DictionaryObject(),
            }
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _sealed_pdf_naming(settings: Settings, minutes_id: str, content_hash: str, code: str) -> bytes:
    """A PDF with the institution's valid seal (the server's own identity) naming these minutes —
    e.g. one made while they were awaiting signatures, or by someone holding the seal."""
    identity = load_seal_identity(data_dir=settings.data_dir)
    return seal_pdf(
        _blank_pdf(),
        identity,
        metadata={"SahaMinutesId": minutes_id, "SahaContentHash": content_hash, "SahaVerificationCode": code},
    )


def _without(report: dict[str, Any], *keys: str) -> dict[str, Any]:
    out = {k: v for k, v in report.items() if k not in keys}
    if isinstance(out.get("pdf"), dict):
        out["pdf"] = {k: v for k, v in out["pdf"].items() if k != "signedAt"}
    return out


async def test_a_code_of_unsealed_minutes_answers_like_an_unknown_code(
    client: AsyncTestClient[Any], db: Database, world: World
) -> None:
    # given minutes awaiting signatures, and withdrawn ones
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    waiting = _minutes(db, world)
    run(db, world.tech, "minutes.sign", sign_args(waiting, "TECHNICIAN", world.tech))
    withdrawn = _minutes(db, world)
    run(db, world.tech, "minutes.withdraw", {"minutesId": withdrawn.id, "reason": "Yanlış nokta"})

    # when their codes are verified without signing in
    unknown = await client.get(f"/api/verify/{UNKNOWN_CODE}")
    answers = [await client.get(f"/api/verify/{m.verification_code}") for m in (waiting, withdrawn)]

    # then each answer is the unknown code's, and nothing about the minutes shows
    assert unknown.status_code == 200
    assert unknown.json() == {
        "verdict": "UNKNOWN",
        "message": unknown.json()["message"],
        "code": UNKNOWN_CODE,
        "pdf": None,
        "minutes": None,
    }
    for minutes, answer in zip((waiting, withdrawn), answers, strict=True):
        assert answer.status_code == unknown.status_code
        assert answer.json() == {**unknown.json(), "code": minutes.verification_code}
        assert answer.headers.get("cache-control") == unknown.headers.get("cache-control")
        for secret in _secrets_of(db, world, minutes):
            assert secret not in answer.text


async def test_sealed_minutes_verify_with_each_signatures_method(
    client: AsyncTestClient[Any], db: Database, world: World
) -> None:
    # given minutes signed with PINs and a passkey, then sealed
    for person in (world.tech, world.unit_head):
        set_pin(db, person)
    phone = SoftAuthenticator()
    register_passkey(db, world.security, phone)
    minutes = _minutes(db, world)
    before = (await client.get(f"/api/verify/{minutes.verification_code}")).json()
    run(db, world.tech, "minutes.sign", sign_args(minutes, "TECHNICIAN", world.tech))
    run(db, world.security, "minutes.sign", passkey_sign_args(minutes, "SECURITY", world.security, phone))
    run(db, world.tech, "minutes.sign", sign_args(minutes, "UNIT_HEAD", world.unit_head))

    # when its code is verified
    after = (await client.get(f"/api/verify/{minutes.verification_code}")).json()

    # then: unknown before sealing, valid with the details and every signature's method after
    assert (before["verdict"], before["minutes"]) == ("UNKNOWN", None)
    assert after["verdict"] == "VALID"
    view = after["minutes"]
    assert view["status"] == "SEALED"
    assert view["contentHash"] == minutes.content_hash
    assert view["siteName"] == world.site_north.name
    assert [(s["role"], s["name"], s["method"]) for s in view["signatures"]] == [
        ("TECHNICIAN", world.tech.full_name, "PIN"),
        ("SECURITY", world.security.full_name, "PASSKEY"),
        ("UNIT_HEAD", world.unit_head.full_name, "PIN"),
    ]


async def test_a_sealed_pdf_naming_unsealed_minutes_reveals_nothing_about_them(
    client: AsyncTestClient[Any], db: Database, world: World, settings: Settings
) -> None:
    # given minutes awaiting signatures, and PDFs with a valid seal naming them or unknown minutes
    for person in (world.tech, world.security, world.unit_head):
        set_pin(db, person)
    minutes = _minutes(db, world)
    naming = _sealed_pdf_naming(settings, str(minutes.id), minutes.content_hash, minutes.verification_code)
    stranger = _sealed_pdf_naming(settings, str(uuid.uuid4()), "0" * 64, UNKNOWN_CODE)

    # when both are verified
    headers = {"Content-Type": "application/pdf"}
    answer = await client.post("/api/verify", content=naming, headers=headers)
    unknown = await client.post("/api/verify", content=stranger, headers=headers)

    # then the seal checks out, but the minutes are not known: the same answer as for unknown ones
    assert answer.status_code == unknown.status_code == 200
    report = answer.json()
    assert report["verdict"] == "INVALID"
    assert report["pdf"]["valid"] is True
    assert report["pdf"]["matchesRecord"] is False
    assert (report["code"], report["minutes"]) == (None, None)
    assert _without(report) == _without(unknown.json())
    for secret in _secrets_of(db, world, minutes):
        assert secret not in answer.text

    # and once the minutes are sealed, the same PDF is shown as not Saha's file for them
    for role, person in (
        ("TECHNICIAN", world.tech),
        ("SECURITY", world.security),
        ("UNIT_HEAD", world.unit_head),
    ):
        run(db, world.tech, "minutes.sign", sign_args(minutes, role, person))
    sealed = (await client.post("/api/verify", content=naming, headers=headers)).json()
    assert sealed["verdict"] == "INVALID"
    assert sealed["code"] == minutes.verification_code
    assert sealed["minutes"]["id"] == str(minutes.id)
