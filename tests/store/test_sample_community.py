"""The demo's community sample: a place with its stages, partners, rooms and bookings (one clash),
self-assessments, OWES activities and an edition — every record keeping the rules the service
holds it to, and all of it in the report."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from fieldapp.model.registry import RECORD_TYPES
from fieldapp.model.rules import record_errors
from fieldapp.reports import build_report
from fieldapp.sample import fill
from fieldapp.sample.community import write_community
from fieldapp.services.places import bookings, clashes, list_places
from fieldapp.services.validation import wire_of
from fieldapp.store import Store

TODAY = date(2026, 11, 20)


def test_the_community_sample_keeps_the_rules_and_reaches_the_report(store: Store) -> None:
    fill(store, contacts=60, visits=100, zones=1)
    made = write_community(store, today=TODAY)
    [place] = list_places(store)
    rows = bookings(store, place.id)
    assert len(rows) == made["bookings"] == 8
    assert len(clashes(rows)) == 2
    with store.engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(text("SELECT DISTINCT record_type FROM outbox"))]
    with store.read() as session:
        for kind in kinds:
            model = RECORD_TYPES[kind]
            for record in session.exec(model.__table__.select()).all():  # type: ignore[attr-defined]
                row = model.model_validate(dict(record._mapping))
                assert record_errors(kind, None, wire_of(row)) == [], (kind, row)
    start, end = TODAY - timedelta(days=30), TODAY + timedelta(days=7)
    report = build_report(store, start=start, end=end, zone_ids=None)
    assert report["places"].bookings[0].clashing == 2
    assert report["owes"].activities == 4 and report["owes"].consultations == 1
