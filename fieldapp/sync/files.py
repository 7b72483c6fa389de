"""The file lane: photos and scans to and from the service, apart from record sync.

Records sync first and never wait for a file; then this lane works through its queue
(``file_transfer``): uploads of files attached here, then downloads of files that attachments
pulled from teammates name. Each file's failure is its own: it is noted on its queue row (the
error's code, a retry time from ``fieldapp.retry``) and the lane goes on with the next file; a
file that keeps failing never holds up records or other files.

Both directions resume (``sync.files_protocol``): an upload asks the service how much arrived
(``HEAD``) and sends the rest in chunks (``PATCH`` with ``Upload-Offset``); a download keeps what
arrived in a partial file and asks for the rest (``Range``). A download is kept only once its
SHA-256 is its name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from fieldapp import retry
from fieldapp.store import Store, blobs
from fieldapp.sync.errors import SyncError
from fieldapp.sync.file_client import FileClient
from fieldapp.sync.receipt import FileReceipt
from sync.files_protocol import UPLOAD_CHUNK_BYTES, FileErrorCode

log = logging.getLogger(__name__)

#: Retry times of a failed file: from a minute, doubling, up to a day.
RETRY_BASE_SECONDS = 60.0
RETRY_CAP_SECONDS = 24 * 3600.0
#: Failures that sending the same bytes again cannot mend: retried only after a day.
_HOPELESS = frozenset(
    {FileErrorCode.FILE_TOO_LARGE, FileErrorCode.CHECKSUM_MISMATCH, FileErrorCode.FILE_TYPE}
)
#: Resumes of one file within one run (a flaky link cuts a large photo more than once).
RESUMES_PER_RUN = 3
#: Files this young are not collected by the lane (one being attached may not be named yet).
COLLECT_GRACE_SECONDS = 600.0


class FileLane:
    """One run of the file queue for ``store`` against the service (``FileClient``)."""

    def __init__(self, store: Store, client: FileClient, *, now: float | None = None,
                 max_download_bytes: int = 200 * 1024 * 1024) -> None:
        self.store = store
        self.client = client
        self.now = now if now is not None else time.time()
        self.max_download_bytes = max_download_bytes
        self.receipt = FileReceipt()

    def run(self) -> FileReceipt:
        """Uploads, then downloads; a revoked device stops the run (``device_revoked`` is raised),
        any other failure is one file's."""
        for sha, attachment_id in self._due("up"):
            self._one("up", sha, attachment_id, self._upload)
        for sha, attachment_id in self._missing():
            if self.receipt.bytes_down >= self.max_download_bytes:
                break
            self._one("down", sha, attachment_id, self._download)
        blobs.collect(self.store, grace_s=COLLECT_GRACE_SECONDS)
        return self.receipt

    # -- the queue ---------------------------------------------------------------------------

    def _due(self, direction: str) -> list[tuple[str, str]]:
        with self.store.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT sha256, attachment_id FROM file_transfer WHERE direction = ? AND next_try_at <= ? "
                "ORDER BY attempts, next_try_at",
                (direction, self.now),
            ).all()
        return [(row[0], row[1]) for row in rows]

    def _missing(self) -> list[tuple[str, str]]:
        """Files live attachments name that are not here, not waiting for their upload, nor for a
        retry time still ahead."""
        with self.store.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT a.sha256, min(a.id) FROM attachment a WHERE a.deleted = 0 AND a.sha256 != '' "
                "AND NOT EXISTS (SELECT 1 FROM file_transfer f WHERE f.sha256 = a.sha256 AND "
                "(f.direction = 'up' OR f.next_try_at > ?)) GROUP BY a.sha256",
                (self.now,),
            ).all()
        return [(row[0], row[1]) for row in rows if not blobs.has(self.store, row[0])]

    def _one(self, direction: str, sha: str, attachment_id: str, work: Any) -> None:
        try:
            work(sha, attachment_id)
        except SyncError as exc:
            if exc.code == "device_revoked":
                raise
            self._failed(direction, sha, attachment_id, exc.code)
            return
        except OSError as exc:  # the phone's storage (full, gone)
            log.warning("file %s: %s", sha[:12], exc)
            self._failed(direction, sha, attachment_id, "storage")
            return
        with self.store.write() as conn:
            conn.exec_driver_sql(
                "DELETE FROM file_transfer WHERE sha256 = ? AND direction = ?", (sha, direction)
            )

    def _failed(self, direction: str, sha: str, attachment_id: str, code: str) -> None:
        self.receipt.failed.append((sha, code))
        with self.store.write() as conn:
            row = conn.exec_driver_sql(
                "SELECT attempts FROM file_transfer WHERE sha256 = ? AND direction = ?", (sha, direction)
            ).first()
            attempts = (row[0] if row else 0) + 1
            wait = RETRY_CAP_SECONDS if code in _HOPELESS else retry.delay(
                attempts, RETRY_BASE_SECONDS, RETRY_CAP_SECONDS)
            conn.exec_driver_sql(
                "INSERT INTO file_transfer "
                "(sha256, direction, attachment_id, attempts, last_error, next_try_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, direction) DO UPDATE SET "
                "attempts = excluded.attempts, last_error = excluded.last_error, "
                "next_try_at = excluded.next_try_at",
                (sha, direction, attachment_id, attempts, code[:40], self.now + wait),
            )

    # -- the transfers -------------------------------------------------------------------------

    def _upload(self, sha: str, attachment_id: str) -> None:
        if not blobs.has(self.store, sha):
            return  # erased or removed meanwhile: nothing to send
        path = blobs.path_of(self.store, sha)
        size = path.stat().st_size
        for resume in range(RESUMES_PER_RUN + 1):
            try:
                offset, _length = self.client.offset(sha, attachment_id)
                with open(path, "rb") as source:
                    while offset < size:
                        source.seek(offset)
                        chunk = source.read(UPLOAD_CHUNK_BYTES)
                        try:
                            offset = self.client.append(sha, attachment_id, offset, chunk)
                        except SyncError as exc:
                            if exc.code != FileErrorCode.OFFSET_MISMATCH:
                                raise
                            offset = int(exc.details.get("offset", 0))
                            continue
                        self.receipt.bytes_up += len(chunk)
                self.receipt.uploaded += 1
                return
            except SyncError as exc:
                if exc.status is not None or resume == RESUMES_PER_RUN:
                    raise  # the service said no: resuming would not help
                log.info("upload of %s cut (%s): resuming", sha[:12], exc.code)

    def _download(self, sha: str, attachment_id: str) -> None:
        for resume in range(RESUMES_PER_RUN + 1):
            start = blobs.partial_size(self.store, sha)
            try:
                chunks = self.client.fetch(sha, attachment_id, start)
                blobs.append_partial(self.store, sha, self._counted(chunks))
            except SyncError as exc:
                if exc.code == FileErrorCode.RANGE_NOT_SATISFIABLE:
                    blobs.drop_partial(self.store, sha)  # more than the file holds: start again
                    continue
                if exc.status is not None or resume == RESUMES_PER_RUN:
                    raise
                log.info("download of %s cut (%s): resuming", sha[:12], exc.code)
                continue
            if not blobs.finish_partial(self.store, sha):
                raise SyncError(FileErrorCode.CHECKSUM_MISMATCH, "the downloaded bytes are not the file")
            self.receipt.downloaded += 1
            return

    def _counted(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.receipt.bytes_down += len(chunk)
            yield chunk
