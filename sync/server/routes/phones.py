"""Every phone's state: phones report theirs after each sync (``POST /v1/state``), a revoked phone
confirms its wipe (``POST /v1/wiped``), supervisors and admins read them all (``GET /v1/phones``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from sync.protocol import PhoneOut, PhoneReport
from sync.server import accounts, audit, phones
from sync.server.accounts import DeviceContext
from sync.server.deps import Db, Device, ProgramWide

router = APIRouter(tags=["devices"])


@router.post("/v1/state")
def report_state(dev: Device, db: Db, body: PhoneReport, request: Request) -> dict[str, bool]:
    phones.report(db, dev, body.model_dump(), request.headers)
    return {"stored": True}


@router.post("/v1/wiped")
def confirm_wipe(db: Db, authorization: Annotated[str | None, Header()] = None) -> dict[str, bool]:
    """The last request of a revoked phone: it wiped its data (its token works for this alone)."""
    phones.confirm_wipe(db, accounts.authenticate(db, authorization, allow_revoked=True))
    return {"stored": True}


@router.get("/v1/phones", response_model=list[PhoneOut])
def list_phones(
    dev: Annotated[DeviceContext, Depends(ProgramWide("the phones' view is for supervisors"))], db: Db
) -> list[PhoneOut]:
    listed = [PhoneOut.model_validate(row) for row in phones.phones(db, program_id=dev.program_id)]
    audit.record(db, dev, audit.LISTED_DEVICES, "device_list", dev.program_id)
    return listed
