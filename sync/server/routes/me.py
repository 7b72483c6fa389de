"""``GET /v1/me``: who the token belongs to, and the service's clock."""

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import MeResponse
from sync.server.clock import now_ms
from sync.server.deps import Device

router = APIRouter(tags=["me"])


@router.get("/v1/me", response_model=MeResponse)
def me(dev: Device) -> MeResponse:
    return MeResponse(
        user_id=dev.user_id,
        user_name=dev.user_name,
        role=dev.role,
        team_id=dev.team_id,
        program_id=dev.program_id,
        device_id=dev.client_device_id,
        server_time_ms=now_ms(),
    )
