"""Retention that runs on the service, the authority (RODO art. 5(1)(e)): per kind of data, what is
older than its period is erased here, and every device follows at its next sync.

- Natural persons without a current consent to store their data, once their contact is older than
  ``no_consent_days`` (the data was collected at the door, the person did not agree to keep it).
- Natural persons whose consent expired: given more than ``consent_days`` ago and not renewed.
- Deleted contacts (tombstones) past ``deleted_days`` of grace: their personal data goes too, so a
  "Usuń kontakt" is a real deletion, not a tombstone keeping everything forever. The tombstone row
  itself stays, without anything personal, so every device still learns of the deletion.
- The conflict log and the audit log, after ``log_days``.

A person is erased exactly as a device's erasure does it (``sync.server.erasure``): personal fields
reset to their defaults under fresh service HLCs, ``erased_at`` set, the contact listed in
``erased_contact`` (so later pushes cannot bring the data back), the records that name the person
reset too, the conflict log's rows about them deleted. Devices pull the erased contact and settle it
(``fieldapp.services.rodo.settle_erasures``). Statistics stay: the rows, with kinds, outcomes and
zones, remain as anonymous counts. Each erasure is logged (``anonymised``) under the actor
``system:retention``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.model.registry import RECORD_TYPES
from sync import hlc as hlcs_
from sync.server import tables as t
from sync.server.db import Database
from sync.server.erasure import reset_personal
from sync.server.record_rows import COLUMNS, update_records
from sync.server.restore import _after

log = logging.getLogger(__name__)

ACTOR = "system:retention"
ANONYMISED = "anonymised"


@dataclass(frozen=True)
class RetentionRules:
    """The periods, in days (the serve settings ``retention_*``)."""

    no_consent_days: int = 180
    consent_days: int = 1095
    deleted_days: int = 30
    log_days: int = 365


@dataclass(frozen=True)
class RetentionResult:
    erased: tuple[str, ...]
    records_reset: int
    conflicts_deleted: int
    audit_deleted: int


def _rows(conn: sa.Connection, record_type: str) -> list[dict[str, Any]]:
    found = conn.execute(sa.select(*(t.record.c[name] for name in COLUMNS)).where(
        t.record.c.record_type == record_type
    ))
    rows = []
    for values in found:
        row = dict(zip(COLUMNS, values, strict=True))
        for name in ("data", "hlcs", "field_seqs"):
            if isinstance(row[name], str | bytes):
                row[name] = orjson.loads(row[name])
        rows.append(row)
    return rows


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stamp_moment(stamp: str) -> datetime | None:
    return datetime.fromtimestamp(hlcs_.wall_ms(stamp) / 1000, UTC) if hlcs_.is_valid(stamp) else None


def _latest_consents(conn: sa.Connection) -> dict[str, dict[str, Any]]:
    """Each contact's newest live consent (as the devices decide it: ``given_at``, then HLC)."""
    latest: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {}
    for row in _rows(conn, "consent"):
        data = row["data"]
        if row["deleted"] or not isinstance(data.get("contact_id"), str):
            continue
        key = (str(data.get("given_at") or ""), row["base_hlc"])
        if data["contact_id"] not in latest or key > latest[data["contact_id"]][0]:
            latest[data["contact_id"]] = (key, data)
    return {contact_id: data for contact_id, (_key, data) in latest.items()}


def expired(
    row: dict[str, Any], consent: dict[str, Any] | None, rules: RetentionRules, now: datetime
) -> bool:
    """Whether a stored contact's personal data is past its retention period."""
    data = row["data"]
    if data.get("erased_at"):
        return False
    if row["deleted"]:
        deleted_at = _stamp_moment(row["hlcs"].get("deleted", row["updated_hlc"]))
        return deleted_at is not None and deleted_at < now - timedelta(days=rules.deleted_days)
    if data.get("kind") not in NATURAL_PERSON_KINDS:
        return False
    stores = consent is not None and consent.get("status") == "given" and bool(consent.get("scope_store"))
    if stores:
        given = _moment(consent.get("given_at")) if consent else None
        return given is not None and given < now - timedelta(days=rules.consent_days)
    created = _moment(row["created_at"])
    return created is not None and created < now - timedelta(days=rules.no_consent_days)


def run_retention(db: Database, rules: RetentionRules, now: datetime | None = None) -> RetentionResult:
    """One pass of every rule, in one transaction under the change counter's lock (as a push)."""
    now = now or datetime.now(UTC)
    with db.write(serial=True) as conn:
        seq = conn.execute(
            sa.select(t.counter.c.value).where(t.counter.c.name == "change").with_for_update()
        ).scalar_one()
        consents = _latest_consents(conn)
        contact_model = RECORD_TYPES["contact"]
        changed: list[dict[str, Any]] = []
        erased: list[dict[str, Any]] = []
        for row in _rows(conn, "contact"):
            if not expired(row, consents.get(row["id"]), rules, now):
                continue
            seq += 1
            stamps = dict(row["hlcs"])
            stamp = _after(max([row["updated_hlc"], *stamps.values()]))
            row["data"] = {**row["data"], "erased_at": now.isoformat()}
            stamps["erased_at"] = stamp
            reset = reset_personal(contact_model, row["data"], stamps, row["base_hlc"], stamp)
            row["hlcs"] = stamps
            row["field_seqs"] = {**row["field_seqs"], **dict.fromkeys(["erased_at", *reset], seq)}
            row.update(updated_hlc=max([row["updated_hlc"], *stamps.values()]), seq=seq)
            changed.append(row)
            erased.append(row)
        ids = {row["id"] for row in erased}
        records_reset = 0
        if ids:
            for record_type, model in RECORD_TYPES.items():
                names_person = "contact_id" in model.model_fields and model.personal_fields
                if record_type == "contact" or not names_person:
                    continue
                for row in _rows(conn, record_type):
                    if row["data"].get("contact_id") not in ids:
                        continue
                    stamps = dict(row["hlcs"])
                    floor = _after(max([row["updated_hlc"], *stamps.values()]))
                    reset = reset_personal(model, row["data"], stamps, row["base_hlc"], floor)
                    if not reset:
                        continue
                    seq += 1
                    row["hlcs"] = stamps
                    row["field_seqs"] = {**row["field_seqs"], **dict.fromkeys(reset, seq)}
                    row.update(updated_hlc=max([row["updated_hlc"], *stamps.values()]), seq=seq)
                    changed.append(row)
                    records_reset += 1
        if changed:
            update_records(conn, changed)
            conn.execute(sa.update(t.counter).where(t.counter.c.name == "change").values(value=seq))
        if ids:
            known = set(conn.execute(sa.select(t.erased_contact.c.id)).scalars())
            new = sorted(ids - known)
            if new:
                conn.execute(sa.insert(t.erased_contact), [{"id": i} for i in new])
            conn.execute(sa.delete(t.conflict).where(t.conflict.c.record_id.in_(sorted(ids))))
            conn.execute(sa.insert(t.audit), [_entry(row, now) for row in erased])
        cutoff = now - timedelta(days=rules.log_days)
        conflicts = conn.execute(sa.delete(t.conflict).where(t.conflict.c.created_at < cutoff)).rowcount
        audits = conn.execute(sa.delete(t.audit).where(t.audit.c.at < cutoff)).rowcount
    if ids or conflicts or audits:
        log.info("retention: %d people erased, %d records reset, %d conflict and %d audit entries deleted",
                 len(ids), records_reset, conflicts, audits)
    return RetentionResult(tuple(sorted(ids)), records_reset, conflicts or 0, audits or 0)


def _entry(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    import uuid

    return {
        "entry_key": f"svc:{uuid.uuid4().hex}",
        "program_id": row["program_id"],
        "at": now,
        "recorded_at": now,
        "actor_id": ACTOR,
        "actor_role": "system",
        "device_id": None,
        "action": ANONYMISED,
        "target_type": "contact",
        "target_id": row["id"],
        "source": "service",
    }


async def retention_loop(db: Database, rules: RetentionRules, every_s: float) -> None:
    """Run the rules at start and then every ``every_s`` seconds, off the event loop; a failed pass
    is logged and tried again at the next turn."""
    import asyncio

    while True:
        try:
            await asyncio.to_thread(run_retention, db, rules)
        except Exception:
            log.exception("retention pass failed")
        await asyncio.sleep(every_s)
