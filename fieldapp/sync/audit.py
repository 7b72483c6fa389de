"""The device's local audit log (``fieldapp.services.rodo.audit``) goes to the service; supervisors read the
program's log back.

``upload_audit`` runs in every sync, right after the push: entries newer than the last one the
service acknowledged are sent in batches (``POST /v1/audit``), and the highest acknowledged local id
is kept in the store's meta. The service stores each entry once (key: the device and the local id),
so a batch sent again after a lost answer changes nothing. An upload that fails never fails the
sync: the entries stay local and go with the next sync.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any, Protocol

from fieldapp.store.db import Store

log = logging.getLogger(__name__)

#: Meta key: the highest local audit id the service has acknowledged.
K_UPLOADED = "audit.uploaded_id"
#: Entries per request (the service's cap, ``sync.server.audit.MAX_UPLOAD``).
BATCH = 500
#: What the service accepts as an id and an action (``sync.server.audit``): no free text.
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_ACTION = re.compile(r"[a-z_]{1,40}")


class Caller(Protocol):
    """The parts of ``fieldapp.sync.engine.SyncEngine`` used here."""

    store: Store
    lock: threading.Lock

    def call(self, method: str, path: str, **kwargs: Any) -> Any: ...


def pending(store: Store, after: int, limit: int = BATCH) -> list[dict[str, Any]]:
    """Local entries with an id above ``after``, oldest first, in the upload's wire form."""
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, at, action, target_type, target_id FROM audit WHERE id > ? ORDER BY id LIMIT ?",
            (after, limit),
        ).all()
    return [{"id": r[0], "at": r[1], "action": r[2], "target_type": r[3], "target_id": r[4]} for r in rows]


def _uploadable(entry: dict[str, Any]) -> bool:
    """What the service would refuse stays local (one refused entry would block all later ones)."""
    return bool(
        _ACTION.fullmatch(entry["action"])
        and _ID.fullmatch(entry["target_type"])
        and _ID.fullmatch(entry["target_id"])
    )


def upload_audit(engine: Caller) -> int:
    """Send the local entries the service has not acknowledged; how many were sent. Never raises."""
    store = engine.store
    sent = 0
    try:
        after = int(store.meta(K_UPLOADED) or 0)
        while batch := pending(store, after):
            entries = [e for e in batch if _uploadable(e)]
            if entries:
                engine.call("POST", "/v1/audit", json={"entries": entries})
            after = batch[-1]["id"]
            store.set_meta(K_UPLOADED, str(after))
            sent += len(entries)
    except Exception as exc:  # e.g. an older service without /v1/audit, or the network went away
        log.warning("the audit log was not uploaded (%s); the next sync tries again", exc)
    return sent


def fetch_audit(engine: Caller, **params: Any) -> dict[str, Any]:
    """One page of the program's audit log (``GET /v1/audit``: supervisors and admins; others get
    ``SyncError`` ``forbidden``). ``params``: before, limit, actor, action, target_id, since, until."""
    query = {k: v for k, v in params.items() if v is not None}
    with engine.lock:
        return engine.call("GET", "/v1/audit", params=query)  # type: ignore[no-any-return]
