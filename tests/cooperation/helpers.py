"""Small builders for network tests: records written straight through the store's write path."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import text

from fieldapp.model import Contact, NeighbourhoodAction, Visit, Zone
from fieldapp.store import Store


def zone(store: Store, name: str = "SAS Bałuty") -> Zone:
    with store.write() as conn:
        return store.save(conn, Zone(name=name, kind="sas"))


def contact(store: Store, name: str, kind: str = "resident", **fields: Any) -> Contact:
    with store.write() as conn:
        return store.save(conn, Contact(kind=kind, name=name, **fields))


def visit(store: Store, contact_id: str, on: date, outcome: str = "talked") -> Visit:
    at = datetime(on.year, on.month, on.day, 12, tzinfo=UTC)
    with store.write() as conn:
        return store.save(conn, Visit(contact_id=contact_id, outcome=outcome, visited_at=at))


def action(store: Store, title: str, **fields: Any) -> NeighbourhoodAction:
    with store.write() as conn:
        return store.save(conn, NeighbourhoodAction(title=title, **fields))


def outbox(store: Store) -> list[tuple[str, str, list[str]]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT record_type, record_id, fields FROM outbox ORDER BY seq")).all()
    return [(r[0], r[1], json.loads(r[2])) for r in rows]
