"""Two devices and the real service over HTTP: push, pull, last-writer-wins, conflicts, tombstones, scope."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import sqlalchemy as sa

from fieldapp.geo.spatial import nearby
from fieldapp.model import Contact, Review, Visit, Zone
from fieldapp.sync import SyncError
from sync.server import tables as t
from tests.sync.conftest import World
from tests.sync.helpers import add_contact, contact_names, edit, outbox_count


def test_round_trip_between_two_devices(world: World) -> None:
    a, b = world.device(), world.device()
    zone = Zone(name="SAS Bałuty", kind="sas", polygon=[[51.7, 19.4], [51.8, 19.5]], workers=[a.user_id])
    with a.store.write() as conn:
        a.store.save(conn, zone)
    ala = add_contact(a.store, "Ala Żółkiewska", zone_id=zone.id, lat=51.77)
    with a.store.write() as conn:
        at = datetime(2025, 3, 1, tzinfo=UTC)
        a.store.save(conn, Visit(contact_id=ala.id, outcome="talked", visited_at=at))
    steps: list[tuple[int, int]] = []

    receipt = a.engine.sync(lambda done, total: steps.append((done, total)))

    assert (receipt.pushed, receipt.applied, receipt.merged, receipt.rejected) == (3, 3, 0, [])
    assert receipt.still_pending == 0 and outbox_count(a.store) == 0
    assert steps and steps[-1][0] >= 3
    assert a.engine.status().last_success_at is not None
    receipt = b.engine.sync()
    assert receipt.pulled == 3 and receipt.pushed == 0
    got = b.store.get(type(ala), ala.id)
    assert got is not None and got.name == "Ala Żółkiewska" and got.lat == 51.77 and got.zone_id == zone.id
    assert got.base_hlc == ala.base_hlc and got.author_id == a.user_id
    got_zone = b.store.get(Zone, zone.id)
    assert got_zone is not None and got_zone.polygon == [[51.7, 19.4], [51.8, 19.5]]
    visit = b.store.get(Visit, next(iter(_ids(b, Visit))))
    assert visit is not None and visit.visited_at.replace(tzinfo=UTC) == datetime(2025, 3, 1, tzinfo=UTC)
    assert [c.id for c in b.store.search_contacts("zolkiewska")] == [ala.id]
    assert outbox_count(b.store) == 0  # remote changes are not pushed back
    assert b.store.clock.last() >= ala.updated_hlc
    # Nothing new: an empty sync pulls nothing.
    assert b.engine.sync().pulled == 0
    # Changes stored exactly as sent by a device that had seen everything are not pulled back.
    edit(a.store, ala, notes="seen by all")
    receipt = a.engine.sync()
    assert (receipt.applied, receipt.pulled) == (1, 0)
    assert b.engine.sync().pulled == 1


def _ids(device, model) -> list[str]:  # type: ignore[no-untyped-def]
    with device.store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql(f"SELECT id FROM {model.__tablename__}")]


def test_concurrent_edits_last_writer_wins_and_conflict_log(world: World) -> None:
    a, b = world.device(), world.device()
    boss = world.device("supervisor")
    ala = add_contact(a.store, "Ala")
    a.engine.sync()
    b.engine.sync()
    on_b = b.store.get(type(ala), ala.id)
    assert on_b is not None
    # B edits the notes first (older HLC), then A edits notes and phone, then B edits the name.
    edit(b.store, on_b, notes="B notes")
    edit(a.store, ala, notes="A notes", phone="600100200")
    edit(b.store, on_b, name="Alicja")

    a.engine.sync()
    receipt = b.engine.sync()
    assert receipt.merged == 1  # B's notes lost to A's newer notes
    a.engine.sync()

    for device in (a, b):
        final = device.store.get(type(ala), ala.id)
        assert final is not None
        assert (final.name, final.notes, final.phone) == ("Alicja", "A notes", "600100200")
    answer = requests.get(f"{world.url}/v1/conflicts", headers=boss.headers(), timeout=10)
    assert answer.status_code == 200
    conflicts = answer.json()["conflicts"]
    assert [(c["field"], c["winner_value"], c["loser_value"]) for c in conflicts] == [
        ("notes", "A notes", "B notes")
    ]
    # Animators cannot read the conflict log.
    denied = requests.get(f"{world.url}/v1/conflicts", headers=a.headers(), timeout=10)
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    # The supervisor's app reads it through the client, page by page.
    page = boss.engine.conflicts()
    assert [(c.record_id, c.field, c.loser_value) for c in page.conflicts] == [(ala.id, "notes", "B notes")]
    assert boss.engine.conflicts(after=page.cursor).conflicts == []
    with pytest.raises(SyncError) as error:
        a.engine.conflicts()
    assert error.value.code == "forbidden"


def test_overwriting_an_unseen_value_is_logged(world: World) -> None:
    a, b = world.device(), world.device()
    boss = world.device("supervisor")
    ala = add_contact(a.store, "Ala")
    a.engine.sync()
    b.engine.sync()
    on_b = b.store.get(type(ala), ala.id)
    edit(a.store, ala, name="Ala A")
    edit(b.store, on_b, name="Ala B")  # later HLC: wins, but it never saw A's value
    a.engine.sync()
    b.engine.sync()
    a.engine.sync()
    assert contact_names(a.store)[ala.id] == contact_names(b.store)[ala.id] == "Ala B"
    conflicts = requests.get(f"{world.url}/v1/conflicts", headers=boss.headers(), timeout=10).json()
    assert [(c["winner_value"], c["loser_value"]) for c in conflicts["conflicts"]] == [("Ala B", "Ala A")]


def test_tombstones_propagate_and_stick(world: World) -> None:
    a, b = world.device(), world.device()
    ala, ola = add_contact(a.store, "Ala"), add_contact(a.store, "Ola")
    a.engine.sync()
    b.engine.sync()
    on_b = b.store.get(type(ala), ala.id)
    with a.store.write() as conn:
        a.store.delete(conn, ala)
    edit(b.store, on_b, name="Ala edited later")  # a later edit does not resurrect it
    a.engine.sync()
    b.engine.sync()
    a.engine.sync()
    for device in (a, b):
        gone = device.store.get(type(ala), ala.id)
        assert gone is not None and gone.deleted
        assert [c.id for c in device.store.search_contacts("ala")] == []
        assert [c.id for c in device.store.search_contacts("ola")] == [ola.id]


def test_visits_are_append_only_events(world: World) -> None:
    a, b = world.device(), world.device()
    with a.store.write() as conn:
        first = a.store.save(conn, Visit(outcome="not_home"))
    with b.store.write() as conn:
        b.store.save(conn, Visit(outcome="talked"))
    a.engine.sync()
    b.engine.sync()
    a.engine.sync()
    assert len(_ids(a, Visit)) == len(_ids(b, Visit)) == 2
    edit(a.store, first, outcome="come_back")
    a.engine.sync()
    b.engine.sync()
    assert b.store.get(Visit, first.id).outcome == "come_back"  # type: ignore[union-attr]


def test_a_device_sees_only_its_team_and_supervisors_the_program(world: World) -> None:
    a = world.device(team=world.team_a)
    b = world.device(team=world.team_b)
    boss = world.device("supervisor")
    mine = add_contact(a.store, "Zespół A")
    theirs = add_contact(b.store, "Zespół B")
    a.engine.sync()
    b.engine.sync()
    a.engine.sync()
    boss.engine.sync()
    assert set(contact_names(a.store)) == {mine.id}
    assert set(contact_names(b.store)) == {theirs.id}
    assert set(contact_names(boss.store)) == {mine.id, theirs.id}
    # Team B cannot change team A's record, even knowing its id.
    edit(b.store, theirs, name="B")  # its own record: fine
    with b.store.write() as conn:
        forged = b.store.save(conn, type(mine)(id=mine.id, kind="resident", name="hijacked"))
    receipt = b.engine.sync()
    assert [(r.id, r.code) for r in receipt.rejected] == [(forged.id, "out_of_scope")]
    a.engine.sync()
    assert contact_names(a.store)[mine.id] == "Zespół A"
    # A supervisor may edit any team's record in the program; the change reaches the team.
    on_boss = boss.store.get(type(mine), mine.id)
    edit(boss.store, on_boss, notes="checked")
    boss.engine.sync()
    a.engine.sync()
    assert a.store.get(type(mine), mine.id).notes == "checked"  # type: ignore[union-attr]


def test_erasure_beats_a_later_edit_on_another_device(world: World) -> None:
    a, b = world.device(), world.device()
    boss = world.device("supervisor")
    ala = add_contact(a.store, "Ala Nowak", phone="600100200", notes="lives upstairs")
    a.engine.sync()
    b.engine.sync()
    on_b = b.store.get(type(ala), ala.id)
    edit(b.store, on_b, notes="B's note")
    edit(a.store, ala, notes="A's note")
    b.engine.sync()
    a.engine.sync()  # B's note was unseen by A: the conflict log keeps it, until the erasure
    assert requests.get(f"{world.url}/v1/conflicts", headers=boss.headers(), timeout=10).json()["conflicts"]
    boss.engine.sync()
    on_boss = boss.store.get(type(ala), ala.id)
    edit(boss.store, on_boss, erased_at=datetime.now(UTC), name="", phone="", notes="")  # coordinators erase
    edit(b.store, on_b, phone="700700700")  # later than the erasure, on a device that has not heard of it
    boss.engine.sync()
    b.engine.sync()
    a.engine.sync()
    boss.engine.sync()
    for device in (a, b, boss):
        final = device.store.get(type(ala), ala.id)
        assert final is not None and final.erased_at is not None
        assert (final.name, final.phone, final.notes) == ("", "", "")
    log = requests.get(f"{world.url}/v1/conflicts", headers=boss.headers(), timeout=10).json()
    assert log["conflicts"] == []


def test_pull_in_small_pages(world: World) -> None:
    a = world.device()
    b = world.device(page_size=2)
    for number in range(5):
        add_contact(a.store, f"Osoba {number}")
    a.engine.sync()
    assert b.engine.sync().pulled == 5
    assert len(contact_names(b.store)) == 5
    assert int(b.store.meta("sync.cursor") or 0) > 0


def test_a_supervisors_review_reaches_the_team_of_the_visit(world: World) -> None:
    a = world.device(team=world.team_a)
    b = world.device(team=world.team_b)
    boss = world.device("supervisor")
    with a.store.write() as conn:
        visit = a.store.save(conn, Visit(outcome="talked", notes="check the address"))
    a.engine.sync()
    boss.engine.sync()
    with boss.store.write() as conn:
        review = boss.store.save(
            conn, Review(target_type="visit", target_id=visit.id, state="returned", comment="Popraw adres")
        )
    boss.engine.sync()
    a.engine.sync()
    b.engine.sync()
    got = a.store.get(Review, review.id)
    assert got is not None and got.state == "returned"
    assert b.store.get(Review, review.id) is None


def test_an_app_that_learned_new_fields_pulls_everything_again(world: World) -> None:
    a, b = world.device(), world.device()
    for name in ("Ala", "Ola"):
        add_contact(a.store, name)
    a.engine.sync()
    assert b.engine.sync().pulled == 2
    assert b.engine.sync().pulled == 0
    # As if this app version had just added the column: the value is missing, its HLC is not.
    with b.store.write() as conn:
        conn.exec_driver_sql("UPDATE contact SET name = ''")
    b.store.set_meta("sync.model", "an older app version")
    assert b.engine.sync().pulled == 2  # merged again, nothing duplicated
    assert sorted(contact_names(b.store).values()) == ["Ala", "Ola"] and outbox_count(b.store) == 0


def test_animators_cannot_erase_or_decide_reviews(world: World) -> None:
    """What the app refuses an animator is refused by the service too (a device can be tampered with)."""
    a, boss = world.device(), world.device("supervisor")
    ala = add_contact(a.store, "Ala Nowak", phone="600100200")
    a.engine.sync()
    edit(a.store, ala, erased_at=datetime.now(UTC), name="", phone="")
    review = Review(target_type="visit", target_id=ala.id, state="approved", comment="ok")
    with a.store.write() as conn:
        a.store.save(conn, review)
    receipt = a.engine.sync()
    assert sorted((r.record_type, r.code) for r in receipt.rejected) == [
        ("contact", "forbidden"),
        ("review", "forbidden"),
    ]
    boss.engine.sync()
    seen = boss.store.get(Contact, ala.id)
    assert seen is not None and (seen.name, seen.phone, seen.erased_at) == ("Ala Nowak", "600100200", None)
    assert boss.store.get(Review, review.id) is None


def test_pulled_contacts_are_found_nearby_and_the_index_keeps_following_edits(world: World) -> None:
    """A pull fills the spatial index once per page (not by the per-row trigger): the pulled
    contacts with a position are in it, those without or erased are not, and later local edits
    are followed by the trigger again."""
    a, b = world.device(), world.device()
    here = (51.7592, 19.4560)
    near = add_contact(a.store, "Blisko", lat=here[0], lon=here[1])
    add_contact(a.store, "Bez adresu")
    gone = add_contact(a.store, "Usunięta", lat=here[0], lon=here[1])
    edit(a.store, gone, deleted=True)
    a.engine.sync()
    b.engine.sync()
    assert [c.name for c in nearby(b.store, *here, 100)] == ["Blisko"]
    with b.store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM geo_deferred").scalar_one() == 0
    edit(b.store, b.store.get(Contact, near.id), lat=51.70, lon=19.40)
    assert nearby(b.store, *here, 100) == []
    add_contact(b.store, "Nowa", lat=here[0], lon=here[1])
    assert [c.name for c in nearby(b.store, *here, 100)] == ["Nowa"]


def test_a_big_outbox_is_read_in_windows_and_everything_arrives_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox is read a window at a time; a record whose rows fall in two windows is sent twice
    and stored once, with its latest values."""
    import fieldapp.sync.push

    monkeypatch.setattr(fieldapp.sync.push, "OUTBOX_WINDOW", 7)
    a, b = world.device(batch_size=3), world.device()
    people = [add_contact(a.store, f"Osoba {n}") for n in range(20)]
    for person in people[::4]:
        edit(a.store, person, notes="druga wizyta")
    receipt = a.engine.sync()
    assert receipt.rejected == [] and outbox_count(a.store) == 0
    assert receipt.batches >= 20 // 3
    b.engine.sync()
    assert sorted(contact_names(b.store).values()) == sorted(p.name for p in people)
    for person in people[::4]:
        got = b.store.get(Contact, person.id)
        assert got is not None and got.notes == "druga wizyta"
    with world.db.read() as conn:
        stored = conn.execute(
            sa.select(sa.func.count()).where(
                (t.record.c.record_type == "contact") & t.record.c.id.in_([p.id for p in people])
            )
        ).scalar_one()
    assert stored == 20


def test_new_records_beyond_one_insert_statement_arrive_whole(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the service inserts a batch's new records a few hundred to a statement: with 7 a
    statement, a batch of 50 (an uneven tail) lands every record once, with its own values and seq
    (PostgreSQL's executemany alike)."""
    import sync.server.record_rows

    monkeypatch.setattr(sync.server.record_rows, "INSERT_ROWS_PER_STATEMENT", 7)
    a, b = world.device(batch_size=50), world.device()
    people = [add_contact(a.store, f"Osoba {n}", lat=51.7 + n / 1000, notes="ż" * n) for n in range(50)]
    assert a.engine.sync().rejected == []
    b.engine.sync()
    for person in people:
        got = b.store.get(Contact, person.id)
        assert got is not None and (got.name, got.lat, got.notes) == (person.name, person.lat, person.notes)
    with world.db.read() as conn:
        seqs = (
            conn.execute(sa.select(t.record.c.seq).where(t.record.c.id.in_([p.id for p in people])))
            .scalars()
            .all()
        )
    assert len(seqs) == len(set(seqs)) == 50


def test_a_building_s_flat_range_reaches_the_teammates(world: World) -> None:
    from fieldapp.model import Building
    from fieldapp.services.buildings import building_flats, save_building

    a, b = world.device(), world.device()
    building = save_building(a.store, {"street": "Czajkowskiego", "house_number": "120a", "staircase": "II",
                                       "flat_first": 1, "flat_last": 60})
    assert a.engine.sync().applied == 1
    assert b.engine.sync().pulled == 1
    got = b.store.get(Building, building.id)
    assert got is not None and (got.flat_first, got.flat_last, got.staircase) == (1, 60, "II")
    assert len(building_flats(b.store, "Czajkowskiego", "120a", "II").flats) == 60
