"""The report benchmark's program-scale records beyond ``fieldapp.sample.fill``: 2,000 actions
through their lifecycle, Local Activity Groups with members, partnerships with partners of each
sector, meetings of every kind with attendance (training sessions in series), volunteers with
hours. Written with ``Store.insert`` (trusted values, one transaction) and a fixed seed."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from fieldapp.model import (
    Attendance,
    GroupAction,
    GroupMember,
    LocalActivityGroup,
    Meeting,
    NeighbourhoodAction,
    Partner,
    Partnership,
    TrainingSeries,
    Volunteer,
    VolunteerHours,
    new_id,
)
from fieldapp.model.cooperation import MeetingKind
from fieldapp.store import Store, raw

STATUSES = ("idea", "planned", "funded", "done", "reported", "dropped")


def _day(rng: random.Random, today: date, back: int = 3 * 365) -> date:
    return today - timedelta(days=rng.randint(0, back))


def fill_program(store: Store, *, actions: int = 2_000, seed: int = 22) -> dict[str, int]:
    rng = random.Random(seed)
    today = date.today()
    with store.engine.connect() as conn:
        zones = [r[0] for r in raw(conn).execute("SELECT id FROM zone WHERE deleted = 0")]
        people = raw(conn).execute("SELECT id, kind, zone_id FROM contact WHERE deleted = 0").fetchall()
    persons = [p for p in people if p[1] in ("resident", "leader")]
    orgs = [p for p in people if p[1] not in ("resident", "leader")]
    rows: dict[type, list[dict]] = {
        m: []
        for m in (
            NeighbourhoodAction,
            LocalActivityGroup,
            GroupMember,
            GroupAction,
            Partnership,
            Partner,
            TrainingSeries,
            Meeting,
            Attendance,
            Volunteer,
            VolunteerHours,
        )
    }
    action_ids = []
    for i in range(actions):
        status = rng.choice(STATUSES)
        starts = _day(rng, today)
        action_id = new_id()
        action_ids.append(action_id)
        rows[NeighbourhoodAction].append(
            {
                "id": action_id,
                "zone_id": rng.choice(zones),
                "title": f"Działanie {i}",
                "status": status,
                "starts_on": starts,
                "status_changed_at": datetime.combine(starts, datetime.min.time()).astimezone(),
                "organiser_ids": [rng.choice(orgs)[0]] if rng.random() < 0.7 else [],
                "partner_ids": [rng.choice(orgs)[0] for _ in range(rng.randint(0, 2))],
                "grant_requested_gr": rng.randrange(150_000, 500_001, 5_000),
                "grant_granted_gr": rng.randrange(150_000, 300_001, 5_000)
                if status in ("funded", "done", "reported")
                else None,
                "participants": rng.randint(10, 150) if status in ("done", "reported") else 0,
                "report": "Sprawozdanie" if status == "reported" else "",
            }
        )
    for z, zone in enumerate(zones):
        local = [p for p in persons if p[2] == zone] or persons
        for g in range(25):
            group_id = new_id()
            rows[LocalActivityGroup].append(
                {
                    "id": group_id,
                    "zone_id": zone,
                    "name": f"Grupa {z}-{g}",
                    "bond": rng.choice(("theme", "problem", "street")),
                    "status": "active",
                    "founded_on": _day(rng, today),
                }
            )
            for k, person in enumerate(rng.sample(local, min(len(local), 12))):
                rows[GroupMember].append(
                    {
                        "group_id": group_id,
                        "contact_id": person[0],
                        "role": "leader" if k == 0 else "member",
                        "joined_on": _day(rng, today),
                    }
                )
            rows[GroupAction].append({"group_id": group_id, "action_id": rng.choice(action_ids)})
        for n in range(10):
            partnership_id = new_id()
            rows[Partnership].append(
                {
                    "id": partnership_id,
                    "zone_id": zone,
                    "name": f"Partnerstwo {z}-{n}",
                    "phase": rng.choice(("forming", "storming", "norming", "performing")),
                }
            )
            for sector in rng.sample(("public", "civic", "business"), rng.randint(1, 3)):
                rows[Partner].append(
                    {"partnership_id": partnership_id, "contact_id": rng.choice(orgs)[0], "sector": sector}
                )
        series_id = new_id()
        rows[TrainingSeries].append(
            {
                "id": series_id,
                "zone_id": zone,
                "name": f"Cykl {z}",
                "sessions_planned": 10,
                "hours_planned": 160,
            }
        )
        for m in range(150):
            meeting_id = new_id()
            kind = rng.choice(list(MeetingKind))
            rows[Meeting].append(
                {
                    "id": meeting_id,
                    "zone_id": zone,
                    "kind": kind,
                    "topic": f"Spotkanie {m}",
                    "held_on": _day(rng, today),
                    "anonymous_count": rng.randint(0, 20),
                    "duration_min": rng.choice((60, 90, 120, 240)),
                    "series_id": series_id if kind == MeetingKind.TRAINING else None,
                    "outcome": "Rekomendacje" if kind == MeetingKind.CONSULTATION else "",
                }
            )
            for person in rng.sample(local, min(len(local), 15)):
                rows[Attendance].append(
                    {"event_type": "meeting", "event_id": meeting_id, "contact_id": person[0]}
                )
        for person in rng.sample(local, min(len(local), 20)):
            volunteer_id = new_id()
            rows[Volunteer].append(
                {
                    "id": volunteer_id,
                    "contact_id": person[0],
                    "zone_id": zone,
                    "activity": "Pomoc",
                    "since": _day(rng, today),
                }
            )
            for _ in range(10):
                rows[VolunteerHours].append(
                    {
                        "volunteer_id": volunteer_id,
                        "worked_on": _day(rng, today),
                        "minutes": rng.choice((60, 120, 180)),
                    }
                )
    with store.write() as conn:
        for model, values in rows.items():
            for i in range(0, len(values), 2_000):
                store.insert(conn, model, values[i : i + 2_000])
    return {model.record_type: len(values) for model, values in rows.items()}
