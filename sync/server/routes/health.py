"""``GET /health``: the service is up, which protocol it speaks and on which database."""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import Health
from sync.server.deps import Db

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(db: Db) -> Health:
    return Health(database=db.kind)
