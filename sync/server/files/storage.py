"""Where the service keeps complete files: a small interface, on the service's disk by default or
in S3-compatible object storage (``boto3``, the optional ``s3`` extra).

An upload in progress always grows on the service's own disk (``staging``): S3 has no append, and
its multipart parts must be at least 5 MiB. A finished, checked upload is handed over whole
(``put``). Files are named by their hex SHA-256, so a name never changes what it holds.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

#: Bytes read or sent at a time.
CHUNK = 256 * 1024


class FileStorage(Protocol):
    """What the service needs of a place for complete files."""

    #: A folder on the service's disk for uploads in progress (and cached thumbnails).
    staging: Path

    def put(self, name: str, source: Path) -> None:
        """Keep the file at ``source`` as ``name`` (moving or copying it; ``source`` may go)."""
        ...

    def size(self, name: str) -> int | None:
        """The stored file's size; None when there is none."""
        ...

    def read(self, name: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start`` to ``end`` (exclusive; None: to the end), in chunks."""
        ...

    def delete(self, name: str) -> None:
        """Remove a file (a missing one is fine)."""
        ...

    def names(self) -> set[str]:
        """Every stored file's name."""
        ...


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def staging_folder(storage: FileStorage) -> Path:
    """The storage's folder for uploads in progress, made when first needed."""
    return _private_dir(storage.staging)


class DiskStorage:
    """Files in a folder of the service's disk: ``<root>/ab/abcdef…``; uploads in ``<root>/staging``.
    Folders are made (0700) when the first file arrives, not before."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.staging = self.root / "staging"

    def _path(self, name: str) -> Path:
        return self.root / name[:2] / name

    def put(self, name: str, source: Path) -> None:
        target = self._path(name)
        _private_dir(target.parent)
        os.replace(source, target)  # the staging folder is on the same file system

    def size(self, name: str) -> int | None:
        try:
            return self._path(name).stat().st_size
        except FileNotFoundError:
            return None

    def read(self, name: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        with open(self._path(name), "rb") as source:
            source.seek(start)
            left = None if end is None else end - start
            while left is None or left > 0:
                chunk = source.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> set[str]:
        if not self.root.is_dir():
            return set()
        return {p.name for p in self.root.glob("??/*") if p.is_file() and len(p.name) == 64}


class S3Storage:
    """Files as objects of a bucket (``<prefix><name>``) of S3 or any S3-compatible store (MinIO,
    Ceph, a city's own). Credentials as boto3 finds them (``AWS_ACCESS_KEY_ID`` …)."""

    def __init__(
        self, bucket: str, staging: Path | str, *, endpoint_url: str | None = None, prefix: str = "files/",
        client: Any = None,
    ) -> None:
        if client is None:
            try:
                import boto3
            except ImportError as exc:  # pragma: no cover - depends on the install
                raise RuntimeError("S3 storage needs boto3: install the `s3` extra") from exc
            client = boto3.client("s3", endpoint_url=endpoint_url)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.staging = Path(staging)

    def _key(self, name: str) -> str:
        return self.prefix + name

    def put(self, name: str, source: Path) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(name))
        source.unlink(missing_ok=True)

    def size(self, name: str) -> int | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except Exception as exc:
            if _not_found(exc):
                return None
            raise
        return int(head["ContentLength"])

    def read(self, name: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        wanted = f"bytes={start}-" if end is None else f"bytes={start}-{end - 1}"
        answer = self.client.get_object(Bucket=self.bucket, Key=self._key(name), Range=wanted)
        body = answer["Body"]
        try:
            while chunk := body.read(CHUNK):
                yield chunk
        finally:
            body.close()

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def names(self) -> set[str]:
        found: set[str] = set()
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                found.add(item["Key"][len(self.prefix):])
        return found


def _not_found(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    code = (response or {}).get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("404", "NoSuchKey", "NotFound")


def open_storage(
    folder: Path | str, *, s3_bucket: str | None = None, s3_endpoint: str | None = None
) -> FileStorage:
    """The configured storage: S3 when a bucket is named (uploads then stage in ``folder``), else
    ``folder`` on the service's disk."""
    if s3_bucket:
        return S3Storage(s3_bucket, Path(folder) / "staging", endpoint_url=s3_endpoint)
    return DiskStorage(folder)


def default_folder(db_url: str) -> Path:
    """Where files go when no folder is configured: beside a SQLite database file
    (``sync.db`` → ``sync-files``), else ``teren-files`` in the current folder."""
    if "://" not in db_url or db_url.startswith("sqlite"):
        path = Path(db_url.split("///", 1)[-1]) if "://" in db_url else Path(db_url)
        return path.with_name(path.stem + "-files")
    return Path("teren-files")


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
