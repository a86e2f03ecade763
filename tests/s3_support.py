"""An S3 API server on loopback (moto's server mode, a real HTTP endpoint) for the S3 blob store.

``moto_s3`` starts one server per test session on a free port; ``s3_bucket`` creates a fresh
bucket per test. Tests talk to it with boto3 exactly as the server would talk to a real store.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from backend.config import Settings
    from backend.integrations.blobs.s3 import S3BlobStore

ACCESS_KEY = "testing"
SECRET_KEY = "testing-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self) -> S3Client:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )


@dataclass(frozen=True)
class S3Bucket:
    server: S3Server
    name: str

    def env(self) -> dict[str, str]:
        """Settings of a server process that uses this bucket."""
        return {
            "SAHA_BLOB_STORE": "s3",
            "SAHA_S3_ENDPOINT_URL": self.server.endpoint,
            "SAHA_S3_BUCKET": self.name,
            "SAHA_S3_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def configure(self, settings: Settings) -> None:
        settings.blob_store = "s3"
        settings.s3_endpoint_url = self.server.endpoint
        settings.s3_bucket = self.name
        settings.s3_region = REGION
        settings.s3_access_key_id = ACCESS_KEY
        settings.s3_secret_access_key = SECRET_KEY

    def store(self) -> S3BlobStore:
        from backend.integrations.blobs.s3 import S3BlobStore

        return S3BlobStore(self.server.client(), self.name)

    def objects(self, prefix: str = "") -> list[str]:
        client = self.server.client()
        found: list[str] = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix):
            found += [o["Key"] for o in page.get("Contents", [])]
        return sorted(found)

    def multipart_uploads(self) -> list[dict[str, Any]]:
        return list(self.server.client().list_multipart_uploads(Bucket=self.name).get("Uploads", []))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[S3Server]:
    server_mod = pytest.importorskip("moto.server")
    port = _free_port()
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(moto_s3: S3Server) -> S3Bucket:
    name = f"saha-{uuid.uuid4().hex[:12]}"
    moto_s3.client().create_bucket(Bucket=name)
    return S3Bucket(moto_s3, name)
