"""Where raw PDFs and staged Parquet live when the night runs on more than one machine.

Two implementations of one small interface: `LocalStore` (a folder: the default, one machine) and
`S3Store` (any S3-compatible endpoint: the deployment profile, docs/SCALE.md). Both publish
atomically (a rename on a disk; one PUT, or a temporary key then a copy, on S3), so a reader (the
single loader, another worker) sees a whole object or none, never a part of one.
Keys are content-addressed as on the local disk (raw/ab/<sha256>.pdf).

Configuration comes from the environment (`store_from_env`): BUDGET_ETL_OBJECT_STORE=s3://bucket/prefix,
BUDGET_ETL_S3_ENDPOINT (e.g. http://minio:9000; unset = the SDK's default endpoint) and the usual
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION, read by boto3 itself.
"""

from __future__ import annotations

import functools
import os
import uuid
from pathlib import Path
from typing import Protocol

from pipeline.atomic import copy_atomic


class ObjectStoreError(RuntimeError):
    """The object store could not be reached or refused an operation (named in the message)."""


class ObjectStore(Protocol):
    """The operations the distributed night needs; nothing else."""

    def put_file(self, key: str, src: Path) -> None:
        """Publish ``src`` under ``key`` atomically (a reader never sees a partial object)."""

    def put_bytes(self, key: str, data: bytes) -> None:
        """Publish ``data`` under ``key`` atomically."""

    def get_file(self, key: str, dest: Path) -> Path:
        """Copy the object to ``dest`` (atomically on the local disk); ObjectStoreError if absent."""

    def get_bytes(self, key: str) -> bytes:
        """The object's bytes; ObjectStoreError if absent."""

    def exists(self, key: str) -> bool:
        """True when an object is published under ``key``."""

    def describe(self) -> str:
        """Where the store is, for messages."""


def raw_key(sha256: str) -> str:
    """The content-addressed key of a raw PDF (the same layout as the local raw store)."""
    return f"raw/{sha256[:2]}/{sha256}.pdf"


def _check_key(key: str) -> str:
    if not key or key.startswith("/") or ".." in key.split("/"):
        raise ObjectStoreError(f"not a valid object key: {key!r}")
    return key


class LocalStore:
    """A folder as an object store: keys are relative paths, published by write-then-rename."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_file(self, key: str, src: Path) -> None:
        copy_atomic(Path(src), self._path(key))

    def put_bytes(self, key: str, data: bytes) -> None:
        from pipeline.atomic import write_bytes_atomic

        write_bytes_atomic(self._path(key), data)

    def get_file(self, key: str, dest: Path) -> Path:
        src = self._path(key)
        if not src.exists():
            raise ObjectStoreError(f"no object {key} in {self.describe()}")
        copy_atomic(src, Path(dest))
        return Path(dest)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise ObjectStoreError(f"no object {key} in {self.describe()}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def describe(self) -> str:
        return str(self.root)


#: Objects up to this size are published with one PUT (S3 makes a single PUT visible whole or not at
#: all); larger ones go through a multi-part upload, under a temporary key first.
SINGLE_PUT_MAX = 8 * 1024 * 1024


class S3Store:
    """An S3-compatible bucket (AWS, MinIO, Ceph, moto).

    Atomic either way: S3 makes a single PUT visible whole or not at all, so an object up to
    SINGLE_PUT_MAX is one request; a larger file (a multi-part upload, which is not atomic) is
    written under tmp/<uuid> and then copied to its key, the shape of write-then-rename on a disk.
    One request instead of three matters: a night makes several per document (docs/SCALE.md).
    """

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client=None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client("s3", endpoint_url=endpoint_url,
                                  config=Config(retries={"max_attempts": 5, "mode": "standard"}))
        self.client = client

    def _key(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def _publish(self, key: str, upload) -> None:
        tmp = f"{self.prefix}tmp/{uuid.uuid4().hex}"
        try:
            upload(tmp)
            self.client.copy_object(Bucket=self.bucket, Key=self._key(key),
                                    CopySource={"Bucket": self.bucket, "Key": tmp})
        except Exception as e:
            raise ObjectStoreError(f"publishing {key} to {self.describe()} failed: {e}") from e
        finally:
            try:
                self.client.delete_object(Bucket=self.bucket, Key=tmp)
            except Exception:  # a stray temporary object is harmless; a lifecycle rule removes it
                pass

    def put_file(self, key: str, src: Path) -> None:
        if Path(src).stat().st_size <= SINGLE_PUT_MAX:
            self.put_bytes(key, Path(src).read_bytes())
        else:
            self._publish(key, lambda tmp: self.client.upload_file(str(src), self.bucket, tmp))

    def put_bytes(self, key: str, data: bytes) -> None:
        if len(data) > SINGLE_PUT_MAX:
            self._publish(key, lambda tmp: self.client.put_object(Bucket=self.bucket, Key=tmp, Body=data))
            return
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except Exception as e:
            raise ObjectStoreError(f"publishing {key} to {self.describe()} failed: {e}") from e

    def get_file(self, key: str, dest: Path) -> Path:
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.part")
        try:
            self.client.download_file(self.bucket, self._key(key), str(part))
            os.replace(part, dest)
        except Exception as e:
            part.unlink(missing_ok=True)
            raise ObjectStoreError(f"no object {key} in {self.describe()} ({e})") from e
        return dest

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except Exception as e:
            raise ObjectStoreError(f"no object {key} in {self.describe()} ({e})") from e

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise ObjectStoreError(f"{self.describe()}: {e}") from e

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"


def parse_store_url(url: str, endpoint_url: str | None = None) -> ObjectStore:
    """`s3://bucket/prefix` → S3Store; `file:///path` or a plain path → LocalStore."""
    if url.startswith("s3://"):
        bucket, _, prefix = url[len("s3://"):].partition("/")
        if not bucket:
            raise ObjectStoreError(f"no bucket in {url!r}")
        return S3Store(bucket, prefix, endpoint_url=endpoint_url)
    return LocalStore(Path(url.removeprefix("file://")))


@functools.lru_cache(maxsize=8)
def _cached_store(url: str, endpoint_url: str | None) -> ObjectStore:
    return parse_store_url(url, endpoint_url)


def store_from_env(default: Path | None = None) -> ObjectStore | None:
    """The store named by BUDGET_ETL_OBJECT_STORE (+ BUDGET_ETL_S3_ENDPOINT), else a LocalStore at
    ``default``, else None. One store (one S3 client) per process and address: a worker runs step
    after step, and building a boto3 client costs more CPU than a small document's requests."""
    url = os.environ.get("BUDGET_ETL_OBJECT_STORE")
    if url:
        return _cached_store(url, os.environ.get("BUDGET_ETL_S3_ENDPOINT") or None)
    return LocalStore(default) if default is not None else None
