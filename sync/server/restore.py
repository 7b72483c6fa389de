"""An admin's restore of an erased person (``teren-sync restore-erased``): the one way a contact
leaves the erased list (``erased_contact``) once a push has erased it.

What it does, and no more: the contact's ``erased_at`` is cleared on the service under a fresh HLC
(later than its erasure), so every device clears it at its next pull, and the contact leaves
``erased_contact``; from then on its fields may be filled in again and records naming it keep their
notes. What the erasure removed is NOT brought back: it is gone from the service and from every
device. An entry ``restored_erasure`` goes to the program's audit log under the admin's account.
Meant for an erasure made by mistake (the wrong person), decided by the program's admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from fieldapp.model.enums import Role
from sync import hlc as hlcs_
from sync.server import audit
from sync.server import tables as t
from sync.server.clock import now_ms
from sync.server.db import Database
from sync.server.erasure import SERVER_NODE
from sync.server.record_rows import stored_records, update_records


@dataclass(frozen=True)
class Restored:
    contact_id: str
    program_id: str
    #: When the erasure had been made (the cleared ``erased_at``), and the change's seq.
    erased_at: str
    seq: int


def restore_erased(db: Database, contact_id: str, admin_id: str) -> Restored:
    """Take ``contact_id`` off the erased list on behalf of ``admin_id`` (an admin of its program).
    ValueError, with nothing changed, when there is no such erased contact or no such admin."""
    with db.write(serial=True) as conn:
        # Under the change counter's lock, as a push: the new seq commits in order.
        seq = conn.execute(
            sa.select(t.counter.c.value).where(t.counter.c.name == "change").with_for_update()
        ).scalar_one()
        row = stored_records(conn, {"contact": {contact_id}}).get(("contact", contact_id))
        if row is None:
            raise ValueError(f"no contact {contact_id}")
        admin = conn.execute(
            sa.select(t.account.c.role, t.account.c.program_id).where(t.account.c.id == admin_id)
        ).first()
        if admin is None or admin.role != Role.ADMIN.value or admin.program_id != row["program_id"]:
            raise ValueError(f"{admin_id} is no admin of the contact's program")
        erased_at = row["data"].get("erased_at")
        listed = conn.execute(sa.select(t.erased_contact.c.id).where(t.erased_contact.c.id == contact_id))
        if not erased_at and listed.first() is None:
            raise ValueError(f"contact {contact_id} is not erased")
        seq += 1
        stamp = _after(row["hlcs"].get("erased_at", row["base_hlc"]))
        row["data"] = {**row["data"], "erased_at": None}
        row["hlcs"] = {**row["hlcs"], "erased_at": stamp}
        row["field_seqs"] = {**row["field_seqs"], "erased_at": seq}
        row.update(updated_hlc=max(row["updated_hlc"], stamp), seq=seq)
        update_records(conn, [row])
        conn.execute(sa.update(t.counter).where(t.counter.c.name == "change").values(value=seq))
        conn.execute(sa.delete(t.erased_contact).where(t.erased_contact.c.id == contact_id))
        entry = audit.admin_row(
            row["program_id"], admin_id, audit.RESTORED_ERASURE, "contact", contact_id, datetime.now(UTC)
        )
        conn.execute(sa.insert(t.audit), [entry])
    return Restored(contact_id, row["program_id"], str(erased_at or ""), seq)


def _after(stamp: str) -> str:
    """An HLC of the service's clock, later than ``stamp`` even if that one is ahead of it."""
    wall, counter = now_ms(), 0
    if hlcs_.is_valid(stamp):
        last = hlcs_.decode(stamp)
        if last.wall_ms >= wall:
            wall, counter = last.wall_ms, last.counter + 1
            if counter > hlcs_.MAX_COUNTER:
                wall, counter = wall + 1, 0
    return hlcs_.encode(wall, counter, SERVER_NODE)
