"""The file lane (``sync.files_protocol``): resumable uploads (``HEAD`` to learn the offset,
``PATCH`` from it), downloads with ``Range``, thumbnails. Bodies are streamed, not read whole:
``BodyLimit`` leaves ``/v1/files/`` alone, and the attachment's declared size (under the service's
``max_file_bytes``) caps what an upload may send."""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
from typing import Annotated, BinaryIO

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from starlette.requests import ClientDisconnect

from sync.files_protocol import ERROR_HEADER, LENGTH_HEADER, OFFSET_HEADER, FileErrorCode
from sync.server import metrics
from sync.server.deps import Db, Device
from sync.server.errors import ApiError
from sync.server.files import thumbnails, uploads
from sync.server.files.storage import FileStorage

router = APIRouter(prefix="/v1/files", tags=["files"])

_RANGE = re.compile(r"bytes=(\d+)-(\d*)")
AttachmentId = Annotated[
    str, Query(min_length=1, max_length=64, description="the attachment record naming the file")
]


def _storage(request: Request) -> FileStorage:
    return request.app.state.files  # type: ignore[no-any-return]


def _within_limit(request: Request, found: uploads.Grant) -> None:
    limit: int = request.app.state.max_file_bytes
    if found.size > limit:
        raise ApiError(
            413, FileErrorCode.FILE_TOO_LARGE, f"files may hold at most {limit} bytes", {"max_bytes": limit}
        )


def _lock(request: Request, sha: str) -> asyncio.Lock:
    """One upload of a file at a time in this process (two devices may send the same photo)."""
    locks: dict[str, asyncio.Lock] = request.app.state.file_locks
    return locks.setdefault(sha, asyncio.Lock())


@router.head("/{sha256}")
def upload_offset(sha256: str, attachment: AttachmentId, dev: Device, db: Db, request: Request) -> Response:
    """How much of the file arrived (``Upload-Offset``) of its length (``Upload-Length``)."""
    try:
        found = uploads.grant(db, dev, sha256, attachment)
        _within_limit(request, found)
    except ApiError as exc:
        exc.headers = {**(exc.headers or {}), ERROR_HEADER: exc.code}
        raise
    have, _stored = uploads.received(db, _storage(request), sha256)
    return Response(status_code=200, headers={OFFSET_HEADER: str(have), LENGTH_HEADER: str(found.size)})


@router.patch("/{sha256}", status_code=204)
async def upload(
    sha256: str,
    attachment: AttachmentId,
    dev: Device,
    db: Db,
    request: Request,
    upload_offset: Annotated[int, Header(alias=OFFSET_HEADER, ge=0)],
) -> Response:
    """Append the body at ``Upload-Offset``; the answer's ``Upload-Offset`` is the bytes held after."""
    found = await run_in_threadpool(uploads.grant, db, dev, sha256, attachment)
    _within_limit(request, found)
    storage = _storage(request)
    async with _lock(request, sha256):
        have, stored = await run_in_threadpool(uploads.received, db, storage, sha256)
        if stored:
            if upload_offset != have:
                raise _mismatch(have)
            return Response(status_code=204, headers={OFFSET_HEADER: str(have)})
        length = request.headers.get("content-length", "")
        if length.isdigit() and upload_offset + int(length) > found.size:
            raise ApiError(413, FileErrorCode.FILE_TOO_LARGE, "more bytes than the attachment's size")
        await run_in_threadpool(uploads.begin, db, storage, sha256, found.size)
        path = uploads.staging_path(storage, sha256)
        with open(path, "ab") as out:
            # Other worker processes: one upload of a file at a time; the offset read under the lock.
            try:
                fcntl.flock(out, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise _mismatch(have) from None
            have = out.seek(0, os.SEEK_END)
            if upload_offset != have:
                raise _mismatch(have)
            written = await _append(request, out, have, found.size)
            metrics.FILE_BYTES.labels("up").inc(written - have)
            if written == found.size:
                await run_in_threadpool(uploads.finish, db, storage, sha256, found.mime)
                metrics.FILES_STORED.inc()
    return Response(status_code=204, headers={OFFSET_HEADER: str(written)})


def _mismatch(have: int) -> ApiError:
    return ApiError(
        409, FileErrorCode.OFFSET_MISMATCH, f"the service holds {have} bytes of this file (or another "
        "upload of it is under way)", {"offset": have}, {OFFSET_HEADER: str(have)},
    )


async def _append(request: Request, out: BinaryIO, have: int, size: int) -> int:
    """Write the body's chunks after the ``have`` bytes held; what arrived before a cut stays. Bytes
    past ``size`` are refused (413) and this request's bytes dropped."""
    written = have
    try:
        async for chunk in request.stream():
            if written + len(chunk) > size:
                out.truncate(have)
                raise ApiError(413, FileErrorCode.FILE_TOO_LARGE, "more bytes than the attachment's size")
            out.write(chunk)
            written += len(chunk)
    except ClientDisconnect:
        pass  # the device asks HEAD and goes on from here
    out.flush()
    return written


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of a single ``bytes=`` range; None: the whole file."""
    found = _RANGE.fullmatch((header or "").strip())
    if found is None:
        return None
    start = int(found.group(1))
    end = min(int(found.group(2)) + 1, size) if found.group(2) else size
    if start >= size or end <= start:
        raise ApiError(
            416, FileErrorCode.RANGE_NOT_SATISFIABLE, f"the file holds {size} bytes",
            headers={"Content-Range": f"bytes */{size}"},
        )
    return start, end


@router.get("/{sha256}", response_class=Response)
def download(
    sha256: str,
    attachment: AttachmentId,
    dev: Device,
    db: Db,
    request: Request,
    range_: Annotated[str | None, Header(alias="Range")] = None,
) -> Response:
    """The file, or the part a ``Range`` asks for (206)."""
    found = uploads.grant(db, dev, sha256, attachment)
    storage = _storage(request)
    size = uploads.stored_size(db, storage, sha256)
    if size is None:
        raise ApiError(404, FileErrorCode.FILE_NOT_UPLOADED, "the file has not been uploaded (yet)")
    part = _byte_range(range_, size)
    start, end = part or (0, size)
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(end - start)}
    if part is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    metrics.FILE_BYTES.labels("down").inc(end - start)
    return StreamingResponse(
        storage.read(sha256, start, end), status_code=206 if part else 200, headers=headers,
        media_type=found.mime or "application/octet-stream",
    )


@router.get("/{sha256}/thumbnail", response_class=Response)
def thumbnail(sha256: str, attachment: AttachmentId, dev: Device, db: Db, request: Request) -> Response:
    """A small JPEG of a picture, for lists."""
    found = uploads.grant(db, dev, sha256, attachment)
    if uploads.stored_size(db, _storage(request), sha256) is None:
        raise ApiError(404, FileErrorCode.FILE_NOT_UPLOADED, "the file has not been uploaded (yet)")
    small = thumbnails.thumbnail(_storage(request), sha256, found.mime)
    if small is None:
        raise ApiError(404, FileErrorCode.NO_THUMBNAIL, "no thumbnail of this file")
    return Response(small, media_type="image/jpeg")

