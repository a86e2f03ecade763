"""Typed settings, read once from the environment (prefix ``SAHA_``, plus ``PORT``).

Every field documents itself; ``python -m backend settings`` prints the values in force
(secrets masked).
"""

from __future__ import annotations

import os
import secrets
import stat
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
# Container secrets (docker/compose `secrets:`): a file /run/secrets/saha_<setting> sets that
# setting, e.g. saha_secret_key, saha_signing_pepper, saha_seal_key_password. Environment wins.
SECRETS_DIR = Path("/run/secrets")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SAHA_",
        extra="ignore",
        secrets_dir=SECRETS_DIR if SECRETS_DIR.is_dir() else None,
    )

    data_dir: Path = Field(
        default=REPO_ROOT / "var",
        description="Folder for the SQLite file, uploaded files and the generated secret key.",
    )
    database_url: str = Field(
        default="",
        description="Database URL. Empty: SQLite file `saha.db` in the data folder. "
        "PostgreSQL: postgresql://user@host:5432/db (also accepted: postgresql+asyncpg:// "
        "and sqlite+aiosqlite:// spellings; the psycopg and sqlite3 drivers are used).",
    )
    secret_key: str = Field(
        default="",
        description="Key that signs access tokens. Empty: generated on first start and kept in "
        "`<data_dir>/secret_key` (mode 600).",
    )
    production: bool = Field(
        default=False,
        description="Production mode: no GraphiQL, no demo data, stricter defaults.",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(
        default=8000,
        validation_alias=AliasChoices("PORT", "SAHA_PORT"),
        description="HTTP port (PORT or SAHA_PORT).",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Extra origins allowed by CORS (JSON list). The app's own origin needs none.",
    )
    max_request_bytes: int = Field(
        default=1_000_000, description="Largest accepted request body for /graphql, in bytes."
    )
    max_upload_bytes: int = Field(
        default=25_000_000, description="Largest accepted uploaded file (photo, document), in bytes."
    )
    upload_chunk_bytes: int = Field(
        default=8 * 1024 * 1024,
        description="Largest body of one resumable-upload PATCH (a tus chunk), in bytes; the "
        "client's chunkSize must not exceed it.",
    )
    allowed_upload_types: list[str] = Field(
        default_factory=lambda: [
            "image/jpeg",
            "image/png",
            "image/webp",
            "image/heic",
            "image/heif",
            "application/pdf",
        ],
        description="Content types accepted for uploads (JSON list). Images and PDFs are checked "
        "by their content (magic bytes), not by their name.",
    )
    image_max_pixels: int = Field(
        default=40_000_000,
        ge=1,
        description="Largest image accepted, in pixels (width × height; 40 MP by default). Checked from "
        "the file's header at upload (IMAGE_TOO_LARGE), and again before any image is decoded (minutes "
        "PDF, image health), so a small file that unpacks to gigabytes is never decoded.",
    )
    upload_quota_bytes: int = Field(
        default=1024 * 1024 * 1024,
        ge=0,
        description="Per person: most bytes of unfinished uploads plus uploaded files nothing uses yet "
        "(UPLOAD_QUOTA_EXCEEDED beyond it).",
    )
    upload_expiry_hours: int = Field(
        default=24,
        ge=1,
        description="An unfinished upload older than this is gone: the client starts it again, and the "
        "blob sweep deletes its bytes.",
    )
    blob_grace_hours: int = Field(
        default=7 * 24,
        ge=1,
        description="An uploaded file that nothing references (photo, attachment, signature image, "
        "sealed PDF, camera image) is deleted by the blob sweep once it is older than this.",
    )
    blob_store: Literal["local", "s3"] = Field(
        default="local",
        description="Where uploaded files live: `local` (files under the data folder; one server, "
        "or a shared POSIX volume) or `s3` (an S3-compatible bucket that several replicas share).",
    )
    s3_bucket: str = Field(default="", description="Bucket of `blob_store=s3` (it must exist).")
    s3_prefix: str = Field(default="", description="Key prefix inside the bucket, e.g. `saha/`.")
    s3_endpoint_url: str = Field(
        default="",
        description="Endpoint of an S3-compatible store (MinIO, Ceph, Garage…), e.g. "
        "https://s3.example.org. Empty: AWS S3.",
    )
    s3_region: str = Field(default="", description="Region of the bucket (empty: the AWS default chain).")
    s3_access_key_id: str = Field(
        default="",
        description="Access key of the bucket. Empty: the usual AWS chain (AWS_ACCESS_KEY_ID, "
        "AWS_PROFILE, an instance or pod role).",
    )
    s3_secret_access_key: str = Field(
        default="",
        description="Secret of `s3_access_key_id` (or the file /run/secrets/saha_s3_secret_access_key).",
    )
    upload_lease_seconds: int = Field(
        default=120,
        ge=5,
        description="With `blob_store=s3`: how long one request holds an upload for writing without "
        "sending more bytes; a replica that died mid-request blocks the upload at most this long.",
    )
    blob_sweep_hour: int = Field(
        default=4, ge=0, le=23, description="Hour (Europe/Istanbul) of the daily blob sweep."
    )
    access_token_minutes: int = Field(default=15, description="Lifetime of an access token.")
    refresh_token_days: int = Field(
        default=30,
        description="Lifetime of a refresh token: how long a phone may stay offline and still "
        "resume its session without signing in again.",
    )
    login_free_attempts: int = Field(
        default=5, description="Failed sign-ins allowed per account before delays start."
    )
    login_first_delay_seconds: int = Field(
        default=1, description="Wait after the first failure past the free ones; doubles each time."
    )
    login_max_delay_seconds: int = Field(
        default=900, description="Longest wait imposed after repeated failed sign-ins."
    )
    login_account_free_attempts: int = Field(
        default=50,
        description="Failed sign-ins per account from all addresses together before the account "
        "itself is slowed down (a short, capped backoff, never a lock: the per-address counters "
        "above do the locking, so a stranger cannot lock a person out).",
    )
    login_account_max_delay_seconds: int = Field(
        default=60, description="Longest wait of the per-account backoff."
    )
    login_source_free_attempts: int = Field(
        default=30,
        description="Failed sign-ins per source address (all account names, known or not) before "
        "that address is slowed down; the wait doubles up to `login_max_delay_seconds`.",
    )
    login_forget_seconds: int = Field(
        default=3600, description="Failed sign-ins are forgotten after this long without a new one."
    )
    argon2_concurrency: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Most password hashes (Argon2) computed at the same time by this server process.",
    )
    anonymous_rate_per_minute: int = Field(
        default=60,
        ge=1,
        description="Requests per minute and source address to each anonymous operation (signIn, "
        "refreshSession); shared by all server processes (kept in the database).",
    )
    verify_rate_per_minute: int = Field(
        default=10,
        ge=1,
        description="Anonymous PDF verifications (POST /api/verify) per minute and source address.",
    )
    verify_concurrency: int = Field(
        default=2, ge=1, le=32, description="Most PDF verifications running at the same time in this process."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description='Addresses or networks (JSON list, e.g. ["10.0.0.0/8"]) of reverse proxies whose '
        "X-Forwarded-For is believed. The source address of a request (sign-in throttles, rate "
        "limits) is the peer address, or the nearest X-Forwarded-For entry not itself a trusted proxy "
        "when the peer is one.",
    )
    graphql_max_depth: int = Field(default=10, description="Deepest GraphQL selection accepted.")
    graphql_max_aliases: int = Field(default=15, description="Most aliases in one GraphQL document.")
    graphql_max_tokens: int = Field(default=2000, description="Most tokens in one GraphQL document.")
    demo_data: bool = Field(
        default=True,
        description="Load demo data into an empty database on `init` (never in production mode).",
    )
    frontend_dist: Path = Field(
        default=REPO_ROOT / "frontend" / "dist", description="Built PWA served at `/`."
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    public_url: str = Field(
        default="",
        description="Address people reach Saha at, printed on sealed minutes for verification. "
        "Empty: http://<host>:<port> (http://localhost:<port> for a loopback host).",
    )
    seal_cert_path: Path | None = Field(
        default=None,
        description="Institution certificate (PEM) that seals minutes PDFs (PAdES). With "
        "`seal_key_path`. Empty (and no PKCS#12): a self-signed demo certificate is generated "
        "into <data_dir>/seal/.",
    )
    seal_key_path: Path | None = Field(default=None, description="Private key (PEM) of `seal_cert_path`.")
    seal_pkcs12_path: Path | None = Field(
        default=None, description="Institution certificate and key as one PKCS#12 file instead."
    )
    seal_key_password: str | None = Field(
        default=None, description="Password of the sealing key or PKCS#12 file, if any."
    )
    max_verify_pdf_bytes: int = Field(
        default=20 * 1024 * 1024, description="Largest PDF accepted by the public verification page."
    )
    max_anonymous_verify_pdf_bytes: int = Field(
        default=5 * 1024 * 1024,
        description="Largest PDF the verification page accepts without a sign-in (sealed minutes "
        "are far smaller); signed-in people get `max_verify_pdf_bytes`.",
    )
    max_verify_pdf_objects: int = Field(
        default=20_000, description="PDFs with more objects than this are refused before they are parsed."
    )
    max_verify_pdf_revisions: int = Field(
        default=20,
        description="PDFs with more incremental updates (revisions) than this are refused before "
        "they are parsed.",
    )

    credentials_key: str = Field(
        default="",
        description="Key (32 bytes, base64url) that encrypts device ONVIF passwords at rest. Empty: "
        "generated on first use into <data_dir>/credentials_key.",
    )
    diagnostics_concurrency: int = Field(
        default=10, ge=1, le=200, description="Most devices diagnosed at the same time by this server."
    )
    diagnostics_connect_timeout: float = Field(
        default=3.0, description="Seconds to open a connection to a device."
    )
    diagnostics_call_timeout: float = Field(
        default=8.0, description="Seconds for one ONVIF or snapshot call."
    )
    onvif_diagnosis_deadline_s: float = Field(
        default=25.0,
        gt=0,
        le=30,
        description="Seconds one device diagnosis may take in all; checks not reached by then are "
        "reported as not reached (deadline).",
    )
    onvif_max_response_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=16 * 1024,
        description="Largest ONVIF (SOAP) answer read from a device, in bytes; reading stops past it.",
    )
    onvif_allow_loopback: bool = Field(
        default=False,
        description="Let the ONVIF client connect to loopback addresses (127.0.0.0/8, ::1). Development "
        "and tests only: a real camera never lives there, and the server would talk to itself.",
    )
    scheduler_enabled: bool = Field(
        default=True,
        description="Run the nightly camera sweep and the weekly recording check in this process (each "
        "period runs once even with several replicas).",
    )
    nightly_sweep_hour: int = Field(
        default=2, ge=0, le=23, description="Hour (Europe/Istanbul) of the nightly sweep."
    )
    weekly_check_hour: int = Field(
        default=3, ge=0, le=23, description="Hour (Europe/Istanbul, Mondays) of the weekly recording check."
    )
    cleaning_round_hour: int = Field(
        default=5,
        ge=0,
        le=23,
        description="Hour (Europe/Istanbul, on the 1st) at which the month's maintenance rounds are opened.",
    )

    signing_pin_key_path: Path | None = Field(
        default=None,
        description="P-256 private key (PKCS#8 PEM) that phones seal signing PINs to. Empty: "
        "generated on first start into <data_dir>/signing_pin_key.pem (mode 600). Replicas must share it.",
    )
    signing_pepper: str = Field(
        default="",
        description="Secret (≥ 32 bytes, base64url) mixed into every signing-PIN verifier, so a copy of "
        "the database alone cannot test a PIN. Empty: generated into <data_dir>/signing_pepper.",
    )
    webauthn_rp_id: str = Field(
        default="",
        description="Passkey relying-party id: the host name people open Saha at (never an IP "
        "address). Empty: the host of `public_url`.",
    )
    webauthn_origins: list[str] = Field(
        default_factory=list,
        description="Extra origins passkey signatures may come from (JSON list); the origin of "
        "`public_url` and `allowed_origins` always count. Outside production any http://localhost:* "
        "origin is accepted too.",
    )

    @property
    def effective_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        # A loopback server is opened as localhost: passkeys refuse IP addresses as origins.
        host = "localhost" if self.host in ("127.0.0.1", "0.0.0.0", "::1", "::", "localhost") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @model_validator(mode="after")
    def _s3_needs_bucket(self) -> Settings:
        if self.blob_store == "s3" and not self.s3_bucket:
            raise ValueError("blob_store=s3 needs s3_bucket (SAHA_S3_BUCKET)")
        return self

    @field_validator("data_dir", "frontend_dist")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'saha.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)

    def restrict_data_dir(self) -> int:
        """Make the data folder private to the server's user: folders 0700, files 0600 (the
        database, its WAL, blobs, keys), also for a folder made by an older version. Symbolic
        links are not followed. Returns how many modes were changed."""
        self.ensure_data_dir()
        changed = 0
        for root, dirs, files in os.walk(self.data_dir):
            for name, mode in [(d, 0o700) for d in dirs] + [(f, 0o600) for f in files] + [("", 0o700)]:
                path = Path(root) / name if name else Path(root)
                try:
                    st = path.lstat()
                except FileNotFoundError:
                    continue  # removed meanwhile (a finished upload)
                if stat.S_ISLNK(st.st_mode) or stat.S_IMODE(st.st_mode) == mode:
                    continue
                path.chmod(mode)
                changed += 1
        return changed

    def effective_secret_key(self) -> str:
        """The configured key, or the one kept in the data folder (created on first call)."""
        if self.secret_key:
            return self.secret_key
        self.ensure_data_dir()
        path = self.data_dir / "secret_key"
        if not path.exists():
            key = secrets.token_urlsafe(48)
            # O_EXCL: two processes starting together must not write two different keys.
            try:
                with path.open("x", encoding="ascii") as fh:
                    fh.write(key)
                path.chmod(0o600)
            except FileExistsError:
                pass
        return path.read_text(encoding="ascii").strip()


def private_umask() -> None:
    """Everything the server creates from now on is readable by its own user only."""
    os.umask(0o077)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
