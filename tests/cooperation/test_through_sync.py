"""Groups, meetings, attendance and partnerships travel through the real sync service (SQLite and
PostgreSQL) like every other record: a teammate's device sees the same network, concurrent edits
merge field by field, and erasing a person's links keeps the head-counts on every device."""

from __future__ import annotations

from fieldapp.services import contacts
from fieldapp.services.cooperation import (
    create_group,
    create_meeting,
    create_partnership,
    erase_person_links,
    group_summary,
    meeting_summary,
    move_to_phase,
    partnership_summary,
    quick_add_attendee,
    update_group,
)
from tests.sync.conftest import World

GIVEN = {
    "status": "given",
    "method": "oral",
    "scope_contact": True,
    "scope_store": True,
    "adult": True,
    "clause_version": "teren-2026.1",
    "recorded_by": "Ola",
}


def person(store, name: str):
    return contacts.create_contact(store, {"kind": "resident", "name": name}, GIVEN)


def test_network_records_reach_a_teammate_and_merge(world: World) -> None:
    a, b = world.device(), world.device()
    ala, ela = person(a.store, "Ala Nowak"), person(a.store, "Ela Wójcik")
    library = contacts.create_contact(a.store, {"kind": "culture", "name": "Biblioteka, filia 3"})
    shop = contacts.create_contact(a.store, {"kind": "business", "name": "Piekarnia Zielona"})
    group = create_group(
        a.store, {"name": "Podwórko Zielona 7", "theme": "zieleń"}, member_ids=[ala.id], leader_ids=[ela.id]
    )
    meeting = create_meeting(
        a.store,
        {"topic": "Forum sąsiedzkie", "held_on": "2026-05-20", "anonymous_count": 3},
        organiser_ids=[library.id],
        attendee_ids=[ala.id],
    )
    quick_add_attendee(a.store, meeting.id, {"kind": "resident", "name": "Jan Król"}, GIVEN)
    partnership = create_partnership(
        a.store,
        {"name": "Razem dla Polesia", "phase_since": "2026-01-10"},
        partners=[{"contact_id": library.id}, {"contact_id": shop.id}],
    )
    move_to_phase(a.store, partnership.id, "storming", on="2026-03-01")
    a.engine.sync()
    b.engine.sync()

    seen = group_summary(b.store, group.id)
    assert sorted(c.name for _, c in seen.members) == ["Ala Nowak", "Ela Wójcik"]
    assert [c.name for c in seen.leaders] == ["Ela Wójcik"]
    held = meeting_summary(b.store, meeting.id)
    assert sorted(c.name for _, c in held.attendees) == ["Ala Nowak", "Biblioteka, filia 3", "Jan Król"]
    assert held.head_count == 6
    joint = partnership_summary(b.store, partnership.id)
    assert joint.partnership.phase == "storming" and joint.cross_sector
    assert [change.phase for change in joint.history] == ["forming", "storming"]

    # Two devices edit different fields of the group offline: both edits survive the round.
    update_group(a.store, group.id, {"name": "Zielone Podwórko"})
    update_group(b.store, group.id, {"theme": "zieleń i ławki"})
    for device in (a, b, a):
        device.engine.sync()
    for device in (a, b):
        merged = group_summary(device.store, group.id).group
        assert (merged.name, merged.theme) == ("Zielone Podwórko", "zieleń i ławki")

    # Erasing Ala's links on one device: on the other she leaves the lists, the counts stay.
    with a.store.write() as conn:
        erase_person_links(conn, a.store, ala.id)
    a.engine.sync()
    b.engine.sync()
    after = meeting_summary(b.store, meeting.id)
    assert "Ala Nowak" not in {c.name for _, c in after.attendees}
    assert after.head_count == 6 and after.erased == 1
    members = group_summary(b.store, group.id)
    assert [c.name for _, c in members.members] == ["Ela Wójcik"] and members.member_count == 2
