"""``POST /v1/hashes``: the service's hashes of named records (``sync.checksum``), for a device that
compares its checksum while it holds unsent edits of them."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter

from sync.checksum import to_unsigned
from sync.protocol import HashesRequest, HashesResponse, RecordHash
from sync.server import tables as t
from sync.server.deps import Db, Device

router = APIRouter(tags=["sync"])


@router.post("/v1/hashes", response_model=HashesResponse)
def hashes(dev: Device, db: Db, body: HashesRequest) -> HashesResponse:
    keys = [(key.record_type, key.id) for key in body.records]
    wanted = set(keys)
    found: dict[tuple[str, str], int] = {}
    known: set[tuple[str, str]] = set()
    if wanted:
        r = t.record.c
        # By type and id: the primary key (no index on ids alone).
        query = sa.select(r.record_type, r.id, r.program_id, r.team_id, r.hash).where(
            r.record_type.in_(sorted({kind for kind, _id in wanted}))
            & r.id.in_(sorted({record_id for _kind, record_id in wanted}))
        )
        with db.read() as conn:
            for record_type, record_id, program_id, team_id, value in conn.execute(query):
                key = (record_type, record_id)
                if program_id != dev.program_id or key not in wanted:
                    continue
                known.add(key)
                if dev.program_wide or team_id == dev.team_id:
                    found[key] = to_unsigned(value)
    return HashesResponse(
        hashes=[
            RecordHash(record_type=kind, id=rid, hash=found.get((kind, rid)), known=(kind, rid) in known)
            for kind, rid in keys
        ]
    )
