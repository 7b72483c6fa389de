import json

from sqlalchemy import text

from fieldapp.model import Contact
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
