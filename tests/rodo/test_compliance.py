"""RODO as a data protection officer checks it (issue 27), through real stores and the real service.

- A clause given at the door is recorded with its version (and who gave it, when).
- A resident with no consent leaves no notes about them anywhere; a withdrawal clears them.
- Withdrawing one scope keeps the others, in a new consent record (the history stays).
- A restricted person's data is hidden on a second device after sync, and frozen on the service.
- Retention runs on the service and every device ends without the expired people.
- A rights request shows its due date (one month, extendable by two).
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from fieldapp.errors import ValidationFailed
from fieldapp.geo.spatial import nearby
from fieldapp.model import Contact, FollowUpTask, RightsRequest, Visit
from fieldapp.services import contacts, visits
from fieldapp.services.clause import BUILTIN_VERSION, current_clause, publish_clause
from fieldapp.services.consent import consent_history, current_consent, record_consent, withdraw_consent
from fieldapp.services.cooperation import add_task
from fieldapp.services.rodo import settle_erasures
from fieldapp.services.rodo.requests import (
    check_identity,
    complete_request,
    extend_request,
    list_requests,
    register_request,
    restrict_person,
)
from sync.server import tables
from sync.server.retention import RetentionRules, run_retention
from sync.server.serve import build_app
from sync.server.settings import ServeSettings
from tests.rodo.helpers import table_hits
from tests.sync.conftest import World

#: A consent with every scope but the special one, after the app's own clause.
CONSENT = {
    "status": "given",
    "method": "oral",
    "scope_contact": True,
    "scope_store": True,
    "adult": True,
    "clause_version": BUILTIN_VERSION,
    "recorded_by": "Ola Animatorka",
}


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in exc.value.errors}


def service_text(world: World) -> str:
    """Every row of every service table, as one lower-case text (to look for a person in)."""
    with world.db.engine.connect() as conn:
        rows = [
            list(row) for table in tables.metadata.sorted_tables for row in conn.execute(sa.select(table))
        ]
    return json.dumps(rows, default=str, ensure_ascii=False).lower()


def sync_all(*devices: object) -> None:
    for _ in range(2):  # the second round brings what the first one's pushes changed on the service
        for device in devices:
            device.engine.sync()  # type: ignore[attr-defined]
            settle_erasures(device.store)  # type: ignore[attr-defined]


def test_a_clause_given_at_the_door_is_recorded_with_its_version(world: World) -> None:
    animator, coordinator = world.device(), world.device(role="supervisor")
    # Until the program publishes its own, the app's clause is given.
    assert current_clause(animator.store).version == BUILTIN_VERSION
    with pytest.raises(ValidationFailed) as refused:
        publish_clause(animator.store, {"version": "x", "full_text": "x", "short_text": "x"})
    assert ("", "clause_not_allowed") in codes(refused)
    publish_clause(
        coordinator.store,
        {
            "version": "2026-03",
            "full_text": "Administrator: Miasto Łódź …",
            "short_text": "Zapisujemy dane tylko za zgodą.",
            "controller": "Miasto Łódź",
            "dpo_contact": "iod@uml.lodz.pl",
        },
    )
    sync_all(coordinator, animator)
    clause = current_clause(animator.store)
    assert (clause.version, clause.controller) == ("2026-03", "Miasto Łódź")

    # Nothing assumed: no adult check and no clause, no consent; a version nobody published, neither.
    with pytest.raises(ValidationFailed) as refused:
        contacts.create_contact(
            animator.store,
            {"kind": "resident", "name": "Jan Bez Klauzuli"},
            {"status": "given", "scope_store": True, "recorded_by": "Ola"},
        )
    assert {("adult", "consent_adult_required"), ("clause_version", "consent_clause_required")} <= codes(
        refused
    )
    with pytest.raises(ValidationFailed) as refused:
        contacts.create_contact(
            animator.store, {"kind": "resident", "name": "Jan"}, {**CONSENT, "clause_version": "1999"}
        )
    assert ("clause_version", "consent_clause_unknown") in codes(refused)

    person = contacts.create_contact(
        animator.store,
        {"kind": "resident", "name": "Halina Klauzulowa"},
        {**CONSENT, "clause_version": clause.version},
    )
    consent = current_consent(animator.store, person.id)
    assert consent is not None
    assert (consent.clause_version, consent.recorded_by, consent.adult) == ("2026-03", "Ola Animatorka", True)
    assert (
        consent.clause_given_at is not None
        and consent.scope_special is False
        and consent.scope_photos is False
    )
    # The service and the coordinator's device hold the record of the clause given.
    sync_all(animator, coordinator)
    seen = current_consent(coordinator.store, person.id)
    assert (
        seen is not None
        and seen.clause_version == "2026-03"
        and seen.clause_given_at == consent.clause_given_at
    )


def test_a_resident_with_no_consent_leaves_no_notes_about_them_anywhere(world: World) -> None:
    animator, teammate = world.device(), world.device()
    door = contacts.create_contact(
        animator.store,
        {"kind": "resident", "address": "Zielona 7", "street": "Zielona", "house_number": "7"},
        {"status": "refused", "recorded_by": "Ola"},
    )
    # The knock is logged (outcome, time, place); nothing about the person is.
    with pytest.raises(ValidationFailed) as refused:
        visits.log_visit(
            animator.store,
            contact_id=door.id,
            outcome="talked",
            notes="Pani Gienia choruje",
            next_step="Zadzwonić",
            flat="4",
        )
    assert codes(refused) == {(n, "consent_required") for n in ("notes", "next_step", "flat")}
    knock = visits.log_visit(animator.store, contact_id=door.id, outcome="talked")
    with pytest.raises(ValidationFailed):
        visits.correct_visit(animator.store, knock.id, {"notes": "Pani Gienia choruje"})

    # A person who agreed, then withdrew: what was noted about them goes everywhere.
    person = contacts.create_contact(
        animator.store,
        {
            "kind": "resident",
            "name": "Gienowefa Zapomniana",
            "flat": "4",
            "address": "Zielona 9/4",
            "street": "Zielona",
            "house_number": "9",
        },
        CONSENT,
    )
    visits.log_visit(
        animator.store,
        contact_id=person.id,
        outcome="talked",
        notes="Gienowefa prosi o ławkę",
        next_step="Zapytać Gienowefę o sąsiadów",
    )
    add_task(animator.store, {"contact_id": person.id, "title": "Oddzwonić", "note": "Gienowefa — po 17"})
    sync_all(animator, teammate)
    needles = ("Gienowefa", "Gienowef", "Zapomniana", "Gienia", "choruje")
    assert table_hits(teammate.store.path, needles), "the teammate holds the notes before the withdrawal"

    withdraw_consent(animator.store, person.id, recorded_by="Ola")
    sync_all(animator, teammate)
    for device in (animator, teammate):
        assert table_hits(device.store.path, needles) == []
        visit = device.store.get(Visit, knock.id)
        assert visit is not None and visit.outcome == "talked"  # the statistics stay
    assert not any(n.lower() in service_text(world) for n in needles)
    assert [v.flat for v in contacts.contact_visits(teammate.store, person.id)] == [""]


def test_the_service_keeps_no_notes_about_a_person_without_consent_whatever_a_device_sends(
    world: World,
) -> None:
    """A device that bypasses its own check (or an old app) pushes a visit note and a task note
    about a resident who refused: the service keeps neither, and the device gets the empty values."""
    animator, teammate = world.device(), world.device()
    door = contacts.create_contact(
        animator.store,
        {"kind": "resident", "address": "Zielona 11", "street": "Zielona", "house_number": "11"},
        {"status": "refused", "recorded_by": "Ola"},
    )
    organisation = contacts.create_contact(animator.store, {"kind": "ngo", "name": "Fundacja Sąsiedzka"})
    with animator.store.write() as conn:
        note = animator.store.save(
            conn,
            Visit(
                contact_id=door.id, outcome="talked", notes="Pan Tadeusz ma cukrzycę", next_step="Zadzwonić"
            ),
        )
        task = animator.store.save(
            conn, FollowUpTask(contact_id=door.id, title="Sprawa", note="Tadeusz — leki")
        )
        kept = animator.store.save(
            conn, Visit(contact_id=organisation.id, outcome="talked", notes="Prezes zaprasza")
        )
    sync_all(animator, teammate)
    assert "cukrzyc" not in service_text(world) and "tadeusz" not in service_text(world)
    for device in (animator, teammate):
        visit = device.store.get(Visit, note.id)
        assert visit is not None and (visit.outcome, visit.notes, visit.next_step) == ("talked", "", "")
        there = device.store.get(FollowUpTask, task.id)
        assert there is not None and there.note == ""
        org_visit = device.store.get(Visit, kept.id)
        assert org_visit is not None and org_visit.notes == "Prezes zaprasza"  # organisations keep theirs
    # Once the person consents, notes about them are kept.
    record_consent(animator.store, door.id, **{**CONSENT, "status": "given"})
    visits.correct_visit(animator.store, note.id, {"notes": "Zgoda — prosi o ławkę"})
    sync_all(animator, teammate)
    assert teammate.store.get(Visit, note.id).notes == "Zgoda — prosi o ławkę"  # type: ignore[union-attr]


def test_a_withdrawal_of_one_scope_keeps_the_others(world: World) -> None:
    animator, teammate = world.device(), world.device()
    person = contacts.create_contact(
        animator.store,
        {
            "kind": "resident",
            "name": "Zenon Zakresowy",
            "phone": "+48 600 100 200",
            "email": "zenon@example.pl",
            "special_notes": "Porusza się na wózku",
        },
        {**CONSENT, "scope_special": True, "scope_photos": True},
    )
    first = current_consent(animator.store, person.id)
    assert first is not None

    withdrawn = withdraw_consent(animator.store, person.id, recorded_by="Ola", scopes=("contact",))
    assert withdrawn.id != first.id, "a withdrawal is a new record, not an edit"
    assert (withdrawn.status, withdrawn.scope_store, withdrawn.scope_special, withdrawn.scope_photos) == (
        "given",
        True,
        True,
        True,
    )
    assert withdrawn.scope_contact is False and withdrawn.withdrawn_at is not None
    kept = animator.store.get(Contact, person.id)
    assert kept is not None
    assert (kept.name, kept.special_notes, kept.phone, kept.email) == (
        "Zenon Zakresowy",
        "Porusza się na wózku",
        "",
        "",
    )
    # The contact scope is enforced on its own: no phone without it.
    with pytest.raises(ValidationFailed) as refused:
        contacts.update_contact(animator.store, person.id, {"phone": "+48 600 100 200"})
    assert codes(refused) == {("phone", "consent_contact_required")}

    sync_all(animator, teammate)
    history = consent_history(teammate.store, person.id)
    assert [c.id for c in history] == [withdrawn.id, first.id]
    assert history[1].scope_contact is True and history[1].status == "given"  # the old record untouched
    there = teammate.store.get(Contact, person.id)
    assert there is not None and there.phone == "" and there.special_notes == "Porusza się na wózku"

    # Later the special scope too; the store scope still holds, so the person stays.
    withdraw_consent(teammate.store, person.id, recorded_by="Ewa", scopes=("special",))
    sync_all(teammate, animator)
    after = animator.store.get(Contact, person.id)
    assert after is not None and after.name == "Zenon Zakresowy" and after.special_notes == ""
    assert len(consent_history(animator.store, person.id)) == 3
    # A second withdrawal of the whole consent ends it (and clears the person).
    final = withdraw_consent(animator.store, person.id, recorded_by="Ola")
    assert final.status == "withdrawn"
    with pytest.raises(ValidationFailed):
        record_consent(animator.store, person.id, status="given", recorded_by="Ola", scope_store=True)


def test_a_restricted_persons_data_is_hidden_on_a_second_device_after_sync(world: World) -> None:
    animator, teammate, coordinator = world.device(), world.device(), world.device(role="supervisor")
    person = contacts.create_contact(
        animator.store,
        {
            "kind": "resident",
            "name": "Roman Ograniczony",
            "phone": "+48 601 000 111",
            "lat": 51.77,
            "lon": 19.45,
        },
        CONSENT,
    )
    other = contacts.create_contact(animator.store, {"kind": "resident", "name": "Rozalia Widoczna"}, CONSENT)
    sync_all(animator, teammate, coordinator)
    assert {c.id for c in contacts.list_contacts(teammate.store)} == {person.id, other.id}
    assert [p.id for p in nearby(teammate.store, 51.77, 19.45, 100, record_types=["contact"])] == [person.id]

    with pytest.raises(ValidationFailed) as refused:
        restrict_person(animator.store, person.id)
    assert ("", "rodo_not_allowed") in codes(refused)
    restrict_person(coordinator.store, person.id)
    sync_all(coordinator, teammate)

    assert [c.id for c in contacts.list_contacts(teammate.store)] == [other.id]
    assert contacts.search_contacts(teammate.store, "Ograniczony") == []
    assert [
        p.id for p in nearby(teammate.store, 51.77, 19.45, 100, record_types=["contact"])
    ] == []  # the map
    with pytest.raises(ValidationFailed) as refused:
        contacts.update_contact(teammate.store, person.id, {"name": "Roman O."})
    assert codes(refused) == {("", "contact_restricted")}
    with pytest.raises(ValidationFailed):
        visits.log_visit(teammate.store, contact_id=person.id, outcome="talked")

    # A device that bypasses its own check is refused by the service, and gets the frozen data back.
    rogue = teammate.store.get(Contact, person.id)
    assert rogue is not None
    rogue.name = "Roman Zmieniony"
    with teammate.store.write() as conn:
        teammate.store.save(conn, rogue, ["name"])
    receipt = teammate.engine.sync()
    assert [(r.record_type, r.code) for r in receipt.rejected] == [("contact", "restricted")]
    teammate.engine.sync()
    back = teammate.store.get(Contact, person.id)
    assert back is not None and back.name == "Roman Ograniczony" and back.restricted_at is not None

    # The coordinator lifts it: the person is back on every device.
    restrict_person(coordinator.store, person.id, lift=True)
    sync_all(coordinator, teammate)
    assert {c.id for c in contacts.list_contacts(teammate.store)} == {person.id, other.id}


def test_retention_runs_on_the_service_and_every_device_ends_without_the_expired_people(world: World) -> None:
    animator, teammate, coordinator = world.device(), world.device(), world.device(role="supervisor")
    now = datetime.now(UTC)
    kept = contacts.create_contact(animator.store, {"kind": "resident", "name": "Krystyna Zostaje"}, CONSENT)
    expired = contacts.create_contact(
        animator.store,
        {"kind": "resident", "name": "Eustachy Przeterminowany", "notes": "Eustachy lubi szachy"},
        {**CONSENT, "given_at": (now - timedelta(days=400)).isoformat()},
    )
    visits.log_visit(
        animator.store, contact_id=expired.id, outcome="talked", notes="Eustachy — szachy w parku"
    )
    unconsented = contacts.create_contact(
        animator.store,
        {"kind": "resident", "address": "Łąkowa 3", "street": "Łąkowa", "house_number": "3"},
        {"status": "refused", "recorded_by": "Ola"},
    )
    deleted = contacts.create_contact(
        animator.store, {"kind": "leader", "name": "Dobromir Usunięty", "phone": "+48 602 333 444"}, CONSENT
    )
    contacts.delete_contact(animator.store, deleted.id)
    sync_all(animator, teammate, coordinator)
    needles = ("Eustachy", "Przeterminowany", "szachy", "Dobromir", "602 333 444")
    assert table_hits(teammate.store.path, needles)

    # The service, 200 days on: the unconsented door (180 days), the consent given 400 days ago
    # (365 days) and the deleted contact (30 days of grace) are past their periods.
    rules = RetentionRules(no_consent_days=180, consent_days=365, deleted_days=30, log_days=365)
    result = run_retention(world.db, rules, now=now + timedelta(days=200))
    # (The service is shared with other tests' programs: only this program's people are looked at.)
    ours = {kept.id, expired.id, unconsented.id, deleted.id}
    assert set(result.erased) & ours == {expired.id, unconsented.id, deleted.id}
    assert result.records_reset >= 1  # the visit's note
    again = run_retention(world.db, rules, now=now + timedelta(days=200))
    assert set(again.erased) & ours == set()  # done once

    assert not any(n.lower() in service_text(world) for n in needles)
    sync_all(animator, teammate, coordinator)
    for device in (animator, teammate, coordinator):
        assert table_hits(device.store.path, needles) == [], device
        for gone in (expired, unconsented, deleted):
            there = device.store.get(Contact, gone.id)
            assert there is not None and there.erased_at is not None
        alive = device.store.get(Contact, kept.id)
        assert alive is not None and alive.name == "Krystyna Zostaje" and alive.erased_at is None
        # The statistics stay: the visit is there, with its outcome, without its note.
        assert [(v.outcome, v.notes) for v in contacts.contact_visits(device.store, expired.id)] == [
            ("talked", "")
        ]
    # Audit entries name ids only, under the retention's actor.
    with world.db.engine.connect() as conn:
        actors = (
            conn.execute(
                sa.select(tables.audit.c.target_id)
                .where(tables.audit.c.actor_id == "system:retention")
                .where(tables.audit.c.program_id == world.program_id)
            )
            .scalars()
            .all()
        )
    assert set(actors) == {expired.id, unconsented.id, deleted.id}


def test_serve_runs_retention_by_itself(world: World) -> None:
    """``serve`` runs the rules in the background, as its settings say (at start, then periodically)."""
    animator = world.device()
    old = Contact(kind="resident", address="Łąkowa 5", created_at=datetime.now(UTC) - timedelta(days=10))
    with animator.store.write() as conn:
        animator.store.save(conn, old)
    animator.engine.sync()
    settings = ServeSettings(db="unused.db", retention_every_minutes=60, retention_no_consent_days=7)
    app = build_app(settings, world.db)

    async def serve_a_moment() -> None:
        async with app.router.lifespan_context(app):
            for _ in range(100):
                await asyncio.sleep(0.05)
                with world.db.engine.connect() as conn:
                    if conn.execute(sa.select(tables.erased_contact.c.id)).first():
                        return

    asyncio.run(serve_a_moment())
    animator.engine.sync()
    there = animator.store.get(Contact, old.id)
    assert there is not None and there.erased_at is not None


def test_a_rights_request_shows_its_due_date(world: World) -> None:
    animator, coordinator, other = (
        world.device(),
        world.device(role="supervisor"),
        world.device(role="supervisor"),
    )
    person = contacts.create_contact(animator.store, {"kind": "resident", "name": "Paulina Pyta"}, CONSENT)
    sync_all(animator, coordinator)
    with pytest.raises(ValidationFailed) as refused:
        register_request(animator.store, {"kind": "access", "contact_id": person.id})
    assert ("", "rodo_not_allowed") in codes(refused)

    request = register_request(
        coordinator.store, {"kind": "access", "contact_id": person.id, "received_on": "2027-01-31"}
    )
    assert request.due_on == date(2027, 2, 28)  # one month: the end of February
    [shown] = list_requests(coordinator.store, on=date(2027, 2, 20))
    assert (shown.request.id, shown.days_left, shown.overdue) == (request.id, 8, False)
    assert list_requests(coordinator.store, on=date(2027, 3, 1))[0].overdue

    with pytest.raises(ValidationFailed) as refused:
        complete_request(coordinator.store, request.id)
    assert ("", "request_identity_unchecked") in codes(refused)
    extended = extend_request(coordinator.store, request.id)
    assert extended.due_on == date(2027, 4, 30) and extended.extended
    with pytest.raises(ValidationFailed):
        extend_request(coordinator.store, request.id)
    check_identity(coordinator.store, request.id, on=date(2027, 2, 2))
    done = complete_request(coordinator.store, request.id, on=date(2027, 2, 10))
    assert done.done_on == date(2027, 2, 10)
    assert list_requests(coordinator.store, open_only=True) == []

    # The register is the program's: another coordinator's device holds it after sync.
    sync_all(coordinator, other)
    there = other.store.get(RightsRequest, request.id)
    assert there is not None and (there.due_on, there.done_on) == (date(2027, 4, 30), date(2027, 2, 10))
    # An animator's device cannot write the register, even bypassing its own check.
    forged = RightsRequest(kind="erasure", received_on=date(2027, 1, 1), due_on=date(2027, 2, 1))
    with animator.store.write() as conn:
        animator.store.save(conn, forged)
    receipt = animator.engine.sync()
    assert [(r.record_type, r.code) for r in receipt.rejected] == [("rights_request", "forbidden")]


def test_a_person_recorded_without_being_met_gets_an_art14_notice_task(world: World) -> None:
    """Art. 14: named by a neighbour, never met: the source of data is kept with the name and a task
    to inform the person falls due within a month; nothing more about them may be written."""
    animator = world.device()
    with pytest.raises(ValidationFailed) as refused:
        contacts.create_contact(animator.store, {"kind": "leader", "name": "Wiesław Polecony"})
    assert codes(refused) == {("name", "consent_required")}
    with pytest.raises(ValidationFailed) as refused:
        contacts.create_contact(
            animator.store,
            {
                "kind": "leader",
                "name": "Wiesław Polecony",
                "notes": "podobno chory",
                "data_source": "sąsiadka",
            },
        )
    assert codes(refused) == {("notes", "consent_required")}
    leader = contacts.create_contact(
        animator.store,
        {
            "kind": "leader",
            "name": "Wiesław Polecony",
            "phone": "+48 603 000 111",
            "data_source": "wskazany przez sąsiadkę z Zielonej 7",
        },
    )
    [task] = _tasks(animator, leader.id)
    assert task.due_on is not None and 28 <= (task.due_on - date.today()).days <= 31
    assert "art. 14" in task.title
    kept = animator.store.get(Contact, leader.id)
    assert kept is not None and kept.data_source.startswith("wskazany") and kept.name == "Wiesław Polecony"
    contacts.update_contact(animator.store, leader.id, {"phone": "+48 603 000 222"})
    assert current_consent(animator.store, leader.id) is None


def _tasks(device: object, contact_id: str) -> list[FollowUpTask]:
    from sqlmodel import select

    with device.store.read() as session:  # type: ignore[attr-defined]
        return list(session.exec(select(FollowUpTask).where(FollowUpTask.contact_id == contact_id)))


def test_a_lost_phone_is_revoked_wiped_and_entered_in_the_breach_register(world: World) -> None:
    """Art. 33: the coordinator reports a lost phone; it is revoked (and wipes itself at its next
    contact), the entry shows the 72 hours to notify the PUODO, and the register syncs."""
    from fieldapp.services.rodo.breaches import list_breaches, mark_notified
    from fieldapp.sync import SyncError
    from fieldapp.sync.breach import report_lost_device

    lost, coordinator, other = (
        world.device(),
        world.device(role="supervisor"),
        world.device(role="supervisor"),
    )
    contacts.create_contact(lost.store, {"kind": "resident", "name": "Ludwik Zgubiony"}, CONSENT)
    lost.engine.sync()
    devices = coordinator.engine.call("GET", "/v1/devices")
    [ref] = [d["id"] for d in devices if d["client_device_id"] == lost.store.device_id]

    noticed = datetime.now(UTC) - timedelta(hours=5)
    breach = report_lost_device(
        coordinator.engine, ref, description="Telefon zgubiony w tramwaju", noticed_at=noticed
    )
    assert breach.revoked_at is not None and breach.device_ref == ref
    [shown] = list_breaches(coordinator.store, now=noticed + timedelta(hours=5))
    assert shown.notify_by == noticed + timedelta(hours=72) and shown.hours_left == pytest.approx(67)

    with pytest.raises(SyncError) as revoked:
        lost.engine.sync()
    assert revoked.value.code == "device_revoked"
    assert table_hits(lost.store.path, ("Ludwik", "Zgubiony")) == []

    mark_notified(coordinator.store, breach.id)
    sync_all(coordinator, other)
    [there] = list_breaches(other.store)
    assert there.breach.id == breach.id and there.hours_left is None


def test_lists_and_searches_are_logged_once_a_day_per_person_for_who_looked(world: World) -> None:
    """Art. 5(2): who saw whom — a list or search that shows a person is logged (ids only) once a
    day per user, reaches the service with the device's log, and the coordinator filters by person."""
    from fieldapp.services.rodo.audit import entries, record_listing
    from fieldapp.sync.audit import fetch_audit, upload_audit

    animator, coordinator = world.device(), world.device(role="supervisor")
    person = contacts.create_contact(animator.store, {"kind": "resident", "name": "Wanda Oglądana"}, CONSENT)
    door = contacts.create_contact(animator.store, {"kind": "resident", "address": "Łąkowa 9"})
    shown = contacts.search_contacts(animator.store, "Wanda")
    assert record_listing(animator.store, [*shown, door]) == 1  # a door without personal data: nothing
    assert record_listing(animator.store, contacts.list_contacts(animator.store)) == 0  # once a day
    assert [e.action for e in entries(animator.store, target_id=person.id)] == ["listed"]
    animator.engine.sync()
    upload_audit(animator.engine)
    page = fetch_audit(coordinator.engine, target_id=person.id)
    assert [(e["action"], e["actor_id"]) for e in page["entries"]] == [("listed", animator.user_id)]
