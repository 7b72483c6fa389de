"""What a push reads from a real device store: every field in its wire form, whole or edited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from fieldapp.model import Contact, Visit
from fieldapp.model.action import NeighbourhoodAction
from fieldapp.model.base import SyncedRecord
from fieldapp.model.registry import to_wire
from fieldapp.store import Store
from fieldapp.store.db import raw
from fieldapp.sync.outgoing import group_outbox, read_changes


def _queued(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = raw(conn).execute("SELECT seq, record_type, record_id, fields FROM outbox ORDER BY seq")
        return group_outbox(rows.fetchall())


def _read(store: Store, model: type[SyncedRecord], ids: list[str]) -> dict[str, dict[str, Any]]:
    groups = _queued(store)
    with store.engine.connect() as conn:
        # Round trip through JSON: the changes are what the service receives.
        changes = orjson.loads(orjson.dumps(list(read_changes(raw(conn), model, ids, groups))))
    return {change["id"]: change for change in changes}


def _assert_sent_as_stored(record: SyncedRecord, fields: dict[str, Any]) -> None:
    """The record's fields as the service reads them: wire values, datetimes as instants (the store
    keeps ISO text in more than one spelling; the service normalises it)."""
    expected, got = {}, {}
    for name in (*type(record).data_fields(), "deleted"):
        value = getattr(record, name)
        if isinstance(value, datetime):
            expected[name], got[name] = value, datetime.fromisoformat(fields[name])
        else:
            expected[name], got[name] = orjson.loads(orjson.dumps(to_wire(value))), fields[name]
    assert got == expected


def test_new_records_go_whole_with_every_field_in_wire_form(tmp_path: Path) -> None:
    store = Store(tmp_path / "device.db")
    contact = Contact(
        kind="resident", name="Zofia Wróbel", street="Piotrkowska", house_number="12",
        lat=51.759248512345678, lon=19.456789123456789, do_not_knock=True, tags="seniorzy,ogród",
    )  # fmt: skip
    visit = Visit(
        contact_id=contact.id, street="Piotrkowska", house_number="12", outcome="talked",
        visited_at=datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC),
    )  # fmt: skip
    action = NeighbourhoodAction(
        title="Ławki na podwórku", need_ids=["n1", "n2"], starts_on=date(2027, 4, 1),
        grant_requested_gr=250000,
    )  # fmt: skip
    with store.write() as conn:
        for record in (contact, visit, action):
            store.save(conn, record)

    for model, record in ((Contact, contact), (Visit, visit), (NeighbourhoodAction, action)):
        change = _read(store, model, [record.id])[record.id]
        assert change["full"] is True and "op" not in change
        assert change["fields"].keys() == {*type(record).data_fields(), "deleted"}
        _assert_sent_as_stored(record, change["fields"])
        assert change["hlcs"] == {}  # every field shares the base HLC
        assert change["base_hlc"] == record.base_hlc
        assert datetime.fromisoformat(change["created_at"]) == record.created_at
        assert (change["author_id"], change["device_id"]) == (record.author_id, store.device_id)
    # Floats go out exactly (no rounding to 15 digits).
    assert _read(store, Contact, [contact.id])[contact.id]["fields"]["lat"] == 51.759248512345678


def test_an_edit_sends_only_its_fields_with_their_hlcs(tmp_path: Path) -> None:
    store = Store(tmp_path / "device.db")
    contact = Contact(kind="resident", name="Jan", street="Zielona", house_number="3")
    with store.write() as conn:
        store.save(conn, contact)
    with store.engine.connect() as conn:
        raw(conn).execute("DELETE FROM outbox")  # the creation was acknowledged
        conn.commit()
    contact.phone, contact.do_not_knock = "+48 600 100 200", True
    with store.write() as conn:
        store.save(conn, contact, ["phone", "do_not_knock"])
    change = _read(store, Contact, [contact.id])[contact.id]
    assert change["fields"] == {"phone": "+48 600 100 200", "do_not_knock": True}
    edited = contact.field_hlcs["phone"]
    assert change["hlcs"] == {"phone": edited, "do_not_knock": edited}
    assert change["hlcs"]["phone"] > contact.base_hlc
    assert "full" not in change

    with store.write() as conn:
        store.delete(conn, contact)
    change = _read(store, Contact, [contact.id])[contact.id]
    assert change["op"] == "delete" and change["fields"]["deleted"] is True


def test_records_gone_from_the_device_are_left_out(tmp_path: Path) -> None:
    store = Store(tmp_path / "device.db")
    contacts = [Contact(kind="resident", name=f"Osoba {n}") for n in range(3)]
    with store.write() as conn:
        for contact in contacts:
            store.save(conn, contact)
        raw(conn).execute("DELETE FROM contact WHERE id = ?", (contacts[1].id,))
    found = _read(store, Contact, [c.id for c in contacts])
    assert set(found) == {contacts[0].id, contacts[2].id}
