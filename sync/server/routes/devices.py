"""The program's devices, for supervisors and admins: the list (``GET /v1/devices``) and revoking
a lost phone (``POST /v1/devices/{device_id}/revoke``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from sync.protocol import DeviceOut, ErrorCode
from sync.server import accounts, audit
from sync.server.accounts import DeviceContext
from sync.server.deps import Db, ProgramWide
from sync.server.errors import ApiError

router = APIRouter(tags=["devices"])


@router.get("/v1/devices", response_model=list[DeviceOut])
def list_devices(
    dev: Annotated[DeviceContext, Depends(ProgramWide("devices are for supervisors"))], db: Db
) -> list[DeviceOut]:
    listed = [
        DeviceOut.model_validate({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()})
        for row in accounts.devices(db, program_id=dev.program_id)
    ]
    audit.record(db, dev, audit.LISTED_DEVICES, "device_list", dev.program_id)
    return listed


@router.post("/v1/devices/{device_id}/revoke")
def revoke_device(
    device_id: str,
    dev: Annotated[DeviceContext, Depends(ProgramWide("only supervisors and admins revoke devices"))],
    db: Db,
) -> dict[str, int]:
    """A lost phone: it is told to wipe its data on its next contact."""
    if not accounts.may_revoke(dev, accounts.owner_roles(db, device_id, dev.program_id)):
        raise ApiError(403, ErrorCode.FORBIDDEN, "only an admin revokes an admin's device")
    count = accounts.revoke(db, device_id, program_id=dev.program_id)
    if not count:
        raise ApiError(404, ErrorCode.NOT_FOUND, "no such active device in your program")
    audit.record(db, dev, audit.REVOKED_DEVICE, "device", device_id)
    return {"revoked": count}
