import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from fieldapp.model import (
    Consent,
    Contact,
    Diagnosis,
    Need,
    NeighbourhoodAction,
    Resource,
    SyncedRecord,
    Visit,
    Zone,
)
from fieldapp.store import Store


def _outbox(store: Store) -> list[tuple[str, str, list[str]]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT record_type, record_id, fields FROM outbox ORDER BY seq")).all()
    return [(r[0], r[1], json.loads(r[2])) for r in rows]


def test_create_edit_delete_write_outbox_and_hlcs(store: Store) -> None:
    with store.write() as conn:
        contact = store.save(conn, Contact(kind="ngo", name="Stowarzyszenie Łąkowa"))
    with store.write() as conn:
        contact.name = "Stowarzyszenie Łąkowa 2"
        store.save(conn, contact, ["name"])
    with store.write() as conn:
        store.delete(conn, contact)

    saved = store.get(Contact, contact.id)
    assert saved is not None and saved.deleted and saved.name == "Stowarzyszenie Łąkowa 2"
    assert saved.field_hlc("name") > saved.base_hlc
    assert saved.field_hlc("deleted") > saved.field_hlc("name") == saved.field_hlcs["name"]
    assert saved.updated_hlc == saved.field_hlcs["deleted"]
    assert saved.device_id == store.device_id
    assert _outbox(store) == [
        ("contact", contact.id, ["*"]),
        ("contact", contact.id, ["name"]),
        ("contact", contact.id, ["deleted"]),
    ]
    assert store.search_contacts("lakowa") == []


def test_failed_transaction_writes_nothing(store: Store) -> None:
    try:
        with store.write() as conn:
            store.save(conn, Contact(kind="ngo", name="Fundacja Przykład"))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert store.search_contacts("fundacja") == []
    assert _outbox(store) == []


def test_device_id_and_clock_survive_reopen(tmp_path) -> None:
    first = Store(tmp_path / "d.db")
    with first.write() as conn:
        made = first.save(conn, Contact(kind="ngo", name="Klub Seniora"))
    first.close()
    again = Store(tmp_path / "d.db")
    assert again.device_id == first.device_id
    assert again.clock.now() > made.updated_hlc


NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
#: What ``insert`` and ``save`` stamp differently (each record's own) or take from the clock.
STAMPED = {"id", "created_at", "base_hlc", "updated_hlc"}


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Zone, {"name": "SAS", "workers": ["a", "b"], "radius_m": 500.0}),
        (Contact, {"kind": "ngo", "name": "Fundacja Łąkowa", "lat": 51.7, "lon": 19.4, "created_at": NOW}),
        (Consent, {"contact_id": "c", "status": "given", "given_at": NOW, "scope_store": True}),
        (Visit, {"outcome": "talked", "visited_at": NOW, "follow_up_on": NOW.date()}),
        (Diagnosis, {"zone_id": "z", "title": "D", "period_start": NOW.date(), "methods": ["interviews"]}),
        (Need, {"diagnosis_id": "d", "category": "Zieleń"}),
        (Resource, {"diagnosis_id": "d", "kind": "place", "category": "material", "name": "Podwórko"}),
        (NeighbourhoodAction, {"title": "Festyn", "grant_requested_gr": 250_000}),
    ],
)
def test_insert_writes_what_save_writes(store: Store, model: type[SyncedRecord], values: dict) -> None:
    """``insert`` (field values, no model instance) writes the row, outbox entry and search row that
    ``save`` writes for ``model(**values)``, defaults included."""
    store.set_user("ola")
    rows = [dict(values), dict(values)]
    with store.write() as conn:
        saved = store.save(conn, model(**values))
        store.insert(conn, model, rows)
    made = [store.get(model, row["id"]) for row in rows]
    expected = store.get(model, saved.id).model_dump(exclude=STAMPED)
    for record, row in zip(made, rows, strict=True):
        assert record is not None and record.model_dump(exclude=STAMPED) == expected
        assert record.base_hlc == record.updated_hlc == row["base_hlc"] > saved.updated_hlc
        assert (record.device_id, record.author_id, record.field_hlcs) == (store.device_id, "ola", {})
    assert made[0].base_hlc < made[1].base_hlc and made[0].id != made[1].id
    assert _outbox(store) == [(model.record_type, r.id, ["*"]) for r in (saved, *made)]
    if model is Contact:
        assert {c.id for c in store.search_contacts("lakowa")} == {saved.id, *(r.id for r in made)}
