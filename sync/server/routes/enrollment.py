"""Enrollment: a device redeems a one-time code for its token (``POST /v1/enroll``, no token), and
a supervisor or admin makes such codes for users of the program (``POST /v1/enrollments``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from sync.protocol import CreateEnrollmentRequest, EnrollmentOut, EnrollResponse, ErrorBody, ErrorCode
from sync.server import accounts, audit
from sync.server.accounts import DeviceContext
from sync.server.clock import now_ms
from sync.server.deps import Db, EnrollBody, ProgramWide, PublicUrl
from sync.server.errors import ApiError

router = APIRouter(tags=["enrollment"])


@router.post(
    "/v1/enroll",
    response_model=EnrollResponse,
    responses={429: {"model": ErrorBody, "description": "too many wrong codes: wait Retry-After seconds"}},
)
def enroll(body: EnrollBody, db: Db, request: Request) -> EnrollResponse:
    # The connection's address, or the one a trusted proxy reports (uvicorn's proxy headers).
    client = request.client.host if request.client else None
    done = accounts.redeem(db, body.code, body.device_id, body.device_name, client=client)
    return EnrollResponse(
        token=done.token,
        user_id=done.user_id,
        user_name=done.user_name,
        role=done.role,
        team_id=done.team_id,
        program_id=done.program_id,
        server_time_ms=now_ms(),
    )


@router.post("/v1/enrollments", response_model=EnrollmentOut)
def create_enrollment(
    body: CreateEnrollmentRequest,
    request: Request,
    db: Db,
    url: PublicUrl,
    dev: Annotated[DeviceContext, Depends(ProgramWide("only supervisors and admins enroll devices"))],
) -> EnrollmentOut:
    user = accounts.user_in_program(db, body.user_id, dev.program_id)
    if user is None:
        raise ApiError(404, ErrorCode.NOT_FOUND, "no such user in your program")
    if not accounts.may_enroll(dev, *user):
        raise ApiError(403, ErrorCode.FORBIDDEN, "supervisors enroll their teams' and their own devices")
    try:
        made = accounts.create_enrollment(
            db,
            body.user_id,
            url,
            ttl=timedelta(minutes=body.ttl_minutes),
            created_by=dev.user_id,
            insecure_http=request.app.state.insecure_http,
        )
    except ValueError as exc:  # the service is reached over plain http: no code goes out that way
        raise ApiError(409, ErrorCode.INVALID_REQUEST, f"no enrollment code made: {exc}") from None
    audit.record(db, dev, audit.CREATED_ENROLLMENT, "account", body.user_id)
    return EnrollmentOut(code=made.code, uri=made.uri, expires_at=made.expires_at.isoformat())
