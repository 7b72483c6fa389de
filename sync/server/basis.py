"""Notes follow the person's basis, on the service too (RODO art. 6, 9): a visit or a task that names
a natural person whose newest consent does not let their data be kept (refused, withdrawn, given
without "store") loses its personal fields (notes, next step, a task's note) as it is written —
whatever the device that sent it checked or did not. A person with no consent record at all (data
from an app older than consents) is left as it is: the device refuses notes about them, and the
retention rules erase them after their period.

``consent_basis`` holds each person's newest consent (kept here in the push's transaction); the
person's kind comes from the batch or the stored contact. A record reset here gets fresh service
HLCs (``erasure.reset_personal``), so the device that sent it pulls the empty values back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.model.registry import RECORD_TYPES
from sync.server import tables as t
from sync.server.erasure import personal_defaults, reset_personal
from sync.server.record_rows import stored_records

Key = tuple[str, str]
#: Record types whose personal fields are about the contact they name.
ABOUT_A_PERSON = ("visit", "task")


def _newer(row: dict[str, Any], known: tuple[str, str] | None) -> bool:
    return known is None or (str(row["data"].get("given_at") or ""), row["base_hlc"]) > known


def note_consents(conn: sa.Connection, rows: dict[Key, dict[str, Any]], written: Iterable[Key]) -> None:
    """Keep ``consent_basis`` current with the consents this batch wrote."""
    consents = [rows[key] for key in written if key[0] == "consent" and not rows[key]["deleted"]]
    consents = [r for r in consents if isinstance(r["data"].get("contact_id"), str)]
    if not consents:
        return
    ids = sorted({r["data"]["contact_id"] for r in consents})
    known = {
        row.contact_id: (row.given_at, row.base_hlc)
        for row in conn.execute(
            sa.select(t.consent_basis.c.contact_id, t.consent_basis.c.given_at, t.consent_basis.c.base_hlc)
            .where(t.consent_basis.c.contact_id.in_(ids))
        )
    }
    newest: dict[str, dict[str, Any]] = {}
    for row in consents:
        contact_id = row["data"]["contact_id"]
        current = newest.get(contact_id)
        floor = (current["given_at"], current["base_hlc"]) if current else known.get(contact_id)
        if _newer(row, floor):
            data = row["data"]
            newest[contact_id] = {
                "contact_id": contact_id,
                "given_at": str(data.get("given_at") or ""),
                "base_hlc": row["base_hlc"],
                "stores": data.get("status") == "given" and bool(data.get("scope_store")),
            }
    if newest:
        conn.execute(sa.delete(t.consent_basis).where(t.consent_basis.c.contact_id.in_(sorted(newest))))
        conn.execute(sa.insert(t.consent_basis), list(newest.values()))


def forget_unconsented_notes(
    conn: sa.Connection, rows: dict[Key, dict[str, Any]], written: Iterable[Key]
) -> set[Key]:
    """Reset the personal fields of the written visits and tasks that name a natural person whose
    data may not be kept; the keys reset (their conflict-log rows must go too)."""
    named: dict[Key, str] = {}
    for key in written:
        if key[0] not in ABOUT_A_PERSON:
            continue
        data = rows[key]["data"]
        contact_id = data.get("contact_id")
        defaults = personal_defaults(RECORD_TYPES[key[0]])
        if isinstance(contact_id, str) and any(data.get(n, d) != d for n, d in defaults.items()):
            named[key] = contact_id
    if not named:
        return set()
    ids = set(named.values())
    kinds = {key[1]: row["data"].get("kind") for key, row in rows.items() if key[0] == "contact"}
    missing = ids - kinds.keys()
    if missing:
        stored = stored_records(conn, {"contact": missing})
        kinds.update({key[1]: row["data"].get("kind") for key, row in stored.items()})
    people = {cid for cid in ids if kinds.get(cid) in NATURAL_PERSON_KINDS}
    if not people:
        return set()
    refused = {
        row.contact_id
        for row in conn.execute(
            sa.select(t.consent_basis.c.contact_id)
            .where(t.consent_basis.c.contact_id.in_(sorted(people)))
            .where(t.consent_basis.c.stores.is_(False))
        )
    }
    reset_keys: set[Key] = set()
    for key, contact_id in named.items():
        if contact_id not in refused:
            continue
        row = rows[key]
        stamps = dict(row["hlcs"])
        reset = reset_personal(RECORD_TYPES[key[0]], row["data"], stamps, row["base_hlc"], row["updated_hlc"])
        if reset:
            row["hlcs"] = stamps
            row["updated_hlc"] = max([row["updated_hlc"], *stamps.values()])
            row["field_seqs"] = {**row["field_seqs"], **dict.fromkeys(reset, row["seq"])}
            reset_keys.add(key)
    return reset_keys
