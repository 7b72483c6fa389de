"""The device's files (photos, scans), content-addressed: ``<store>-files/ab/abcdef…`` by the hex
SHA-256 of their bytes, beside the store and as private as it (0700 folders, 0600 files).

A file is written whole or not at all (``write_private``); a download in progress grows in
``partial/`` and becomes the file only once its SHA-256 is the one asked for. Which files should be
here is the ``attachment`` table's business: ``collect`` removes those no live attachment names
(deleted attachments, attachments of an erased person), so an erasure leaves no picture behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from fieldapp.store.db import Store
from fieldapp.store.private_files import open_private, private_folder, write_private

#: Bytes read at a time when hashing or copying a file.
CHUNK = 1024 * 1024


def folder(store: Store) -> Path:
    """Where this store's files live (one folder per store: tests keep several stores in a folder)."""
    return store.path.with_name(store.path.stem + "-files")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def path_of(store: Store, sha: str) -> Path:
    return folder(store) / sha[:2] / sha


def has(store: Store, sha: str) -> bool:
    return bool(sha) and path_of(store, sha).is_file()


def put(store: Store, data: bytes) -> str:
    """Keep ``data``; its SHA-256 (the same bytes twice are kept once)."""
    sha = sha256_hex(data)
    target = path_of(store, sha)
    if not target.is_file():
        private_folder(target.parent)
        write_private(target, data)
    return sha


def read(store: Store, sha: str) -> bytes:
    """A file's bytes; FileNotFoundError when it is not (yet) on the device."""
    return path_of(store, sha).read_bytes()


def partial_path(store: Store, sha: str) -> Path:
    return folder(store) / "partial" / sha


def partial_size(store: Store, sha: str) -> int:
    """How much of a download has arrived (0: none)."""
    try:
        return partial_path(store, sha).stat().st_size
    except FileNotFoundError:
        return 0


def append_partial(store: Store, sha: str, chunks: Iterable[bytes]) -> int:
    """Append downloaded bytes to the partial file; its size after. What arrived before a cut stays."""
    path = partial_path(store, sha)
    private_folder(path.parent)
    with open(path, "ab", opener=open_private) as out:
        for chunk in chunks:
            out.write(chunk)
    return path.stat().st_size


def finish_partial(store: Store, sha: str) -> bool:
    """Make a complete download the file if its SHA-256 is ``sha`` (True); else drop it (False)."""
    path = partial_path(store, sha)
    if sha256_of_file(path) != sha:
        path.unlink(missing_ok=True)
        return False
    target = path_of(store, sha)
    private_folder(target.parent)
    path.replace(target)
    return True


def drop_partial(store: Store, sha: str) -> None:
    partial_path(store, sha).unlink(missing_ok=True)


def remove(store: Store, sha: str) -> None:
    path_of(store, sha).unlink(missing_ok=True)
    drop_partial(store, sha)
    (folder(store) / "thumbs" / sha).unlink(missing_ok=True)


def stored(store: Store) -> set[str]:
    """The SHA-256 of every complete file on the device."""
    root = folder(store)
    if not root.is_dir():
        return set()
    return {p.name for p in root.glob("??/*") if p.is_file() and len(p.name) == 64}


def wanted(store: Store) -> set[str]:
    """The files live attachments name (an erased attachment names none)."""
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT DISTINCT sha256 FROM attachment WHERE deleted = 0 AND sha256 != ''"
        ).all()
    return {row[0] for row in rows}


def collect(store: Store, *, grace_s: float = 0) -> int:
    """Remove the files (and partial downloads) no live attachment names; how many went.

    ``grace_s``: spare files younger than this (a file is kept before its attachment record is
    committed: a collection running meanwhile, the file lane's, must not take it). An erasure
    collects with none.
    """
    keep = wanted(store)
    gone = 0
    young = time.time() - grace_s
    for sha in stored(store) - keep:
        if grace_s and path_of(store, sha).stat().st_mtime > young:
            continue
        remove(store, sha)
        gone += 1
    for extra in ("partial", "thumbs"):  # downloads under way, thumbnails (``services.attachments``)
        kept = folder(store) / extra
        if kept.is_dir():
            for path in kept.iterdir():
                if path.name not in keep:
                    path.unlink(missing_ok=True)
                    gone += extra == "partial"
    return gone


def remove_all(store: Store) -> None:
    """Every file of this store (a wipe)."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(folder(store))
