"""Sample data (``fieldapp.sample``): realistic, consistent with the rules, and synced like user data."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from fieldapp.errors import Errors
from fieldapp.geo.zones import shape_of, zone_shape_errors
from fieldapp.model import (
    Consent,
    Contact,
    Diagnosis,
    Need,
    NeighbourhoodAction,
    Resource,
    Visit,
    Zone,
)
from fieldapp.model.enums import ACTION_TRANSITIONS, NATURAL_PERSON_KINDS
from fieldapp.sample import fill, main
from fieldapp.services.consent import parse_consent
from fieldapp.services.contacts import CONTACT_PARSERS
from fieldapp.services.validation import parse
from fieldapp.store import Store, raw, search
from fieldapp.store.search import INDEXED
from fieldapp.store.text import fold
from sync.hlc import is_valid

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict]]:
    store = Store(tmp_path_factory.mktemp("sample") / "teren.db")
    summary = fill(store, contacts=400, visits=1600, seed=3, now=NOW)
    yield store, summary
    store.close()


def _all(store: Store, model: type) -> list:
    with store.read() as session:
        return list(session.exec(select(model)).all())


def test_summary_matches_the_database(filled: tuple[Store, dict]) -> None:
    store, summary = filled
    counts = {
        "zones": Zone,
        "contacts": Contact,
        "consents": Consent,
        "visits": Visit,
        "diagnoses": Diagnosis,
        "needs": Need,
        "resources": Resource,
        "actions": NeighbourhoodAction,
    }
    for key, model in counts.items():
        assert len(_all(store, model)) == summary[key], key
    assert summary["contacts"] == 400 and summary["visits"] == 1600 and summary["zones"] == 8
    assert sum(summary["by_kind"].values()) == 400 and sum(summary["by_outcome"].values()) == 1600
    assert json.loads(store.meta("sample.summary") or "{}")["seed"] == 3


def test_every_record_has_hlcs_and_an_outbox_entry(filled: tuple[Store, dict]) -> None:
    store, _ = filled
    with store.engine.connect() as conn:
        db = raw(conn)
        outbox: dict[tuple[str, str], list[tuple[list[str], str]]] = {}
        for record_type, record_id, fields, hlc in db.execute(
            "SELECT record_type, record_id, fields, hlc FROM outbox"
        ):
            outbox.setdefault((record_type, record_id), []).append((json.loads(fields), hlc))
        records = set()
        for model in (Zone, Contact, Consent, Visit, Diagnosis, Need, Resource, NeighbourhoodAction):
            for record in _all(store, model):
                key = (model.record_type, record.id)
                records.add(key)
                assert is_valid(record.base_hlc) and is_valid(record.updated_hlc)
                assert record.device_id == store.device_id
                assert (["*"], record.base_hlc) in outbox[key]
                for name, hlc in record.field_hlcs.items():
                    assert any(name in fields and h == hlc for fields, h in outbox[key])
        assert set(outbox) == records
        # And the search index holds exactly the live contacts.
        columns = ", ".join(name for name, _ in INDEXED)
        text = search.index_text(db)
        live = {
            row[0]: tuple(text(v) for v in row[1:])
            for row in db.execute(f"SELECT rowid, {columns} FROM contact WHERE deleted = 0")
        }
        assert {
            row[0]: tuple(row[1:]) for row in db.execute(f"SELECT rowid, {columns} FROM contact_search")
        } == live


def test_contacts_are_valid_and_inside_their_zones(filled: tuple[Store, dict]) -> None:
    store, summary = filled
    zones = {zone.id: zone for zone in _all(store, Zone)}
    for zone in zones.values():
        assert zone.kind == "sas" and zone.library_branch
        assert not zone_shape_errors(zone.model_dump())
        assert 51.70 < zone.center_lat < 51.82 and 19.37 < zone.center_lon < 19.54
    consents = {c.contact_id: c for c in _all(store, Consent)}
    kinds = Counter()
    for contact in _all(store, Contact):
        kinds[contact.kind] += 1
        shape = shape_of(zones[contact.zone_id])
        assert shape is not None and shape.contains((contact.lat, contact.lon)), contact.address
        data = {name: getattr(contact, name) for name in CONTACT_PARSERS}
        errors = Errors()
        parse(data, CONTACT_PARSERS, errors)
        errors.raise_if_any()
        assert contact.street and contact.house_number and contact.city == "Łódź"
        assert contact.address.startswith(f"{contact.street} {contact.house_number}")
        if contact.kind in NATURAL_PERSON_KINDS:
            consent = consents[contact.id]
            errors = Errors()
            parse_consent(
                {
                    k: getattr(consent, k)
                    for k in ("status", "method", "recorded_by", "given_at", "adult", "clause_version")
                },
                errors,
            )
            errors.raise_if_any()
            if consent.status == "given":
                assert consent.scope_store and contact.name
            else:
                assert all(not getattr(contact, name) for name in Contact.personal_fields), contact
                assert "/" not in contact.address
        else:
            assert contact.id not in consents and contact.name
        if contact.email:
            assert contact.email.endswith("@example.pl")
    assert set(kinds) == set(summary["by_kind"]) and len(kinds) == 10  # every kind
    refused = summary["consents_refused"] / summary["consents"]
    assert 0.1 < refused < 0.4


def test_visits_follow_their_contacts(filled: tuple[Store, dict]) -> None:
    store, summary = filled
    contacts = {c.id: c for c in _all(store, Contact)}
    consents = {c.contact_id: c.status for c in _all(store, Consent)}
    visits = _all(store, Visit)
    outcomes = Counter(v.outcome for v in visits)
    assert outcomes["not_home"] > outcomes["talked"] > outcomes["come_back"] > outcomes["do_not_knock"] > 0
    assert sum(v.follow_up_on is not None for v in visits) == summary["follow_ups"] > 0
    assert sum(v.contact_id is not None for v in visits) > len(visits) / 3
    for visit in visits:
        assert visit.visited_at <= NOW
        if visit.follow_up_on is not None:
            assert visit.follow_up_on > visit.visited_at.date()
        if visit.outcome == "come_back":
            assert visit.follow_up_on is not None
        if visit.contact_id:
            contact = contacts[visit.contact_id]
            assert visit.zone_id == contact.zone_id and visit.street == contact.street
            assert visit.visited_at >= contact.created_at
            if consents.get(visit.contact_id) == "refused":
                assert not visit.notes and not visit.next_step
            if visit.outcome == "do_not_knock":
                assert contact.do_not_knock


def test_each_zone_has_a_diagnosis_and_actions_in_many_states(filled: tuple[Store, dict]) -> None:
    store, _ = filled
    zones = _all(store, Zone)
    diagnoses = _all(store, Diagnosis)
    assert sorted(d.zone_id for d in diagnoses) == sorted(z.id for z in zones)
    needs = Counter(n.diagnosis_id for n in _all(store, Need))
    groups = {(r.diagnosis_id, r.category) for r in _all(store, Resource)}
    for diagnosis in diagnoses:
        assert needs[diagnosis.id] >= 3 and diagnosis.methods
        assert {g for d, g in groups if d == diagnosis.id} >= {"institutional", "material"}
    actions = _all(store, NeighbourhoodAction)
    assert {a.status for a in actions} >= {"idea", "funded", "reported"}
    in_range = 0
    for action in actions:
        if action.grant_requested_gr is not None:
            assert action.grant_requested_gr % 100 == 0
            in_range += 150_000 <= action.grant_requested_gr <= 500_000
        if action.grant_granted_gr is not None:
            assert action.grant_granted_gr <= action.grant_requested_gr
        if action.status == "reported":
            assert action.report and action.participants > 0
        # Every status change went through an allowed move, each its own outbox entry.
        assert action.status in ACTION_TRANSITIONS
    assert in_range >= 0.7 * sum(a.grant_requested_gr is not None for a in actions)


#: Columns that the seed decides (ids, HLCs and the moment of writing are new each fill).
SEEDED = {
    Zone: "name, library_branch, center_lat, center_lon, radius_m, workers",
    Contact: "kind, name, address, street, house_number, flat, lat, lon, phone, email, interests, needs, "
    "offers, tags, notes, do_not_knock, created_at",
    Consent: "status, method, scope_contact, scope_store, scope_photos, given_at, recorded_by",
    Visit: "address, flat, visited_at, lat, lon, accuracy_m, outcome, notes, next_step, follow_up_on, "
    "animator_id",
    Diagnosis: "title, period_start, period_end, methods, people_reached",
    Need: "category, people_count, priority, description",
    Resource: "kind, category, name, description, lat, lon",
    NeighbourhoodAction: "title, kind, status, starts_on, place, grant_requested_gr, grant_granted_gr, "
    "participants, report",
}


def _seeded_content(path: Path, seed: int) -> dict[str, list[tuple]]:
    store = Store(path)
    try:
        fill(store, contacts=60, visits=120, seed=seed, now=NOW)
        with store.engine.connect() as conn:
            content = {}
            for model, columns in SEEDED.items():
                table = model.__tablename__
                rows = conn.exec_driver_sql(f"SELECT {columns} FROM {table} ORDER BY rowid")
                content[table] = [tuple(row) for row in rows]
            return content
    finally:
        store.close()


def test_same_seed_same_content(tmp_path: Path) -> None:
    first = _seeded_content(tmp_path / "a.db", 11)
    assert _seeded_content(tmp_path / "b.db", 11) == first
    other = _seeded_content(tmp_path / "c.db", 12)
    assert {row[1] for row in other["contact"]} != {row[1] for row in first["contact"]}


def test_filled_records_read_back_as_whole_records(filled: tuple[Store, dict]) -> None:
    """What the sample writes without building model instances reads back through the ORM as
    records equal to their validated selves, that the store finds and edits like any other."""
    store, _ = filled
    contacts = _all(store, Contact)
    for model in (Contact, Consent, Visit):
        for record in _all(store, model):
            assert model.model_validate(record.model_dump()).model_dump() == record.model_dump()
    people = [c for c in contacts if c.kind in NATURAL_PERSON_KINDS and c.name][:20]
    assert len({c.name for c in people}) > 10  # Faker's names, not a handful
    for contact in people:
        first, surname = contact.name.split(" ", 1)
        assert first[0].isupper() and surname[0].isupper()
        found = store.search_contacts(f"{fold(first)} {fold(surname)[:4]}", limit=200)
        assert contact.id in {c.id for c in found}, contact.name
    organisation = next(c for c in contacts if c.kind == "ngo")
    organisation.offers = "Sala na zebrania"
    with store.write() as conn:
        store.save(conn, organisation, ["offers"])
    assert store.search_contacts("sala na zebrania")[0].id == organisation.id


def test_the_sample_needs_neither_the_ui_nor_the_sync(tmp_path: Path) -> None:
    script = (
        "import sys; from fieldapp.sample import fill; from fieldapp.store import Store;"
        f"fill(Store({str(tmp_path / 's.db')!r}), contacts=20, visits=40);"
        "print(sorted(m for m in sys.modules if m.startswith(('fieldapp.ui', 'fieldapp.sync', 'flet'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_command_fills_a_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(
        ["--data-dir", str(tmp_path / "data"), "--contacts", "30", "--visits", "50", "--seed", "5", "--quiet"]
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["contacts"] == 30 and summary["visits"] == 50
    store = Store(tmp_path / "data" / "teren.db")
    try:
        assert store.pending_changes() >= 80
    finally:
        store.close()


def test_command_runs_as_a_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fieldapp.sample",
            str(tmp_path / "x.db"),
            "--contacts",
            "20",
            "--visits",
            "40",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout.strip().splitlines()[-1])["visits"] == 40
    assert "records in" in result.stderr


def test_a_second_fill_reuses_the_zones(tmp_path: Path) -> None:
    store = Store(tmp_path / "twice.db")
    try:
        first = fill(store, contacts=40, visits=60, seed=1, now=NOW)
        second = fill(store, contacts=40, visits=60, seed=2, now=NOW)
        assert first["zones"] == 1 and second["zones"] == 0
        zones = _all(store, Zone)
        assert len(zones) == 1
        assert {c.zone_id for c in _all(store, Contact)} == {zones[0].id}
        assert len(_all(store, Contact)) == 80
    finally:
        store.close()


def test_ui_tests_bulk_contacts_leave_a_store_that_opens(tmp_path: Path) -> None:
    """The UI tests' fast path (no outbox, oldest HLC) must not stop the store from opening again."""
    from tests.e2e.sample import bulk_contacts

    store = Store(tmp_path / "bulk.db")
    ids = bulk_contacts(store, 30)
    store.close()
    again = Store(tmp_path / "bulk.db")
    try:
        with again.write() as conn:
            made = again.save(conn, Contact(kind="ngo", name="Fundacja Po Bulku"))
        assert made.base_hlc > "0" and len(ids) == 30
        assert again.search_contacts("po bulku")[0].id == made.id
    finally:
        again.close()
