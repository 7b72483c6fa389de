"""Report figures against a data set whose true counts are computed independently."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest

from fieldapp.reports import build_report
from fieldapp.services import contacts, visits
from fieldapp.store import Store
from tests.reports import dataset
from tests.reports.dataset import END, START, Truth


@pytest.fixture
def warsaw(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The device's local time is Poland's: period edges are local midnights, not UTC ones."""
    monkeypatch.setenv("TZ", "Europe/Warsaw")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def filled(store: Store, warsaw: None) -> tuple[Store, Truth]:
    return store, dataset.build(store)


def test_figures_match_the_independent_count(filled: tuple[Store, Truth]) -> None:
    store, truth = filled
    built = build_report(store, start=START, end=END, zone_ids=truth.wanted)
    report = built["summary"]

    assert report.knocks_by_outcome == dict(truth.knocks)
    assert report.visits == sum(truth.knocks.values())
    assert report.contacts_by_kind == {kind: len(ids) for kind, ids in truth.reached.items()}
    by_zone = {c.zone_id: c for c in built["zones"].zones}
    assert set(by_zone) == set(truth.wanted)
    for zone_id in truth.wanted:
        cov = by_zone[zone_id]
        assert (cov.known_doors, cov.knocked_doors, cov.visits) == (
            len(truth.known[zone_id]),
            len(truth.knocked[zone_id]),
            truth.zone_visits[zone_id],
        )
        assert cov.share == pytest.approx(len(truth.knocked[zone_id]) / len(truth.known[zone_id]))
    assert report.active_leaders == len(truth.leaders)
    assert {k: v for k, v in report.actions_by_status.items() if v} == dict(truth.actions_by_status)
    assert report.actions == sum(truth.actions_by_status.values())
    assert (report.grant_requested_gr, report.grant_granted_gr) == (truth.requested_gr, truth.granted_gr)
    assert str(report.grant_requested_pln) == f"{truth.requested_gr / 100:.2f}"
    assert report.action_participants == truth.action_participants
    assert (report.meetings, report.meeting_participants) == (truth.meetings, truth.meeting_participants)
    assert {c.kind: c.actions for c in report.carried_out_by} == {
        kind: len(ids) for kind, ids in truth.carried.items()
    }
    needs = built["diagnosis"].needs
    assert {n.category.lower(): n.people for n in needs} == {k.lower(): v for k, v in truth.needs.items()}
    people = [n.people for n in needs]
    assert people == sorted(people, reverse=True)
    assert built.zone_names == ["Księży Młyn", "Polesie"]


def test_all_zones_and_an_empty_period(filled: tuple[Store, Truth]) -> None:
    store, truth = filled
    everything = build_report(store, start=START, end=END, zone_ids=None)
    wanted = build_report(store, start=START, end=END, zone_ids=truth.wanted)
    assert everything["summary"].visits > wanted["summary"].visits
    assert len(everything["zones"].zones) == 3
    built = build_report(store, start=date(2020, 1, 1), end=date(2020, 1, 31), zone_ids=None)
    empty = built["summary"]
    assert (empty.visits, empty.actions, empty.active_leaders, empty.contacts_reached) == (0, 0, 0, 0)
    assert all(c.knocked_doors == 0 and c.share == 0 for c in built["zones"].zones)
    nothing = build_report(store, start=START, end=END, zone_ids=[])
    assert nothing["summary"].visits == 0
    assert (nothing["zones"].zones, nothing["diagnosis"].needs) == ([], [])


def test_a_door_counts_once_whatever_the_spelling(store: Store) -> None:
    """A knocked door counts once per street+number+flat, whatever the spelling."""
    zone = dataset.zones.create_zone(store, {"name": "Z"})
    contacts.create_contact(
        store, {"kind": "ngo", "name": "Org", "street": "Długa", "house_number": "5", "zone_id": zone.id}
    )
    for street in ("Długa", " długa ", "DŁUGA"):
        visits.log_visit(store, outcome="not_home", street=street, house_number="5", zone_id=zone.id)
    visits.log_visit(store, outcome="talked", street="Długa", house_number="7", zone_id=zone.id)
    today = date.today()
    report = build_report(store, start=today, end=today, zone_ids=[zone.id])
    [cov] = report["zones"].zones
    assert (cov.known_doors, cov.knocked_doors, cov.visits) == (2, 2, 4)
    assert cov.share == 1.0


def test_erasing_people_leaves_the_counts_unchanged(filled: tuple[Store, Truth]) -> None:
    """RODO erasure clears names, flats and meeting links; the report's figures stay as they were."""
    from sqlmodel import select

    from fieldapp.model import Attendance, Contact, Visit
    from fieldapp.services.rodo.erasure import erase_person

    store, truth = filled
    before = build_report(store, start=START, end=END, zone_ids=truth.wanted)
    with store.read() as session:
        talked = session.exec(
            select(Visit.contact_id).where(Visit.outcome == "talked", Visit.contact_id.is_not(None))
        ).all()
        at_meetings = session.exec(select(Attendance.contact_id)).all()
        people = session.exec(select(Contact.id, Contact.kind).where(Contact.kind == "resident")).all()
    residents = {cid for cid, _kind in people}
    chosen = {next(c for c in talked if c in residents), next(c for c in at_meetings if c in residents)}
    store.set_meta("user.role", "supervisor")
    for contact_id in chosen:
        erase_person(store, contact_id, by="koordynatorka")
    with store.read() as session:
        assert all(session.get(Contact, c).erased_at is not None for c in chosen)
        flats = session.exec(select(Visit.flat).where(Visit.contact_id.in_(chosen))).all()
    assert flats and not any(flats)  # the flats really left the visits
    after = build_report(store, start=START, end=END, zone_ids=truth.wanted)
    assert after.figures == before.figures
