"""Convergence under partitions (issue 3, "Must hold"): devices of one team write while offline, then
sync in random orders with random batch and page sizes and skewed clocks; in the end every device and
the service hold the same data, and every write either won or sits in the conflict log.

The expected result is modelled here, independently of the merge code: each write that reached the
service is kept with its HLC (read from the device right after the write); per field the write with
the greatest HLC wins; a record deleted anywhere stays deleted. A write that lost must be in the
conflict log (value and HLC) unless a later write on that field was made by a device that had seen it
(it was overwritten knowingly, not lost). A device "has seen" a write when it pulled after the write
was pushed, or wrote it itself.

Bounded: ``max_examples`` keeps each backend under 20 s (derandomized, same examples every run);
``TEREN_LONG_FUZZ=1`` runs many more, randomized.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.model import Contact, Visit
from fieldapp.model.base import SyncedRecord
from fieldapp.sync import SyncEngine
from sync import hlc
from sync.hlc import MAX_DRIFT_MS, Clock
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, edit

LONG = os.environ.get("TEREN_LONG_FUZZ") == "1"
DEVICES = 3
MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
YEAR_MS = 365 * 24 * HOUR_MS

MODELS: dict[str, type[SyncedRecord]] = {"contact": Contact, "visit": Visit}
_names = st.sampled_from(["Ala", "Ola", "Ewa", "Jan", "Zenon"])
_notes = st.sampled_from(["", "klatka B", "wróci", "remont"])
#: The fields the test writes (each a strategy of values); a small pool so equal values collide.
FIELDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "contact": {
        "name": _names,
        "phone": st.sampled_from(["", "600 100 200", "600 300 400"]),
        "notes": _notes,
        "do_not_knock": st.booleans(),
    },
    "visit": {"outcome": st.sampled_from(["not_home", "talked", "come_back"]), "notes": _notes},
}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def skew_clock(device: Device, skew_ms: int) -> None:
    """The phone's own clock is set ``skew_ms`` off the real time (its HLC state, and the service's
    time it heard at its last contact, stay: until its next contact it stamps by the wrong clock)."""
    store = device.store
    clock = store.clock
    store.clock = Clock(
        clock.node,
        last=clock.last(),
        wall=lambda: now_ms() + skew_ms,
        offset_ms=clock.offset_ms,
        seen=clock.seen(),
    )


@dataclass
class Write:
    record_type: str
    record_id: str
    name: str
    value: Any
    stamp: str
    device: int
    order: int
    #: The device's last pull event when it wrote (what it had seen).
    seen_event: int
    pushed_event: int | None = None


@dataclass
class Model:
    """What the devices did, and what the service must therefore hold."""

    pushed: list[Write] = field(default_factory=list)
    pending: list[dict[tuple[str, str], Write]] = field(default_factory=list)
    pending_deletes: list[set[str]] = field(default_factory=list)
    last_pull: list[int] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)  # record id -> type, in creation order
    on_service: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    local: list[set[str]] = field(default_factory=list)  # ids each device holds
    event: int = 0
    order: int = 0

    @classmethod
    def of(cls, devices: int) -> Model:
        return cls(
            pending=[{} for _ in range(devices)],
            pending_deletes=[set() for _ in range(devices)],
            last_pull=[0] * devices,
            local=[set() for _ in range(devices)],
        )

    def wrote(self, device: int, record_type: str, record_id: str, name: str, value: Any, stamp: str) -> None:
        self.order += 1
        # An earlier unpushed write of the same field on this device is overwritten locally: it
        # never leaves the device, so it is no write the service must account for.
        self.pending[device][(record_id, name)] = Write(
            record_type, record_id, name, value, stamp, device, self.order, self.last_pull[device]
        )

    def synced(self, device: int) -> None:
        self.event += 1
        for write in self.pending[device].values():
            write.pushed_event = self.event
            self.pushed.append(write)
            self.on_service.add(write.record_id)
        self.pending[device].clear()
        self.deleted |= self.pending_deletes[device]
        self.pending_deletes[device].clear()
        self.last_pull[device] = self.event
        self.local[device] |= self.on_service

    def writes_by_field(self) -> dict[tuple[str, str], list[Write]]:
        grouped: dict[tuple[str, str], list[Write]] = {}
        for write in self.pushed:
            grouped.setdefault((write.record_id, write.name), []).append(write)
        return grouped


def seen_by(earlier: Write, later: Write) -> bool:
    if earlier.device == later.device:
        return earlier.order < later.order
    return earlier.pushed_event is not None and earlier.pushed_event <= later.seen_event


class Run:
    """Drives one example: devices, their writes and syncs, and the model beside them."""

    def __init__(self, world: World, devices: list[Device]) -> None:
        self.world = world
        self.devices = devices
        self.model = Model.of(len(devices))

    def get(self, device: int, record_id: str) -> SyncedRecord | None:
        return self.devices[device].store.get(MODELS[self.model.types[record_id]], record_id)

    def live(self, device: int) -> list[str]:
        # In creation order (not by the random ids): hypothesis replays an example draw for draw.
        found = []
        for record_id in self.model.types:
            if record_id not in self.model.local[device]:
                continue
            record = self.get(device, record_id)
            if record is not None and not record.deleted:
                found.append(record_id)
        return found

    def create(self, device: int, record_type: str, values: dict[str, Any]) -> None:
        store = self.devices[device].store
        if record_type == "contact":
            record: SyncedRecord = Contact(kind="resident", **values)
        else:
            record = Visit(**values)
        with store.write() as conn:
            store.save(conn, record)
        self.model.types[record.id] = record_type
        self.model.local[device].add(record.id)
        for name, value in values.items():
            self.model.wrote(device, record_type, record.id, name, value, record.base_hlc)

    def edit(self, device: int, record_id: str, name: str, value: Any) -> None:
        store = self.devices[device].store
        record = self.get(device, record_id)
        assert record is not None
        setattr(record, name, value)
        with store.write() as conn:
            store.save(conn, record, [name])
        self.model.wrote(device, self.model.types[record_id], record_id, name, value, record.field_hlc(name))

    def delete(self, device: int, record_id: str) -> None:
        store = self.devices[device].store
        record = self.get(device, record_id)
        assert record is not None
        with store.write() as conn:
            store.delete(conn, record)
        self.model.pending_deletes[device].add(record_id)

    def sync(self, device: int) -> int:
        engine = self.devices[device].engine
        # The device hears the service's time first (as a sync's first answer would make it):
        # stamps it made far ahead are pulled back, and the model follows them.
        engine.whoami()
        for write in self.model.pending[device].values():
            record = self.get(device, write.record_id)
            assert record is not None
            write.stamp = record.field_hlc(write.name)
        receipt = engine.sync()
        assert receipt.rejected == [], receipt.rejected
        assert receipt.still_pending == 0
        self.model.synced(device)
        return receipt.pushed + receipt.pulled

    def sync_until_quiet(self) -> None:
        for _ in range(6):
            moved = sum(self.sync(device) for device in range(len(self.devices)))
            if not moved:
                return
        raise AssertionError("the devices kept exchanging changes after six rounds")

    # -- checks ---------------------------------------------------------------------------

    def check(self, fresh: Device, supervisor: SyncEngine) -> None:
        model = self.model
        stores = [d.store for d in self.devices] + [fresh.store]
        for record_id in sorted(model.on_service):
            kind = MODELS[model.types[record_id]]
            held = [store.get(kind, record_id) for store in stores]
            assert all(r is not None for r in held), f"{record_id} missing on a device or the service"
            views = [(r.deleted, r.data()) for r in held if r is not None]
            assert all(v == views[0] for v in views), f"{record_id} differs: {views}"
            assert views[0][0] == (record_id in model.deleted), f"{record_id}: deleted {views[0][0]}"
        logged = self.conflict_log(supervisor)
        for writes in model.writes_by_field().values():
            for earlier in writes:  # causality: an edit made after seeing a value wins over it
                for later in writes:
                    if later is not earlier and seen_by(earlier, later):
                        assert later.stamp > earlier.stamp, f"{later} was made after seeing {earlier}"
        for (record_id, name), writes in model.writes_by_field().items():
            winner = max(writes, key=lambda w: w.stamp)
            record = fresh.store.get(MODELS[model.types[record_id]], record_id)
            assert record is not None
            final = getattr(record, name)
            assert final == winner.value, (
                f"{record_id}.{name} is {final!r}, the write with the greatest HLC was {winner}"
            )
            for write in writes:
                if write.value == final:
                    continue
                if (record_id, name, write.stamp) in logged:
                    assert logged[(record_id, name, write.stamp)] == write.value
                    continue
                overwritten = any(w.stamp > write.stamp and seen_by(write, w) for w in writes)
                assert overwritten, f"lost and not in the conflict log: {write}"

    def conflict_log(self, supervisor: SyncEngine) -> dict[tuple[str, str, str], Any]:
        ids = self.model.on_service
        found: dict[tuple[str, str, str], Any] = {}
        after = 0
        for _ in range(1000):
            page = supervisor.conflicts(after=after, limit=500)
            for item in page.conflicts:
                if item.record_id in ids:
                    found[(item.record_id, item.field, item.loser_hlc)] = item.loser_value
            after = page.cursor
            if not page.has_more:
                return found
        raise AssertionError("the conflict log did not end")


def _values(record_type: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(FIELDS[record_type])


#: Mostly edits (of the shared records: concurrent edits of one field are what conflicts are made of).
_actions = st.sampled_from(["create", "edit", "edit", "edit", "edit", "edit", "delete"])
_device_options = st.fixed_dictionaries(
    {
        "batch_size": st.sampled_from([1, 2, 3, 500]),
        "page_size": st.sampled_from([2, 7, 500]),
        # Phone clocks off the real time: within the service's bound (±9 minutes, two phones up to
        # 18 minutes apart), at its edge (+10 minutes), far behind (2 hours) and far ahead (a year,
        # whose stamps before its first contact are pulled back to the service's time).
        "skew_ms": st.sampled_from(
            [0, 0, -2 * HOUR_MS, -9 * MINUTE_MS, -90_000, 2_000, 9 * MINUTE_MS, 10 * MINUTE_MS, YEAR_MS]
        ),
    }
)


def test_partitioned_devices_converge(world: World) -> None:
    supervisor = world.device(role="supervisor").engine

    @settings(
        max_examples=400 if LONG else 6,
        derandomize=not LONG,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(options=st.lists(_device_options, min_size=DEVICES, max_size=DEVICES), data=st.data())
    def check(options: list[dict[str, Any]], data: st.DataObject) -> None:
        devices = []
        for option in options:
            device = world.device(batch_size=option["batch_size"], page_size=option["page_size"])
            skew_clock(device, option["skew_ms"])
            devices.append(device)
        run = Run(world, devices)
        # A shared start: a few records every device has, then partitioned rounds of writes.
        for _ in range(data.draw(st.integers(1, 3), label="shared records")):
            who = data.draw(st.integers(0, DEVICES - 1), label="device")
            record_type = data.draw(st.sampled_from(["contact", "contact", "visit"]), label="type")
            run.create(who, record_type, data.draw(_values(record_type), label="values"))
        run.sync_until_quiet()
        for _round in range(data.draw(st.integers(1, 3), label="rounds")):
            for _ in range(data.draw(st.integers(1, 10), label="writes")):
                who = data.draw(st.integers(0, DEVICES - 1), label="device")
                live = run.live(who)
                action = data.draw(_actions if live else st.just("create"), label="action")
                if action == "create":
                    record_type = data.draw(st.sampled_from(["contact", "contact", "visit"]), label="type")
                    run.create(who, record_type, data.draw(_values(record_type), label="values"))
                    continue
                # Biased towards the oldest (shared) record: concurrent edits of the same field.
                record_id = data.draw(st.sampled_from([live[0], live[0], *live]), label="record")
                if action == "delete":
                    run.delete(who, record_id)
                    continue
                fields = FIELDS[run.model.types[record_id]]
                name = data.draw(
                    st.sampled_from(["name", "name", "notes", *fields])
                    if "name" in fields
                    else st.sampled_from(sorted(fields)),
                    label="field",
                )
                run.edit(who, record_id, name, data.draw(fields[name], label="value"))
            # Devices that come online this round, in a random order (some twice, some not at all).
            for who in data.draw(st.lists(st.integers(0, DEVICES - 1), max_size=5), label="sync order"):
                run.sync(who)
        run.sync_until_quiet()
        fresh = world.device()  # the service's view: a new device pulling everything
        fresh.engine.sync()
        run.check(fresh, supervisor)
        for device in [*devices, fresh]:
            device.store.close()

    check()


def test_clock_far_ahead_is_restamped_and_converges(world: World) -> None:
    """A phone whose clock jumped a year ahead after its last contact: its HLCs are refused
    (``clock_ahead``), pulled back to the service's time on the device, sent again; both devices end
    equal and the loser is logged."""
    supervisor = world.device(role="supervisor").engine
    ahead, honest = world.device(batch_size=2), world.device(page_size=1)
    run = Run(world, [ahead, honest])
    run.create(1, "contact", {"name": "Ala", "notes": "", "phone": "", "do_not_knock": False})
    run.create(1, "contact", {"name": "Jan", "notes": "", "phone": "", "do_not_knock": False})
    run.sync(1)
    run.sync(0)
    skew_clock(ahead, YEAR_MS)
    first, second = sorted(run.model.on_service)
    run.create(0, "visit", {"outcome": "talked", "notes": "z przyszłości"})
    run.edit(0, first, "name", "Ola")  # a year ahead: would beat every edit for a year
    run.edit(0, second, "notes", "najpierw")
    run.edit(0, second, "notes", "potem")
    future = [w.stamp for w in run.model.pending[0].values()]
    assert all(hlc.wall_ms(s) > now_ms() + MAX_DRIFT_MS for s in future)
    run.edit(1, first, "name", "Ewa")  # the honest phone, a moment later in real time
    receipt = ahead.engine.sync()
    assert receipt.rejected == [] and receipt.still_pending == 0
    assert ahead.store.meta("sync.last_error_code") is None
    # The device's own HLCs were pulled back to the service's time, keeping their order.
    records = [run.get(0, record_id) for record_id in (first, second)]
    stamps = [r.field_hlc(n) for r, n in zip(records, ("name", "notes"), strict=True) if r is not None]
    assert all(hlc.wall_ms(s) <= now_ms() + MAX_DRIFT_MS for s in stamps)
    for write in run.model.pending[0].values():  # the model follows the restamped HLCs
        record = run.get(0, write.record_id)
        assert record is not None
        write.stamp = record.field_hlc(write.name)
        assert hlc.wall_ms(write.stamp) <= now_ms() + MAX_DRIFT_MS
    run.model.synced(0)
    run.sync_until_quiet()
    fresh = world.device()
    fresh.engine.sync()
    run.check(fresh, supervisor)
    honest_record = honest.store.get(Contact, first)
    assert honest_record is not None
    # Restamped to the service's time at its push, the far-ahead edit is newer than the honest edit
    # made before that push: it wins, and the honest value is in the conflict log (checked above).
    assert honest_record.name == "Ola"
    second_record = honest.store.get(Contact, second)
    assert second_record is not None and second_record.notes == "potem"


def test_device_whose_edit_lost_takes_the_winner(world: World) -> None:
    """Two phones, 9 minutes slow and 9 minutes fast, edit the same field without having seen each
    other's edit: the greater HLC wins on the service and the loser's device then holds the winner,
    like every other device."""
    slow, fast = world.device(), world.device()
    skew_clock(slow, -9 * MINUTE_MS)
    skew_clock(fast, 9 * MINUTE_MS)
    contact = add_contact(fast.store, "Ala")
    fast.engine.sync()
    slow.engine.sync()
    stamps = {}
    for device, name in ((fast, "Ewa"), (slow, "Ola")):
        record = device.store.get(Contact, contact.id)
        assert record is not None
        stamps[name] = edit(device.store, record, name=name).field_hlc("name")
    winner = max(stamps, key=stamps.__getitem__)
    first, second = (fast, slow) if winner == "Ewa" else (slow, fast)
    first.engine.sync()
    assert second.engine.sync().merged == 1  # the service kept the greater HLC and logged the other
    first.engine.sync()
    for device in (fast, slow):
        assert device.store.get(Contact, contact.id).name == winner  # type: ignore[union-attr]


def test_a_phone_far_behind_overwrites_what_it_has_seen(world: World) -> None:
    """A phone two hours slow pulls a teammate's value, edits it and syncs: its edit wins (it follows
    the service's time, not its own clock), and it is told its clock is off."""
    honest, slow = world.device(), world.device()
    skew_clock(slow, -2 * HOUR_MS)
    contact = add_contact(honest.store, "Ala")
    honest.engine.sync()
    slow.engine.sync()
    record = slow.store.get(Contact, contact.id)
    assert record is not None and record.name == "Ala"
    edit(slow.store, record, name="Ola")
    receipt = slow.engine.sync()
    assert receipt.merged == 0 and receipt.rejected == []
    honest.engine.sync()
    assert honest.store.get(Contact, contact.id).name == "Ola"  # type: ignore[union-attr]
    off = slow.engine.status().clock_off_ms
    assert off is not None and abs(off - 2 * HOUR_MS) < MINUTE_MS  # behind: the warning shows
    assert honest.engine.status().clock_off_ms is None


def test_a_phone_far_ahead_overwrites_what_it_has_seen(world: World) -> None:
    """A teammate 9 minutes fast writes a value; a phone pulls it, then its clock jumps a year ahead
    and it edits the value offline. Its stamps are refused and pulled back to the service's time, but
    after the value it had seen: its edit wins, and it is told its clock is off."""
    fast, ahead = world.device(), world.device()
    skew_clock(fast, 9 * MINUTE_MS)
    contact = add_contact(fast.store, "Ala")
    fast.engine.sync()
    ahead.engine.sync()
    skew_clock(ahead, YEAR_MS)
    record = ahead.store.get(Contact, contact.id)
    assert record is not None and record.name == "Ala"
    edit(ahead.store, record, name="Ola")
    assert hlc.wall_ms(record.field_hlc("name")) > now_ms() + YEAR_MS - HOUR_MS
    receipt = ahead.engine.sync()
    assert receipt.merged == 0 and receipt.rejected == [] and receipt.still_pending == 0
    fast.engine.sync()
    assert fast.store.get(Contact, contact.id).name == "Ola"  # type: ignore[union-attr]
    held = ahead.store.get(Contact, contact.id)
    assert held is not None and hlc.wall_ms(held.field_hlc("name")) <= now_ms() + MAX_DRIFT_MS
    off = ahead.engine.status().clock_off_ms
    assert off is not None and abs(off + YEAR_MS) < MINUTE_MS  # ahead: the warning shows
    add_contact(ahead.store, "Jan")  # the clock was set back too: new stamps are not refused
    assert ahead.engine.sync().rejected == []
