"""A lost or stolen phone, reported by the coordinator: the service revokes it (it wipes its data
at its next contact) and the breach register gets the entry with its 72-hour timeline
(``fieldapp.services.rodo.breaches``). Offline, the entry is still made, without ``revoked_at``:
the coordinator revokes again when connected."""

from __future__ import annotations

import logging
from datetime import datetime

from fieldapp.model import Breach, utcnow
from fieldapp.services.rodo.breaches import register_breach
from fieldapp.sync.engine import SyncEngine
from fieldapp.sync.errors import SyncError

log = logging.getLogger(__name__)


def report_lost_device(
    engine: SyncEngine, device_ref: str, *, description: str = "", noticed_at: datetime | None = None
) -> Breach:
    """Revoke the service's device ``device_ref`` and register the breach."""
    revoked_at = None
    try:
        engine.call("POST", f"/v1/devices/{device_ref}/revoke")
        revoked_at = utcnow()
    except SyncError as exc:
        log.warning("the lost device could not be revoked now: %s", exc.code)
    return register_breach(
        engine.store,
        {
            "kind": "lost_device",
            "device_ref": device_ref,
            "description": description,
            "noticed_at": noticed_at or utcnow(),
            "revoked_at": revoked_at,
        },
    )
