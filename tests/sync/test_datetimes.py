"""Times written on this device and times pulled from colleagues compare as times, not as text
spellings: lists sort by them and "a later visit" means later."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fieldapp.model import Contact, Visit
from fieldapp.services.visits import follow_ups_due, recent_visits
from fieldapp.store import Store
from tests.sync.conftest import Device, World


def _visit(device_store: Store, contact: Contact, at: datetime, **fields: object) -> Visit:
    visit = Visit(
        contact_id=contact.id, street=contact.street, house_number=contact.house_number,
        outcome="talked", visited_at=at, **fields,
    )  # fmt: skip
    with device_store.write() as conn:
        return device_store.save(conn, visit)


def _two_devices_with_one_door(world: World) -> tuple[Device, Device, Contact]:
    """Two devices of a team, both holding the same door (made on the first, pulled by the second)."""
    a, b = world.device(), world.device()
    door = Contact(kind="resident", name="Zofia", street="Zielona", house_number="3")
    with a.store.write() as conn:
        a.store.save(conn, door)
    a.engine.sync()
    b.engine.sync()
    return a, b, door


def test_pulled_visits_sort_by_time_among_my_own(world: World) -> None:
    a, b, door = _two_devices_with_one_door(world)
    day = datetime(2026, 11, 20, tzinfo=UTC)
    _visit(a.store, door, day.replace(hour=9, minute=30))
    _visit(b.store, door, day.replace(hour=8))
    _visit(b.store, door, day.replace(hour=10, minute=15, microsecond=250000))
    b.engine.sync()
    a.engine.sync()
    b.engine.sync()

    for store in (a.store, b.store):
        times = [v.visited_at.strftime("%H:%M") for v in recent_visits(store)]
        assert times == ["10:15", "09:30", "08:00"]


def test_a_colleagues_earlier_visit_leaves_my_follow_up_due(world: World) -> None:
    a, b, door = _two_devices_with_one_door(world)
    day = datetime(2026, 11, 20, tzinfo=UTC)
    mine = _visit(a.store, door, day.replace(hour=11), follow_up_on=date(2026, 11, 27))
    a.engine.sync()
    _visit(b.store, door, day.replace(hour=9))  # earlier the same day: it settles nothing
    b.engine.sync()
    a.engine.sync()

    assert [v.id for v in follow_ups_due(a.store, date(2026, 11, 27))] == [mine.id]
    b.engine.sync()
    assert [v.id for v in follow_ups_due(b.store, date(2026, 11, 27))] == [mine.id]
