"""What the file lane does with the database and the storage (``sync.files_protocol`` is the
contract): who may reach a file, how much of an upload arrived, finishing an upload against its
SHA-256, and removing files nothing live names any more.

A device reaches a file only through an attachment record in its scope (program, and team unless it
works program-wide) that names it, is not deleted, and whose person is not erased: so uploads need
the record pushed first, and an erasure (the record's ``sha256`` reset, or its person listed in
``erased_contact``) closes the file to everyone at once, before ``collect`` removes its bytes.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from fieldapp.model.attachment import SNIFF_BYTES, is_sha256, sniff_mime
from sync.files_protocol import FileErrorCode
from sync.protocol import ErrorCode
from sync.server import tables as t
from sync.server.accounts import DeviceContext
from sync.server.db import Database, insert_ignoring_known
from sync.server.errors import ApiError
from sync.server.files.storage import CHUNK, FileStorage, remove_quietly, staging_folder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Grant:
    """A file a device may reach, as its attachment record describes it."""

    sha256: str
    size: int
    mime: str


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def grant(db: Database, dev: DeviceContext, sha: str, attachment_id: str) -> Grant:
    """The file ``sha`` through attachment ``attachment_id``, if this device may reach it; else 404
    ``not_found`` (whether the file or the record exists elsewhere is not told)."""
    missing = ApiError(404, ErrorCode.NOT_FOUND, "no attachment in your scope names this file")
    if not is_sha256(sha) or not attachment_id or len(attachment_id) > 64:
        raise missing
    with db.read() as conn:
        row = conn.execute(
            sa.select(t.record.c.program_id, t.record.c.team_id, t.record.c.data, t.record.c.deleted).where(
                t.record.c.record_type == "attachment", t.record.c.id == attachment_id
            )
        ).first()
        if row is None or row.deleted or row.program_id != dev.program_id:
            raise missing
        if not dev.program_wide and row.team_id != dev.team_id:
            raise missing
        data = _json(row.data)
        if data.get("sha256") != sha:
            raise missing
        contact_id = data.get("contact_id")
        if isinstance(contact_id, str) and conn.execute(
            sa.select(t.erased_contact.c.id).where(t.erased_contact.c.id == contact_id)
        ).first():
            raise missing
    size = data.get("size")
    return Grant(sha, size if type(size) is int and size >= 0 else 0, str(data.get("mime") or ""))


def staging_path(storage: FileStorage, sha: str) -> Path:
    return storage.staging / sha


def received(db: Database, storage: FileStorage, sha: str) -> tuple[int, bool]:
    """How many bytes of the file arrived, and whether it is stored (complete and checked)."""
    stored = stored_size(db, storage, sha)
    if stored is not None:
        return stored, True
    try:
        return staging_path(storage, sha).stat().st_size, False
    except FileNotFoundError:
        return 0, False


def begin(db: Database, storage: FileStorage, sha: str, size: int) -> None:
    """Note an upload under way (a second device uploading the same bytes meets the same row)."""
    staging_folder(storage)
    with db.write() as conn:
        conn.execute(
            insert_ignoring_known(conn, t.file_blob).values(
                sha256=sha, size=size, complete=False, created_at=datetime.now(UTC)
            )
        )


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def finish(db: Database, storage: FileStorage, sha: str, mime: str) -> None:
    """Store a complete upload if its bytes hash to its name and are the type ``mime`` the
    attachment names; else drop them (422 ``checksum_mismatch``, ``file_type``: the device starts
    again, or stops, as its queue decides)."""
    path = staging_path(storage, sha)
    with open(path, "rb") as source:
        start = source.read(SNIFF_BYTES)
    refusal = None
    if _sha256_of(path) != sha:
        refusal = ApiError(
            422, FileErrorCode.CHECKSUM_MISMATCH, "the bytes' SHA-256 is not their name; send them from 0"
        )
    elif sniff_mime(start) != mime:
        refusal = ApiError(422, FileErrorCode.FILE_TYPE, f"the bytes are not {mime or 'a known type'}")
    if refusal is not None:
        remove_quietly(path)
        with db.write() as conn:
            conn.execute(
                sa.delete(t.file_blob).where(t.file_blob.c.sha256 == sha, t.file_blob.c.complete.is_(False))
            )
        raise refusal
    storage.put(sha, path)
    with db.write() as conn:
        conn.execute(
            sa.update(t.file_blob)
            .where(t.file_blob.c.sha256 == sha)
            .values(complete=True, completed_at=datetime.now(UTC))
        )


def stored_size(db: Database, storage: FileStorage, sha: str) -> int | None:
    """The stored file's size (None: not stored). The storage is the truth: only checked files
    reach it. A file the database does not list (a database restored from a backup older than the
    upload) is listed again, so ``collect`` sees it."""
    size = storage.size(sha)
    if size is None:
        return None
    with db.read() as conn:
        listed = conn.execute(sa.select(t.file_blob.c.complete).where(t.file_blob.c.sha256 == sha)).scalar()
    if not listed:
        now = datetime.now(UTC)
        with db.write() as conn:
            conn.execute(
                insert_ignoring_known(conn, t.file_blob).values(
                    sha256=sha, size=size, complete=True, created_at=now, completed_at=now
                )
            )
            conn.execute(
                sa.update(t.file_blob).where(t.file_blob.c.sha256 == sha).values(complete=True, size=size)
            )
    return size


def referenced(db: Database) -> set[str]:
    """The files live attachment records name, but those of erased people."""
    with db.read() as conn:
        erased = {row[0] for row in conn.execute(sa.select(t.erased_contact.c.id))}
        rows = conn.execute(
            sa.select(t.record.c.data).where(
                t.record.c.record_type == "attachment", t.record.c.deleted.is_(False)
            )
        )
        names = set()
        for (data,) in rows:
            values = _json(data)
            sha, contact_id = values.get("sha256"), values.get("contact_id")
            if isinstance(sha, str) and sha and contact_id not in erased:
                names.add(sha)
    return names


def thumbnails_folder(storage: FileStorage) -> Path:
    return storage.staging.parent / "thumbs"


def collect(db: Database, storage: FileStorage) -> int:
    """Remove every file (stored, half-uploaded, its thumbnail) that no live attachment names:
    those of erased people, of deleted attachments. How many went.

    The files are listed before the records are read: an upload needs its record first, so a file
    listed here whose record is committed later cannot exist. Only files the database lists (and
    uploads in progress) are removed: after a restore from an older backup, files uploaded since
    wait until a device reaches them again (``stored_size`` lists them) with their records back.
    """
    with db.read() as conn:
        known = {row[0] for row in conn.execute(sa.select(t.file_blob.c.sha256))}
    staging = storage.staging
    staged = {p.name for p in staging.iterdir() if is_sha256(p.name)} if staging.is_dir() else set()
    keep = referenced(db)
    gone = sorted((known | staged) - keep)
    for sha in gone:
        storage.delete(sha)
        remove_quietly(staging_path(storage, sha))
        remove_quietly(thumbnails_folder(storage) / sha)
    if gone:
        with db.write() as conn:
            conn.execute(sa.delete(t.file_blob).where(t.file_blob.c.sha256.in_(gone)))
        log.info("removed %d files no live attachment names", len(gone))
    return len(gone)
