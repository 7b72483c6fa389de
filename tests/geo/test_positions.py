"""Contacts' positions: queued while offline, resolved when the geocoder answers, never guessed."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from fieldapp.geo.geocoding import Geocoding
from fieldapp.geo.positions import (
    GeocodeQueue,
    QueueResolver,
    choose_place,
    place_fields,
    set_position,
)
from fieldapp.model import Contact, Zone, utcnow
from fieldapp.store import Store
from tests.geo import lodz
from tests.geo.conftest import settings_for
from tests.geo.fake_nominatim import FakeNominatim, free_port, lodz_gazetteer


def save(store: Store, record, changed: list[str] | None = None):
    """What the services do: place fields first, then the one write path."""
    with store.write() as conn:
        extra = place_fields(conn, record, changed)
        store.save(conn, record, None if changed is None else [*changed, *extra])
    return record


def fresh(store: Store, contact: Contact) -> Contact:
    return store.get(Contact, contact.id)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def resident(address: str = "Piotrkowska 72", city: str = "Łódź", **fields) -> Contact:
    return Contact(kind="resident", name="Anna", address=address, city=city, **fields)


def test_new_address_waits_in_the_queue(store: Store) -> None:
    contact = save(store, resident())
    assert fresh(store, contact).position_status == "pending"
    queue = GeocodeQueue(store, Geocoding(store))
    [item] = queue.items()
    assert (item.record_id, item.query, item.state) == (contact.id, "Piotrkowska 72, Łódź", "pending")
    nobody = save(store, Contact(kind="ngo", name="Bez adresu"))
    assert fresh(store, nobody).position_status == "" and len(queue.items()) == 1


def test_offline_queue_resolves_when_the_server_comes_up(store: Store) -> None:
    corridor = Zone(name="Piotrkowska", polygon=lodz.PIOTRKOWSKA_CORRIDOR)
    with store.write() as conn:
        store.save(conn, corridor)
    server = FakeNominatim(lodz_gazetteer(), port=free_port())  # not started: offline
    queue = GeocodeQueue(store, Geocoding(store, settings_for(server)), retry_base_s=0.2, retry_max_s=0.5)
    anna = save(store, resident("Piotrkowska 72"))
    jan = save(store, resident("Traugutta 3"))

    report = queue.process()
    assert report.stopped == "offline" and report.waiting == 2 and not report.changed
    [first, second] = queue.items()
    assert (first.attempts, first.last_error) == (1, "offline")
    assert second.attempts == 0  # the pass stopped: no point asking again while offline
    assert fresh(store, anna).position_status == "pending" and fresh(store, anna).lat is None

    changes = []
    resolver = QueueResolver(queue, idle_s=0.2, on_change=changes.append).start()
    try:
        time.sleep(0.3)
        assert fresh(store, anna).position_status == "pending"
        server.start()  # connectivity returns; the resolver notices by itself
        # Each address resolves on its own back-off schedule: wait for both, and for the report.
        wait_for(lambda: all(fresh(store, c).position_status == "ok" for c in (anna, jan)))
        wait_for(lambda: bool(changes) and changes[-1].waiting == 0)
    finally:
        resolver.stop()
        server.stop()
    anna, jan = fresh(store, anna), fresh(store, jan)
    assert (anna.lat, anna.lon) == pytest.approx(lodz.PIOTRKOWSKA_72)
    assert (jan.lat, jan.lon) == pytest.approx(lodz.TRAUGUTTA_3)
    assert anna.zone_id == corridor.id and jan.zone_id is None  # zone derived as the position lands
    assert queue.items() == [] and changes and changes[-1].waiting == 0
    # The resolved position is an ordinary synced edit.
    assert {"lat", "lon", "position_status", "zone_id"} <= set(anna.field_hlcs)


def test_offline_rows_back_off_doubling_up_to_the_cap(store: Store) -> None:
    """The saved retry time follows ``fieldapp.retry.delay`` without jitter: 100, 200, then 250 s."""
    offline = FakeNominatim(lodz_gazetteer(), port=free_port())  # never started
    queue = GeocodeQueue(store, Geocoding(store, settings_for(offline)), retry_base_s=100, retry_max_s=250)
    save(store, resident("Piotrkowska 72"))
    for attempts, wait in ((1, 100), (2, 200), (3, 250), (4, 250)):
        before = utcnow()
        assert queue.process(force=True).stopped == "offline"
        [item] = queue.items()
        assert item.attempts == attempts
        ahead = (item.next_attempt_at - before).total_seconds()
        assert wait - 1 <= ahead <= wait + 5, attempts


def test_wake_retries_at_once_despite_back_off(store: Store, nominatim: FakeNominatim) -> None:
    queue = GeocodeQueue(store, Geocoding(store, settings_for(nominatim)), retry_base_s=3600)
    contact = save(store, resident())
    nominatim.mode = "error"
    resolver = QueueResolver(queue, idle_s=3600).start()
    try:
        wait_for(lambda: len(nominatim.hits) == 1)
        wait_for(lambda: queue.items()[0].attempts == 1)
        assert queue.seconds_until_due() > 500  # backed off
        nominatim.mode = "normal"
        resolver.wake()  # e.g. the sync client saw the network come back
        wait_for(lambda: fresh(store, contact).position_status == "ok")
    finally:
        resolver.stop()


def test_ambiguous_answer_is_left_for_the_user_to_pick(store: Store, geocoding: Geocoding) -> None:
    contact = save(store, resident("Kościuszki 5", city=""))
    queue = GeocodeQueue(store, geocoding)
    assert queue.process().needs_choice == [contact.id]
    assert fresh(store, contact).position_status == "failed" and fresh(store, contact).lat is None
    [item] = queue.attention()
    assert item.state == "needs_choice" and item.last_error == "several"
    lodz_place = next(c for c in item.candidates if c.city == "Łódź")
    choose_place(store, "contact", contact.id, lodz_place)
    picked = fresh(store, contact)
    assert (picked.position_status, picked.lat, picked.lon) == ("ok", lodz_place.lat, lodz_place.lon)
    assert queue.items() == []


def test_not_found_then_pinned_by_hand(store: Store, geocoding: Geocoding) -> None:
    contact = save(store, resident("Nieistniejąca 1"))
    queue = GeocodeQueue(store, geocoding)
    assert queue.process().not_found == [contact.id]
    assert [i.state for i in queue.attention()] == ["not_found"]
    set_position(store, "contact", contact.id, *lodz.ZIELONA_2)
    pinned = fresh(store, contact)
    assert pinned.position_status == "manual" and (pinned.lat, pinned.lon) == lodz.ZIELONA_2
    assert queue.items() == []
    # The pin outlives a correction of the address line.
    pinned.address = "Zielona 2"
    save(store, pinned, ["address"])
    assert fresh(store, contact).position_status == "manual" and queue.items() == []


def test_corrected_address_is_asked_again(store: Store, geocoding: Geocoding) -> None:
    contact = save(store, resident("Nieistniejąca 1"))
    queue = GeocodeQueue(store, geocoding)
    queue.process()
    contact = fresh(store, contact)
    contact.address = "Moniuszki 4"
    save(store, contact, ["address"])
    assert fresh(store, contact).position_status == "pending"
    assert queue.process().resolved == [contact.id]
    assert (fresh(store, contact).lat, fresh(store, contact).lon) == pytest.approx(lodz.MONIUSZKI_4)


def test_moving_house_clears_the_old_position(store: Store, geocoding: Geocoding) -> None:
    contact = save(store, resident("Piotrkowska 72"))
    GeocodeQueue(store, geocoding).process()
    moved = fresh(store, contact)
    assert moved.position_status == "ok"
    moved.address = "Tuwima 10"
    save(store, moved, ["address"])
    moved = fresh(store, contact)
    assert (moved.position_status, moved.lat, moved.lon) == ("pending", None, None)


def test_stale_answer_is_dropped(store: Store, geocoding: Geocoding) -> None:
    contact = save(store, resident("Piotrkowska 72"))
    queue = GeocodeQueue(store, geocoding)
    [old] = queue.items()
    contact.address = "Tuwima 10"
    save(store, contact, ["address"])  # edited while the old request was out
    assert queue.resolve(old) is None
    assert fresh(store, contact).position_status == "pending"
    assert queue.process().resolved == [contact.id]
    assert (fresh(store, contact).lat, fresh(store, contact).lon) == pytest.approx(lodz.TUWIMA_10)


def test_rate_limit_postpones_by_retry_after(store: Store, nominatim: FakeNominatim) -> None:
    nominatim.mode, nominatim.retry_after = "rate_limited", 120
    queue = GeocodeQueue(store, Geocoding(store, settings_for(nominatim)))
    save(store, resident("Piotrkowska 72"))
    save(store, resident("Traugutta 3"))
    report = queue.process()
    assert report.stopped == "rate_limited" and len(nominatim.hits) == 1
    assert 100 < queue.seconds_until_due() <= 120


def test_coordinates_given_by_hand_are_manual(store: Store) -> None:
    contact = save(store, resident(lat=lodz.EC1[0], lon=lodz.EC1[1]))
    assert fresh(store, contact).position_status == "manual"
    assert GeocodeQueue(store, Geocoding(store)).items() == []
    located = save(store, resident(lat=lodz.EC1[0], lon=lodz.EC1[1], position_status="ok"))
    assert fresh(store, located).position_status == "ok"
    with pytest.raises(ValueError):
        save(store, resident(lat=123.0, lon=0.0))


def test_erased_or_deleted_contacts_leave_the_queue(store: Store) -> None:
    erased = save(store, resident("Piotrkowska 72"))
    deleted = save(store, resident("Traugutta 3"))
    queue = GeocodeQueue(store, Geocoding(store))
    assert len(queue.items()) == 2
    with store.write() as conn:
        erased.erased_at = utcnow()
        store.save(conn, erased, ["erased_at"])
        store.delete(conn, deleted)
    assert queue.items() == []
