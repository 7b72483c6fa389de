"""A report data set built through the real services, with its true figures kept on the side.

``build(store)`` fills the store (zones A, B, C; contacts of every kind; door-knocks inside, at the
edges of and outside March 2026; meetings, a group, actions through their lifecycle) and returns a
``Truth`` the tests compare the report with: every figure is counted here in plain Python from what
was written, never by reading the store back.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from fieldapp.services import actions, contacts, diagnoses, visits, zones
from fieldapp.services.cooperation import groups, meetings
from fieldapp.store import Store

START, END = date(2026, 3, 1), date(2026, 3, 31)
CONSENT = {
    "status": "given",
    "method": "oral",
    "scope_contact": True,
    "scope_store": True,
    "adult": True,
    "clause_version": "teren-2026.1",
    "recorded_by": "Ola",
}
STREETS = ("Więckowskiego", "Zielona", "Łąkowa")
OUTCOMES = ("not_home", "talked", "refused", "come_back", "do_not_knock")


def local(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute).astimezone()


def door(street: str, number: str, flat: str = "") -> str:
    """A building entrance: the flat does not count (erasure removes it)."""
    return f"{street.strip().lower()}|{number.strip().lower()}"


@dataclass
class Truth:
    zone_ids: dict[str, str] = field(default_factory=dict)  # name → id
    knocks: Counter[str] = field(default_factory=Counter)
    reached: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # kind → ids
    known: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # zone → doors
    knocked: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    zone_visits: Counter[str] = field(default_factory=Counter)
    leaders: set[str] = field(default_factory=set)
    actions_by_status: Counter[str] = field(default_factory=Counter)
    requested_gr: int = 0
    granted_gr: int = 0
    action_participants: int = 0
    meeting_participants: int = 0
    meetings: int = 0
    carried: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # kind → action ids
    needs: dict[str, int] = field(default_factory=dict)  # category → people

    @property
    def wanted(self) -> list[str]:
        return [self.zone_ids["Polesie"], self.zone_ids["Księży Młyn"]]


def build(store: Store, *, seed: int = 11, knocks: int = 150) -> Truth:
    rng = random.Random(seed)
    truth = Truth()
    for name in ("Polesie", "Księży Młyn", "Bałuty"):
        truth.zone_ids[name] = zones.create_zone(store, {"name": name, "kind": "sas"}).id
    wanted = set(truth.wanted)

    def in_period(day: date) -> bool:
        return START <= day <= END

    # Contacts: people (no personal data without consent → consent given), organisations with names.
    people: list[tuple[str, str, str]] = []  # (id, kind, zone)
    for i in range(24):
        kind = "leader" if i % 4 == 0 else "resident"
        zone = rng.choice(list(truth.zone_ids.values()))
        street, number, flat = rng.choice(STREETS), str(rng.randint(1, 9)), str(rng.randint(1, 3))
        contact = contacts.create_contact(
            store,
            {
                "kind": kind,
                "name": f"Osoba {i}",
                "street": street,
                "house_number": number,
                "flat": flat,
                "zone_id": zone,
            },
            CONSENT,
        )
        people.append((contact.id, kind, zone))
        truth.known[zone].add(door(street, number, flat))
    orgs: dict[str, str] = {}
    for kind in ("ngo", "culture", "business", "social_economy", "informal_group"):
        zone = truth.zone_ids["Polesie"]
        orgs[kind] = contacts.create_contact(
            store,
            {
                "kind": kind,
                "name": f"Org {kind}",
                "street": "Piotrkowska",
                "house_number": "1" + kind[0],
                "zone_id": zone,
            },
        ).id
        truth.known[zone].add(door("Piotrkowska", "1" + kind[0]))
    kind_of = {cid: kind for cid, kind, _z in people} | {cid: kind for kind, cid in orgs.items()}

    # Door-knocks: at random doors, some to known people; inside, at the edges of and outside March.
    days = [date(2026, 2, 28), START, date(2026, 3, 15), END, date(2026, 4, 1)]
    items = []
    for _ in range(knocks):
        day = rng.choice(days)
        hour, minute = rng.choice([(0, 5), (12, 0), (23, 55)])
        outcome = rng.choice(OUTCOMES)
        if rng.random() < 0.3:
            cid, _kind, zone = rng.choice(people)
            contact = contacts.get_contact(store, cid)
            street, number, flat = contact.street, contact.house_number, contact.flat
        else:
            cid, zone = None, rng.choice(list(truth.zone_ids.values()))
            street, number, flat = rng.choice(STREETS), str(rng.randint(1, 12)), rng.choice(["", "1", "2"])
        items.append(
            {
                "outcome": outcome,
                "zone_id": zone,
                "street": street,
                "house_number": number,
                "flat": flat,
                "contact_id": cid,
                "visited_at": local(day, hour, minute),
            }
        )
        truth.known[zone].add(door(street, number, flat))
        if in_period(day) and zone in wanted:
            truth.knocks[outcome] += 1
            truth.knocked[zone].add(door(street, number, flat))
            truth.zone_visits[zone] += 1
            if outcome == "talked" and cid:
                truth.reached[kind_of[cid]].add(cid)
                if kind_of[cid] == "leader":
                    truth.leaders.add(cid)
    # A knock with no house number: counted as a knock, never as a door.
    items.append(
        {
            "outcome": "not_home",
            "zone_id": truth.wanted[0],
            "street": "Zielona",
            "visited_at": local(date(2026, 3, 10)),
        }
    )
    truth.knocks["not_home"] += 1
    truth.zone_visits[truth.wanted[0]] += 1
    visits.log_visits(store, items)

    # Meetings: one in March in Polesie (2 listed + 5 anonymous), one in April, one in Bałuty.
    leaders = [cid for cid, kind, _z in people if kind == "leader"]
    residents = [cid for cid, kind, _z in people if kind == "resident"]
    meetings.create_meeting(
        store,
        {"topic": "Forum", "held_on": date(2026, 3, 20), "zone_id": truth.wanted[0], "anonymous_count": 5},
        organiser_ids=[orgs["ngo"]],
        attendee_ids=[leaders[0], residents[0]],
    )
    truth.reached["ngo"].add(orgs["ngo"])  # people at meetings count as participants, not "reached"
    truth.leaders.add(leaders[0])
    truth.meetings, truth.meeting_participants = 1, 3 + 5
    meetings.create_meeting(
        store,
        {"topic": "Later", "held_on": date(2026, 4, 2), "zone_id": truth.wanted[0]},
        attendee_ids=[leaders[1]],
    )
    meetings.create_meeting(
        store,
        {"topic": "Elsewhere", "held_on": date(2026, 3, 5), "zone_id": truth.zone_ids["Bałuty"]},
        attendee_ids=[leaders[2]],
    )

    # A group led by a leader since February (active in March); another leader left before March.
    group = groups.create_group(
        store,
        {"name": "Ogrodnicy", "theme": "ogródki", "zone_id": truth.wanted[1], "founded_on": date(2026, 2, 1)},
        leader_ids=[leaders[3]],
    )
    truth.leaders.add(leaders[3])

    # Actions: (title, zone, day, statuses to pass, requested, granted, participants, organisers).
    plans = [
        (
            "Festyn",
            "Polesie",
            date(2026, 3, 14),
            ["planned", "funded", "done"],
            250_000,
            200_000,
            120,
            [orgs["ngo"], leaders[4]],
        ),
        (
            "Kiermasz",
            "Księży Młyn",
            date(2026, 3, 28),
            ["planned", "done", "reported"],
            150_000,
            150_000,
            40,
            [orgs["business"], orgs["informal_group"]],
        ),
        ("Warsztaty", "Polesie", date(2026, 3, 3), ["planned"], 300_000, None, 0, [orgs["culture"]]),
        ("Porzucone", "Polesie", date(2026, 3, 9), ["dropped"], 500_000, None, 0, [leaders[5]]),
        ("Kwiecień", "Polesie", date(2026, 4, 9), ["planned", "done"], 100_000, 100_000, 10, [orgs["ngo"]]),
        ("Bałuty", "Bałuty", date(2026, 3, 9), ["planned", "done"], 100_000, 90_000, 15, [orgs["ngo"]]),
    ]
    for title, zone, day, moves, requested, granted, participants, organisers in plans:
        action = actions.create_action(
            store,
            {
                "title": title,
                "zone_id": truth.zone_ids[zone],
                "starts_on": day,
                "organiser_ids": organisers,
                "grant_requested_gr": requested,
                "grant_granted_gr": granted,
                "participants": participants,
                "report": "Sprawozdanie",
            },
        )
        for status in moves:
            actions.advance_action(store, action.id, status)
        counted = in_period(day) and truth.zone_ids[zone] in wanted
        if title == "Kiermasz":
            groups.link_action(store, group.id, action.id)
            meetings.record_action_participants(store, action.id, [orgs["social_economy"]], role="organiser")
            organisers = [*organisers, orgs["social_economy"]]
            if counted:
                truth.carried["activity_group"].add(action.id)
        if not counted:
            continue
        status = moves[-1]
        truth.actions_by_status[status] += 1
        if status != "dropped":
            truth.requested_gr += requested or 0
            truth.granted_gr += granted or 0
        if status in ("done", "reported"):
            truth.action_participants += participants
            for cid in organisers:
                truth.carried[kind_of[cid]].add(action.id)
        if status != "dropped":
            truth.leaders.update(cid for cid in organisers if kind_of[cid] == "leader")

    # Needs of diagnoses overlapping March (one outside it, one in Bałuty).
    for zone, period, needs in [
        ("Polesie", (date(2026, 2, 1), None), [("Ławki", 10), ("Zieleń", 4)]),
        ("Księży Młyn", (date(2026, 3, 10), date(2026, 3, 20)), [("ławki ", 3), ("Świetlica", 12)]),
        ("Polesie", (date(2025, 1, 1), date(2025, 2, 1)), [("Stare", 50)]),
        ("Bałuty", (date(2026, 3, 1), None), [("Bałuckie", 30)]),
    ]:
        diagnosis = diagnoses.create_diagnosis(
            store,
            {
                "zone_id": truth.zone_ids[zone],
                "title": f"Diagnoza {zone}",
                "period_start": period[0],
                "period_end": period[1],
            },
        )
        for category, count in needs:
            diagnoses.add_need(store, diagnosis.id, {"category": category, "people_count": count})
            overlaps = period[0] <= END and (period[1] is None or period[1] >= START)
            if truth.zone_ids[zone] in wanted and overlaps:
                key = category.strip().capitalize()
                truth.needs[key] = truth.needs.get(key, 0) + count
    return truth
