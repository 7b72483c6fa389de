"""The audit log: devices upload their local entries (``POST /v1/audit``); supervisors and admins
read the program's log (``GET /v1/audit``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from sync.protocol import MAX_CURSOR, ErrorCode
from sync.server import audit
from sync.server.accounts import DeviceContext
from sync.server.clock import utc
from sync.server.deps import Db, Device, ProgramWide
from sync.server.errors import ApiError

router = APIRouter(tags=["audit"])


@router.post("/v1/audit", response_model=audit.AuditUploadResult)
def upload_audit(body: audit.AuditUpload, dev: Device, db: Db) -> audit.AuditUploadResult:
    """A device's local audit entries (viewed, exported, erased…); a repeat stores nothing new."""
    if len(body.entries) > audit.MAX_UPLOAD:
        raise ApiError(413, ErrorCode.BATCH_TOO_LARGE, f"at most {audit.MAX_UPLOAD} entries per upload")
    return audit.store_uploaded(db, dev, body.entries)


@router.get("/v1/audit", response_model=audit.AuditPage)
def read_audit(
    dev: Annotated[DeviceContext, Depends(ProgramWide("the audit log is for supervisors"))],
    db: Db,
    before: Annotated[int | None, Query(ge=1, le=MAX_CURSOR)] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE)] = audit.DEFAULT_PAGE,
    actor: Annotated[str | None, Query(pattern=audit.ID_PATTERN)] = None,
    action: Annotated[str | None, Query(pattern=audit.ACTION_PATTERN)] = None,
    target_id: Annotated[str | None, Query(pattern=audit.ID_PATTERN)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> audit.AuditPage:
    """The program's audit log, newest first (supervisors and admins); ``since``/``until``: the
    period in which the actions happened."""
    try:
        since, until = (None if v is None else utc(v) for v in (since, until))
    except ValueError as exc:
        raise ApiError(422, ErrorCode.INVALID_REQUEST, "since/until: time out of range") from exc
    filters = {"actor": actor, "action": action, "target_id": target_id, "since": since, "until": until}
    answer = audit.page(db, dev, before=before, limit=limit, **filters)
    audit.record(db, dev, audit.READ_AUDIT, "audit_log", dev.program_id)
    return answer
