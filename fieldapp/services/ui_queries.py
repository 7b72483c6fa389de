"""Small reads and one undo the screens need that the agreed service modules do not offer.

Kept apart from the store team's modules (this file belongs to the UI): plain functions over the
store, each one transaction, like the other services.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from fieldapp.model import Resource, Visit
from fieldapp.services.errors import NotFound
from fieldapp.store import Store


def streets_in_zone(store: Store, zone_id: str | None, limit: int = 12) -> list[str]:
    """Streets known in a zone (from its contacts and visits), the most used first.

    Offered as one-tap choices on the door-to-door screen.
    """
    sql = """
        SELECT street, count(*) AS n FROM (
            SELECT street FROM visit
            WHERE deleted = 0 AND street != '' AND (:zone IS NULL OR zone_id = :zone)
            UNION ALL
            SELECT street FROM contact
            WHERE deleted = 0 AND street != '' AND (:zone IS NULL OR zone_id = :zone)
        ) GROUP BY street ORDER BY n DESC, street LIMIT :limit
    """
    with store.engine.connect() as conn:
        return [row[0] for row in conn.execute(text(sql), {"zone": zone_id, "limit": limit})]


def undo_visit(store: Store, visit_id: str) -> None:
    """Take back a door-knock logged by mistake a moment ago (a tombstone that syncs)."""
    with store.write() as conn:
        visit = store.get(Visit, visit_id)
        if visit is None or visit.deleted:
            raise NotFound("visit", visit_id)
        store.delete(conn, visit)


def count_contacts(store: Store) -> int:
    """How many live contacts the device holds (the contact list's header)."""
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM contact WHERE deleted = 0")).scalar_one()


def resources_of(store: Store, diagnosis_id: str) -> list[Resource]:
    """A diagnosis's live resources, by group then name."""
    with store.read() as session:
        rows = session.exec(
            select(Resource)
            .where(Resource.diagnosis_id == diagnosis_id, Resource.deleted == False)  # noqa: E712
            .order_by(Resource.category, Resource.name)
        ).all()
    return list(rows)
