"""``GET /v1/conflicts``: the program's conflict log, for supervisors and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from sync.protocol import MAX_CURSOR, MAX_PULL_PAGE, ConflictsResponse
from sync.server import audit, pages
from sync.server.accounts import DeviceContext
from sync.server.deps import Db, ProgramWide

router = APIRouter(tags=["conflicts"])


@router.get("/v1/conflicts", response_model=ConflictsResponse)
def conflicts(
    dev: Annotated[DeviceContext, Depends(ProgramWide("conflicts are for supervisors"))],
    db: Db,
    after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = 200,
) -> ConflictsResponse:
    answer = pages.conflicts(db, dev, after, limit)
    audit.record(db, dev, audit.READ_CONFLICTS, "conflict_log", dev.program_id)
    return answer
