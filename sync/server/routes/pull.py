"""``GET /v1/pull``: a page of the records in the device's scope changed after its cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from sync.protocol import DEFAULT_PULL_PAGE, MAX_CURSOR, MAX_PULL_PAGE, PullResponse
from sync.server import pages
from sync.server.deps import Db, Device

router = APIRouter(tags=["sync"])


@router.get("/v1/pull", response_model=PullResponse)
def pull(
    dev: Device,
    db: Db,
    after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
    kinds: Annotated[str | None, Query(max_length=2000, description="record types, comma-separated")] = None,
    columns: Annotated[
        str | None, Query(max_length=2000, description="record types wanted in columns, comma-separated")
    ] = None,
    x_teren_schema: Annotated[str | None, Header(max_length=64)] = None,
) -> Response:
    wanted = [kind for kind in kinds.split(",") if kind] if kinds else None
    in_columns = [kind for kind in columns.split(",") if kind] if columns else None
    page = pages.pull(db, dev, after, limit, wanted, x_teren_schema, in_columns)
    return Response(page, media_type="application/json")
