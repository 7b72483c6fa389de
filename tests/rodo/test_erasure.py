"""Erasure (RODO art. 17) on one device, checked in the file's bytes, every table and the counts."""

from __future__ import annotations

import re
import sqlite3

import pytest

from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.i18n import error_text, errors_by_field
from fieldapp.model import Contact, Visit
from fieldapp.services.cooperation import meeting_summary
from fieldapp.services.reviews import return_entry, review_of
from fieldapp.services.rodo import entries, erase_person, settle_erasures
from fieldapp.services.rodo.erasure import _unsettled_sql
from fieldapp.store import Store
from tests.cooperation.helpers import outbox
from tests.rodo.helpers import NAME, byte_hits, outcome_counts, person_with_everything, table_hits


@pytest.fixture
def store(store: Store) -> Store:
    """A supervisor's device (only supervisors and admins erase)."""
    store.set_meta("user.role", "supervisor")
    return store


def test_erasure_leaves_no_trace_but_keeps_counts(store: Store) -> None:
    person = person_with_everything(store)
    return_entry(store, "visit", person.visits[1].id, f"Dopisz telefon {NAME}")
    assert table_hits(store.path) and byte_hits(store.path), "the person must be stored before the erasure"
    counts, head_count = outcome_counts(store.path), meeting_summary(store, person.meeting.id).head_count
    assert store.search_contacts("Kwiatkowski")

    result = erase_person(store, person.contact.id, by="supervisor-1")

    assert result.purged and result.visits == 3 and result.consents == 1 and result.resources == 1
    assert table_hits(store.path) == []
    assert byte_hits(store.path) == []
    assert outcome_counts(store.path) == counts
    assert meeting_summary(store, person.meeting.id).head_count == head_count
    erased = store.get(Contact, person.contact.id)
    assert erased is not None and erased.erased_at is not None and not erased.deleted
    assert (erased.kind, erased.street, erased.house_number, erased.address) == (
        "resident",
        "Zielona",
        "7",
        "Zielona 7",
    )
    assert store.search_contacts("Kwiatkowski") == [] and store.search_contacts("Zielona") == []
    visit = store.get(Visit, person.visits[0].id)
    assert visit is not None and visit.outcome == "not_home" and visit.contact_id == person.contact.id
    review = review_of(store, "visit", person.visits[1].id)
    assert review is not None and review.state == "returned" and review.comment == ""
    # The neighbour is untouched.
    assert store.search_contacts("Nowak")[0].id == person.neighbour.id
    # The audit log names ids only.
    [entry] = entries(store, actions=["erased"])
    assert (entry.actor, entry.target_type, entry.target_id) == ("supervisor-1", "contact", person.contact.id)


def test_outbox_fields_of_the_erasure(store: Store) -> None:
    person = person_with_everything(store)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("DELETE FROM outbox")
        conn.commit()
    erase_person(store, person.contact.id, by="admin-1")
    fields: dict[tuple[str, str], set[str]] = {}
    for record_type, record_id, names in outbox(store):
        fields.setdefault((record_type, record_id), set()).update(names)
    assert {"name", "phone", "email", "flat", "notes", "needs", "address", "erased_at"} <= fields[
        ("contact", person.contact.id)
    ]
    for visit in person.visits:
        assert {"notes"} <= fields[("visit", visit.id)]
    assert [names for (kind, _), names in fields.items() if kind == "consent"] == [{"note"}]


def test_erasure_needs_who_and_an_existing_contact(store: Store) -> None:
    person = person_with_everything(store)
    with pytest.raises(ValidationFailed) as failed:
        erase_person(store, person.contact.id, by=" ")
    assert failed.value.errors[0].code == "rodo_by_required"
    assert "usunięcia" in errors_by_field(failed.value)["by"]
    with pytest.raises(NotFound):
        erase_person(store, "no-such-contact", by="admin-1")
    store.set_meta("user.role", "animator")
    with pytest.raises(ValidationFailed) as failed:
        erase_person(store, person.contact.id, by="anim-1")
    assert [e.code for e in failed.value.errors] == ["rodo_not_allowed"]
    assert "koordynator" in error_text(failed.value.errors[0])
    assert store.get(Contact, person.contact.id).name == NAME  # type: ignore[union-attr]


def test_settling_clears_what_arrives_about_an_erased_person(store: Store) -> None:
    person = person_with_everything(store)
    erase_person(store, person.contact.id, by="admin-1")
    assert settle_erasures(store) == 0 and store.meta("rodo.purged_erasures") == "1"
    # As a pull would: a late note on a visit and a consent, written without the service layer.
    visit = store.get(Visit, person.visits[2].id)
    assert visit is not None
    visit.notes = f"{NAME} znowu"
    with store.write() as conn:
        store.save(conn, visit, ["notes"])
    assert table_hits(store.path)
    assert settle_erasures(store) == 1
    assert table_hits(store.path) == [] and byte_hits(store.path) == []
    assert ("visit", visit.id, ["notes"]) in outbox(store)  # the clearing syncs
    assert [e.action for e in entries(store)] == ["erased"]  # settling is not a new erasure


def test_a_reader_holding_the_wal_delays_the_purge_until_settling(store: Store) -> None:
    person = person_with_everything(store)
    reader = sqlite3.connect(store.path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM contact").fetchone()  # a snapshot the WAL must keep
    try:
        result = erase_person(store, person.contact.id, by="supervisor-1")
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert not result.purged and store.meta("rodo.purged_erasures") is None
    assert table_hits(store.path) == []
    assert settle_erasures(store) == 0  # nothing to clear again, but the purge is done now
    assert byte_hits(store.path) == [] and store.meta("rodo.purged_erasures") == "1"


def test_settling_after_a_sync_reads_only_the_erased_contacts(store: Store) -> None:
    """After every sync the device looks for erased people something still names, and counts them:
    both through migration 0011's index of erased contacts, not a scan of every contact."""
    with store.engine.connect() as conn:
        for sql in (_unsettled_sql(), "SELECT count(*) FROM contact WHERE erased_at IS NOT NULL"):
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
            scans = [str(row[-1]) for row in plan if re.match(r"(SCAN|SEARCH) (c|contact)\b", str(row[-1]))]
            assert scans and all("ix_contact_erased" in scan for scan in scans), plan
