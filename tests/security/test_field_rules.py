"""Values and moves that break the models' rules, pushed straight to the real service over HTTP with
a valid animator token (as a tampered app would): each change is refused with ``invalid_value`` and
``errors`` naming the field and the rule's code, nothing of it is stored, and a teammate's device
pulls nothing of it. Well-formed values the rules allow (a program's own visit outcome, an action
whose offline moves were coalesced) are still taken."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from fieldapp.model import NeighbourhoodAction, Review, Visit
from fieldapp.services import visits
from sync import hlc
from tests.security.test_hostile_input import snapshot
from tests.sync.conftest import Device, World, backend, server, world  # noqa: F401 (fixtures)
from tests.sync.helpers import push_raw

DAY = timedelta(days=1)


def change(
    record_type: str, fields: dict[str, Any], record_id: str | None = None, *, full: bool = True
) -> Any:
    stamp = hlc.encode(time.time_ns() // 1_000_000, 0, hlc.node_for(uuid.uuid4().hex))
    time.sleep(0.002)  # a later change has a later HLC
    return {
        "record_type": record_type,
        "id": record_id or str(uuid.uuid4()),
        "fields": fields,
        "hlcs": dict.fromkeys(fields, stamp),
        "full": full,
        "base_hlc": stamp,
    }


def push(team: World, device: Device, *changes: dict[str, Any]) -> list[dict[str, Any]]:
    body = {"protocol": 1, "batch_id": uuid.uuid4().hex, "changes": list(changes)}
    answer = push_raw(team.url, device, body)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def refusal(result: dict[str, Any]) -> tuple[str, str | None, set[tuple[str, str]]]:
    return result["status"], result["code"], {(e["field"], e["code"]) for e in result.get("errors", [])}


def visit(**fields: Any) -> dict[str, Any]:
    return change("visit", {"outcome": "talked", **fields})


def action(**fields: Any) -> dict[str, Any]:
    return change("action", {"title": "Festyn", **fields})


def _iso(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


NOW = datetime.now(UTC)
ATTACKS = [
    ("latitude 91", lambda: change("contact", {"kind": "resident", "name": "Ala", "lat": 91.0, "lon": 19.4}),
     {("lat", "number_out_of_range")}),
    ("longitude -500", lambda: visit(lat=51.7, lon=-500.0), {("lon", "number_out_of_range")}),
    ("visit in the year 9999", lambda: visit(visited_at="9999-12-31T12:00:00+00:00"),
     {("visited_at", "date_out_of_range")}),
    ("visit next year", lambda: visit(visited_at=_iso(NOW + 300 * DAY)), {("visited_at", "date_in_future")}),
    ("follow-up in the year 9999", lambda: visit(follow_up_on="9999-01-01"),
     {("follow_up_on", "date_out_of_range")}),
    ("follow-up in five years", lambda: visit(follow_up_on=(NOW + 5 * 365 * DAY).date().isoformat()),
     {("follow_up_on", "date_too_far")}),
    ("-5,000 participants", lambda: action(participants=-5000), {("participants", "invalid_number")}),
    ("a grant of -1,000 PLN", lambda: action(grant_requested_gr=-100_000),
     {("grant_requested_gr", "invalid_number")}),
    ("an action created reported", lambda: action(status="reported"),
     {("report", "action_report_required"), ("participants", "action_participants_required")}),
    ("an action done in the future",
     lambda: action(status="done", starts_on=(NOW + 30 * DAY).date().isoformat()),
     {("starts_on", "action_date_in_future")}),
    ("a status no action has", lambda: action(status="approved"), {("status", "invalid_choice")}),
    ("a corrected review out of nothing", lambda: change("review", {"state": "corrected"}),
     {("target_type", "required"), ("target_id", "required"), ("state", "review_not_returned"),
      ("comment", "review_comment_required")}),
    ("a vertical tab and an escape in a name",
     lambda: change("contact", {"kind": "resident", "name": "Ala\x0b\x1b[31m"}), {("name", "invalid_text")}),
    ("an escape in a visit's notes", lambda: visit(notes="ok\x1b[2J"), {("notes", "invalid_text")}),
    ("a newline in a street", lambda: visit(street="Zielona\n2"), {("street", "invalid_text")}),
    ("a malformed outcome", lambda: visit(outcome="Nie ma!"), {("outcome", "invalid_code")}),
    ("a 100 kB note", lambda: visit(notes="n" * 100_000), {("notes", "too_long")}),
    ("a name for a contact id", lambda: visit(contact_id="Ala Nowak, Zielona 2/4, tel. 600100200"),
     {("contact_id", "unknown_record")}),
]


@pytest.fixture
def team(world: World) -> World:  # noqa: F811 (the fixture)
    """A fresh program with two teams on the module's service."""
    return world


def _pulled_ids(device: Device) -> set[str]:
    with device.store.engine.connect() as conn:
        return {
            row[0]
            for table in ("contact", "visit", "neighbourhoodaction", "review")
            for row in conn.exec_driver_sql(f"SELECT id FROM {table}")
        }


@pytest.mark.parametrize(("label", "make", "broken"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_a_change_that_breaks_a_rule_is_refused_by_name_and_stores_nothing(
    team: World, label: str, make: Any, broken: set[tuple[str, str]]
) -> None:
    animator, teammate = team.device(), team.device()
    before = snapshot(team.db)
    attack = make()
    [result] = push(team, animator, attack)
    assert refusal(result) == ("rejected", "invalid_value", broken), label
    assert snapshot(team.db)["records"] == before["records"]
    teammate.engine.sync()
    assert attack["id"] not in _pulled_ids(teammate)


def _stored_action(team: World, animator: Device, **fields: Any) -> dict[str, Any]:
    created = action(**fields)
    assert refusal(push(team, animator, created)[0]) == ("applied", None, set())
    return created


def test_an_action_may_skip_steps_of_its_lifecycle_but_not_its_needs(team: World) -> None:
    """Offline moves are coalesced (idea → done arrives as one edit): reachable is allowed; what a
    status needs is not skipped, and nothing goes back from reported."""
    animator, teammate = team.device(), team.device()
    held = _stored_action(team, animator, starts_on=(NOW - 3 * DAY).date().isoformat())
    straight = change("action", {"status": "reported"}, held["id"], full=False)
    assert refusal(push(team, animator, straight)[0]) == ("rejected", "invalid_value", {
        ("report", "action_report_required"), ("participants", "action_participants_required"),
    })
    coalesced = change("action", {"status": "done", "participants": 40}, held["id"], full=False)
    assert refusal(push(team, animator, coalesced)[0]) == ("applied", None, set())
    report = change("action", {"status": "reported", "report": "Przyszło 40 osób"}, held["id"], full=False)
    assert refusal(push(team, animator, report)[0]) == ("applied", None, set())
    before = snapshot(team.db)
    back = change("action", {"status": "planned", "report": ""}, held["id"], full=False)
    assert refusal(push(team, animator, back)[0]) == (
        "rejected", "invalid_value", {("status", "action_transition")}
    )
    assert snapshot(team.db)["records"] == before["records"]  # the whole change refused, the report too
    teammate.engine.sync()
    pulled = teammate.store.get(NeighbourhoodAction, held["id"])
    assert (pulled.status, pulled.participants, pulled.report) == ("reported", 40, "Przyszło 40 osób")


def test_a_returned_entry_is_corrected_by_its_author(team: World) -> None:
    animator, boss = team.device(), team.device("supervisor")
    entry = visit(visited_at=_iso(NOW - DAY))
    push(team, animator, entry)
    review = change("review", {"target_type": "visit", "target_id": entry["id"], "state": "returned"})
    assert refusal(push(team, boss, review)[0]) == ("rejected", "invalid_value", {
        ("comment", "review_comment_required"),
    })
    review["fields"]["comment"] = "Popraw adres"
    review["hlcs"]["comment"] = review["base_hlc"]
    assert refusal(push(team, boss, review)[0]) == ("applied", None, set())
    corrected = change("review", {"state": "corrected"}, review["id"], full=False)
    assert refusal(push(team, animator, corrected)[0]) == ("applied", None, set())
    boss.engine.sync()
    assert boss.store.get(Review, review["id"]).state == "corrected"


def test_well_formed_values_the_rules_allow_are_taken(team: World) -> None:
    """A program's own outcome code, free text with line breaks, a follow-up next month."""
    animator, teammate = team.device(), team.device()
    own = visit(outcome="domofon_bez_odpowiedzi", notes="Drugie piętro.\nWrócić\tpo 17.",
                follow_up_on=(date.today() + 30 * DAY).isoformat(), lat=51.77, lon=19.46)
    assert refusal(push(team, animator, own)[0]) == ("applied", None, set())
    teammate.engine.sync()
    pulled = teammate.store.get(Visit, own["id"])
    assert (pulled.outcome, pulled.notes) == ("domofon_bez_odpowiedzi", "Drugie piętro.\nWrócić\tpo 17.")
    assert own["id"] in {v.id for v in visits.recent_visits(teammate.store)}
