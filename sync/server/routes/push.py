"""``POST /v1/push``: a batch of changes, merged in one transaction (``sync.server.merge``).

The body is read by hand (``deps.PushBody``); ``sync.server.app`` still publishes it in the OpenAPI
document as a ``PushRequest``."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Depends
from fastapi.responses import Response

from sync.protocol import ErrorBody, PushResponse
from sync.server import merge, metrics
from sync.server.deps import Db, Device, ErasurePurger, PushBody, raw_json_body

router = APIRouter(tags=["sync"])


@router.post(
    "/v1/push",
    response_model=PushResponse,
    responses={403: {"model": ErrorBody, "description": "a change the role may not make"}},
    # The body's media type is checked before the token (415 before 401), as it always was; the
    # body read here is the one ``PushBody`` parses (dependencies are cached per request).
    dependencies=[Depends(raw_json_body)],
)
def push(dev: Device, body: PushBody, db: Db, purger: ErasurePurger) -> Response:
    # Through the module: tests/sync/crashing_server.py replaces ``merge.apply_batch``.
    answer = merge.apply_batch(db, dev, body)
    purger.after_push(body.changes)  # erased values leave the database's files too
    metrics.count_push(answer, len(body.changes))
    return Response(orjson.dumps(answer), media_type="application/json")
