"""The engagement ladder on a generated history whose right answers the test works out itself.

The generator writes visits, meetings, attendance, actions and group leaderships — including
records that must not count (nobody home, a deleted meeting, a tombstoned attendance, a planned or
dropped action, a meeting after the as-of date, a plain membership, a deleted group) — and keeps its
own list of which (person, rung, date) facts each valid record proves.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from fieldapp.cooperation import Rung, engagement_ladder, ladder_report, ladders
from fieldapp.model import (
    Attendance,
    Contact,
    GroupMember,
    LocalActivityGroup,
    Meeting,
    NeighbourhoodAction,
    Visit,
)
from fieldapp.services.cooperation import (
    add_attendee,
    create_group,
    create_meeting,
    group_members,
    set_member_role,
)
from fieldapp.store import Store
from tests.cooperation.helpers import contact, visit, zone

AS_OF = date(2025, 6, 30)
START = date(2025, 1, 1)


def _day(rng: random.Random) -> date:
    return START + timedelta(days=rng.randrange(0, 240))  # some fall after AS_OF


def test_ladder_and_report_match_the_generated_history(store: Store) -> None:
    rng = random.Random(42)
    zone_a, zone_b = zone(store, "Bałuty"), zone(store, "Widzew")
    facts: dict[str, dict[Rung, date]] = defaultdict(dict)

    def prove(person: str, rung: Rung, on: date) -> None:
        if on <= AS_OF and (rung not in facts[person] or on < facts[person][rung]):
            facts[person][rung] = on

    with store.write() as conn:
        people = []
        for i in range(45):
            kind = "resident" if i % 9 else "ngo"
            person = Contact(kind=kind, name=f"Osoba {i}", zone_id=zone_a.id if i % 4 else zone_b.id)
            store.save(conn, person)
            people.append(person)
        ids = [p.id for p in people]

        meetings = []
        for i in range(12):
            meeting = Meeting(topic=f"Spotkanie {i}", held_on=_day(rng), deleted=(i == 0))
            store.save(conn, meeting)
            meetings.append(meeting)
        actions = []
        for i in range(10):
            status = rng.choice(["done", "reported", "planned", "dropped", "done"])
            organisers = rng.sample(ids, 2)
            partners = rng.sample(ids, 1)
            starts = _day(rng) if i % 3 else None
            action = NeighbourhoodAction(
                title=f"Działanie {i}",
                status=status,
                starts_on=starts,
                status_changed_at=datetime(2025, 3, 3, 12, tzinfo=UTC),
                organiser_ids=organisers,
                partner_ids=partners,
            )
            store.save(conn, action)
            actions.append(action)
            happened_on = starts or date(2025, 3, 3)
            if status in ("done", "reported"):
                for person in organisers:
                    prove(person, Rung.ACTION, happened_on)
                    prove(person, Rung.CO_ORGANISED, happened_on)
                for person in partners:
                    prove(person, Rung.ACTION, happened_on)
        groups = [LocalActivityGroup(name=f"Grupa {i}", theme="x", deleted=(i == 3)) for i in range(4)]
        for group in groups:
            store.save(conn, group)

        for person in ids:
            for _ in range(rng.randrange(0, 3)):
                on = _day(rng)
                outcome = rng.choice(["talked", "talked", "not_home", "come_back"])
                at = datetime(on.year, on.month, on.day, 11, tzinfo=UTC)
                store.save(conn, Visit(contact_id=person, outcome=outcome, visited_at=at))
                if outcome == "talked":
                    prove(person, Rung.MET, on)
            for meeting in rng.sample(meetings, rng.randrange(0, 4)):
                role = rng.choice(["participant", "participant", "organiser"])
                tombstoned = rng.random() < 0.15
                store.save(
                    conn,
                    Attendance(event_id=meeting.id, contact_id=person, role=role, deleted=tombstoned),
                )
                if not meeting.deleted and not tombstoned:
                    prove(person, Rung.MEETING, meeting.held_on)
                    if role == "organiser":
                        prove(person, Rung.CO_ORGANISED, meeting.held_on)
            for action in rng.sample(actions, rng.randrange(0, 3)):
                role = rng.choice(["participant", "participant", "organiser"])
                store.save(
                    conn, Attendance(event_type="action", event_id=action.id, contact_id=person, role=role)
                )
                if action.status in ("done", "reported"):
                    on = action.starts_on or date(2025, 3, 3)
                    prove(person, Rung.ACTION, on)
                    if role == "organiser":
                        prove(person, Rung.CO_ORGANISED, on)
            if rng.random() < 0.3:
                group = rng.choice(groups)
                role = rng.choice(["leader", "member"])
                since = _day(rng)
                store.save(
                    conn,
                    GroupMember(
                        group_id=group.id, contact_id=person, role=role, role_since=since, joined_on=START
                    ),
                )
                if role == "leader" and not group.deleted:
                    prove(person, Rung.LEADS_GROUP, since)

    found = ladders(store, ids, as_of=AS_OF)
    for person in ids:
        expected = facts.get(person, {})
        got = {step.rung: step.reached_on for step in found[person].steps if step.reached_on}
        assert got == expected, person
        assert found[person].level == (max(expected) if expected else None)
    levels = [max(facts[p]) for p in ids if facts.get(p)]
    assert {Rung.MET, Rung.MEETING, Rung.ACTION, Rung.CO_ORGANISED, Rung.LEADS_GROUP} <= set(levels)

    one = ids[5]
    assert engagement_ladder(store, one, as_of=AS_OF) == found[one]

    since = date(2025, 3, 1)
    report = ladder_report(store, zone_id=zone_a.id, since=since, until=AS_OF)
    in_report = [p.id for p in people if p.zone_id == zone_a.id and p.kind == "resident"]
    assert report.people == len(in_report)
    expected_levels = {"none": 0, **{r.code: 0 for r in Rung}}
    expected_reached = {r.code: 0 for r in Rung}
    for person in in_report:
        rungs = facts.get(person, {})
        expected_levels[max(rungs).code if rungs else "none"] += 1
        for rung, on in rungs.items():
            if on >= since:
                expected_reached[rung.code] += 1
    assert report.at_level == expected_levels
    assert report.reached_in_period == expected_reached


def test_the_ladder_moves_as_things_happen(store: Store) -> None:
    ala = contact(store, "Ala")
    assert engagement_ladder(store, ala.id).level is None
    visit(store, ala.id, date(2025, 2, 1))
    assert engagement_ladder(store, ala.id).level == Rung.MET
    meeting = create_meeting(store, {"topic": "Forum", "held_on": "2025-03-01"})
    add_attendee(store, meeting.id, ala.id)
    ladder = engagement_ladder(store, ala.id)
    assert ladder.level == Rung.MEETING
    assert [(s.rung, s.reached_on) for s in ladder.history] == [
        (Rung.MET, date(2025, 2, 1)),
        (Rung.MEETING, date(2025, 3, 1)),
    ]
    assert ladder.steps[1].source == ("meeting", meeting.id)
    group = create_group(store, {"name": "Ogród", "theme": "ogród"}, member_ids=[ala.id])
    assert engagement_ladder(store, ala.id).level == Rung.MEETING
    set_member_role(store, group_members(store, group.id)[0].id, "leader", since="2025-04-01")
    assert engagement_ladder(store, ala.id).reached_on(Rung.LEADS_GROUP) == date(2025, 4, 1)
