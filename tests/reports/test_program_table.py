"""The program's own results, entered as the screens enter them and read back as the city reads
them: 93 micro-grant applications (43 realised and reported with 8,000 participants, realised by
15 NGOs, 10 natural persons, 9 informal groups, 4 municipal culture institutions, 3 entrepreneurs
and 2 social cooperatives; the other 50 rejected or withdrawn) go from an animator's device
through the real sync service to a coordinator who evaluates them, back to the animator who
realises and reports the accepted ones, and into the coordinator's report and its XLSX."""

from __future__ import annotations

import io
import time
import uuid
from datetime import date, timedelta

import openpyxl
import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.model import NeighbourhoodAction
from fieldapp.reports import build_report
from fieldapp.reports.export import to_xlsx
from fieldapp.services import applications, contacts, zones
from fieldapp.services.clause import BUILTIN_VERSION
from sync import hlc
from tests.sync.conftest import World
from tests.sync.helpers import push_raw

GIVEN = {
    "status": "given",
    "method": "written",
    "scope_contact": True,
    "scope_store": True,
    "recorded_by": "Ola",
    "adult": True,
    "clause_version": BUILTIN_VERSION,
}
#: Lead implementers of the realised initiatives: (contact kind, how many). Natural persons come as
#: residents, leaders and natural persons with a role: all are counted as natural persons.
REALISED = [
    ("ngo", 15),
    ("natural_person", 6),
    ("leader", 2),
    ("resident", 2),
    ("informal_group", 9),
    ("municipal_culture", 4),
    ("business", 3),
    ("social_cooperative", 2),
]
REJECTED, WITHDRAWN = 43, 7
OTHER_KINDS = ("ngo", "culture", "education", "day_support", "cis", "social_economy", "informal_group")


def _implementer(store, kind: str, n: int) -> str:
    data = {"kind": kind, "name": f"Wykonawca {kind} {n}", "city": "Łódź"}
    if kind == "natural_person":
        data["person_role"] = ("animator", "artist", "educator", "streetworker")[n % 4]
    person = kind in ("natural_person", "leader", "resident")
    return contacts.create_contact(store, data, GIVEN if person else None).id


def _participants(count: int, total: int) -> list[int]:
    each = total // count
    return [each] * (count - 1) + [total - each * (count - 1)]


def test_ninety_three_applications_reach_the_report_and_its_xlsx(world: World) -> None:
    animator, coordinator = world.device(), world.device(role="supervisor")
    today = date.today()
    zone = zones.create_zone(animator.store, {"name": "Śródmieście — ćwiartka 1", "kind": "quarter"}).id
    leads = [kind for kind, count in REALISED for _ in range(count)]
    leads += [OTHER_KINDS[i % len(OTHER_KINDS)] for i in range(REJECTED + WITHDRAWN)]
    assert len(leads) == 93
    ids = []
    for n, kind in enumerate(leads):
        lead = _implementer(animator.store, kind, n)
        action = applications.create_application(
            animator.store,
            {
                "title": f"Inicjatywa {n + 1}",
                "zone_id": zone,
                "kind": "festival",
                "lead_id": lead,
                "loi_signed": True,
                "grant_requested_gr": 150_000 + 3_500 * n,
                "submitted_on": today - timedelta(days=20),
            },
        )
        ids.append(action.id)
    realised, rejected, withdrawn = ids[:43], ids[43 : 43 + REJECTED], ids[43 + REJECTED :]
    for action_id in withdrawn:
        applications.withdraw_application(animator.store, action_id)
    # An animator does not decide: this device refuses, as the service would.
    with pytest.raises(ValidationFailed) as refused:
        applications.decide_application(
            animator.store, realised[0], "accepted", {"grant_granted_gr": 300_000}
        )
    assert [e.code for e in refused.value.errors] == ["application_decision_role"]
    animator.engine.sync()

    coordinator.engine.sync()
    for action_id in realised:
        applications.start_evaluation(coordinator.store, action_id)
        applications.decide_application(
            coordinator.store,
            action_id,
            "accepted",
            {"grant_granted_gr": 300_000, "evaluation_score": 80, "evaluation_notes": "Dobry plan"},
        )
    for action_id in rejected:
        applications.decide_application(
            coordinator.store, action_id, "rejected", {"decision_reason": "Poza obszarem programu"}
        )
    coordinator.engine.sync()

    animator.engine.sync()
    for action_id, people in zip(realised, _participants(43, 8_000), strict=True):
        applications.realise(animator.store, action_id, {"starts_on": today - timedelta(days=3)})
        applications.report(
            animator.store,
            action_id,
            {"participants": people, "report": "Festyn na podwórku, dzieci i seniorzy."},
        )
    animator.engine.sync()
    coordinator.engine.sync()

    stored = coordinator.store.get(NeighbourhoodAction, realised[0])
    assert stored is not None
    assert (applications.application_stage(stored), stored.evaluation_score) == ("reported", 80)
    report = build_report(coordinator.store, start=today - timedelta(days=30), end=today, zone_ids=None)
    program = report["program"]
    assert (program.submitted, program.realised, program.reported, program.participants) == (
        93,
        43,
        43,
        8_000,
    )
    assert program.by_state == {
        "under_evaluation": 0,
        "accepted": 43,
        "rejected": REJECTED,
        "withdrawn": WITHDRAWN,
    }
    assert program.granted_gr == 43 * 300_000
    rows = {i.kind: i.initiatives for i in program.by_implementer}
    assert rows == {
        "ngo": 15,
        "natural_person": 10,
        "informal_group": 9,
        "municipal_culture": 4,
        "business": 3,
        "social_cooperative": 2,
    }
    assert sum(rows.values()) == 43

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(report, "pl")))
    cells = [tuple(c for c in row if c is not None) for row in book["Program"].iter_rows(values_only=True)]
    figures = {row[0]: row[1] for row in cells if len(row) == 2}
    assert figures["Złożone wnioski"] == 93
    assert figures["Zrealizowane inicjatywy"] == 43
    assert figures["Osoby uczestniczące w inicjatywach"] == 8_000
    start = cells.index(("Rodzaj wykonawcy", "Inicjatywy", "Osoby uczestniczące"))
    table = cells[start + 1 : start + 8]
    assert [(r[0], r[1]) for r in table[:6]] == [
        ("Organizacja pozarządowa", 15),
        ("Osoba fizyczna", 10),
        ("Grupa nieformalna", 9),
        ("Miejska instytucja kultury", 4),
        ("Przedsiębiorca", 3),
        ("Spółdzielnia socjalna", 2),
    ]
    assert sum(r[1] for r in table[:6]) == 43 and table[6][:3] == ("Razem", 43, 8_000)


def test_the_service_refuses_an_animators_decision(world: World) -> None:
    """A device that skips its own role check is refused by the service (403 ``forbidden``): the
    change is dropped, the coordinator never sees the decision."""
    animator, coordinator = world.device(), world.device(role="supervisor")
    lead = _implementer(animator.store, "ngo", 1)
    action = applications.create_application(
        animator.store,
        {"title": "Kiermasz", "lead_id": lead, "loi_signed": True, "grant_requested_gr": 200_000},
    )
    animator.engine.sync()
    action.application_status = "accepted"
    action.grant_granted_gr = 200_000
    with animator.store.write() as conn:  # what a tampered app would write
        animator.store.save(conn, action, ["application_status", "grant_granted_gr"])
    receipt = animator.engine.sync()
    assert [(r.record_type, r.id, r.code) for r in receipt.rejected] == [("action", action.id, "forbidden")]
    coordinator.engine.sync()
    seen = coordinator.store.get(NeighbourhoodAction, action.id)
    assert seen is not None and (seen.application_status, seen.grant_granted_gr) == ("submitted", None)


def test_the_service_refuses_what_the_rules_refuse_with_stable_codes(world: World) -> None:
    """A supervisor's device that skipped its checks: an action realised with a future date, an
    application accepted without an amount granted. Each change is refused with its field and code."""
    coordinator = world.device(role="supervisor")
    stamp = hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(coordinator.store.device_id))
    future = (date.today() + timedelta(days=30)).isoformat()

    def change(fields: dict[str, object]) -> dict[str, object]:
        return {
            "record_type": "action",
            "id": str(uuid.uuid4()),
            "fields": fields,
            "hlcs": dict.fromkeys(fields, stamp),
            "full": True,
            "base_hlc": stamp,
            "op": "upsert",
        }

    realised_ahead = change({"title": "Festyn", "status": "done", "starts_on": future})
    accepted_bare = change(
        {
            "title": "Kino",
            "application_status": "accepted",
            "lead_id": "x",
            "loi_signed": True,
            "grant_requested_gr": 200_000,
            "submitted_on": date.today().isoformat(),
        }
    )
    body = {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": [realised_ahead, accepted_bare]}
    answer = push_raw(world.url, coordinator, body)
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [(r["status"], r["code"]) for r in results] == [("rejected", "invalid_value")] * 2
    assert [[(e["field"], e["code"]) for e in r["errors"]] for r in results] == [
        [("starts_on", "action_date_in_future")],
        [("grant_granted_gr", "application_granted_required")],
    ]
