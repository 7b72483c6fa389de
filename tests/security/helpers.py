"""Request builders shared by the security tests."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sync import hlc


def contact_change(name: str = "Ala", record_id: str | None = None, *, full: bool = True) -> dict[str, Any]:
    stamp = hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(uuid.uuid4().hex))
    fields = {"kind": "resident", "name": name} if full else {"name": name}
    return {
        "record_type": "contact",
        "id": record_id or str(uuid.uuid4()),
        "fields": fields,
        "hlcs": dict.fromkeys(fields, stamp),
        "full": full,
        "base_hlc": stamp,
    }


def batch(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": list(changes)}
