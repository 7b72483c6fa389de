"""``GET /health``: the service is up, which protocol it speaks and on which database; 503
``unavailable`` when the database does not answer (container health checks, load balancers)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

from sync.protocol import ErrorBody, ErrorCode, Health
from sync.server import tables as t
from sync.server.deps import Db
from sync.server.errors import ApiError

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/health", response_model=Health, responses={503: {"model": ErrorBody}})
def health(db: Db) -> Health:
    try:
        with db.read() as conn:  # a real table: the schema is there too
            conn.execute(sa.select(t.counter.c.value).where(t.counter.c.name == "change")).scalar_one()
    except SQLAlchemyError as exc:
        log.error("health: the database did not answer: %s", type(exc).__name__)
        raise ApiError(503, ErrorCode.UNAVAILABLE, "the database is not available") from exc
    return Health(database=db.kind)
