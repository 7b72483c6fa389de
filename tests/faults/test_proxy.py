"""Syncing through a network that drops, cuts and delays connections: nothing lost, nothing doubled."""

from __future__ import annotations

import random

from fieldapp.sync import SyncError
from tests.faults.chaos_proxy import ChaosProxy
from tests.faults.helpers import explained, service_records
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact, contact_names, edit

ROUNDS = 10


def _visit_notes(device: Device) -> dict[str, str]:
    with device.store.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, notes FROM visit").all())


def test_many_syncs_through_a_broken_network_converge(world: World) -> None:
    from fieldapp.model import Visit

    port = int(world.url.rsplit(":", 1)[1])
    devices = [world.device(retries=1, timeout=5.0), world.device(retries=1, timeout=5.0)]
    rng = random.Random(11)
    codes: set[str] = set()
    with ChaosProxy(port, seed=5, drop=0.2, cut=0.2) as proxy:
        for device in devices:
            device.engine.move_to(proxy.url)
        mine: dict[int, list] = {0: [], 1: []}
        for round_no in range(ROUNDS):
            for n, device in enumerate(devices):
                contact = add_contact(device.store, f"Osoba {n}-{round_no}")
                mine[n].append(contact)
                visit = Visit(contact_id=contact.id, outcome="talked", notes=f"r{round_no}")
                with device.store.write() as conn:
                    device.store.save(conn, visit)
                if rng.random() < 0.5:
                    edit(device.store, rng.choice(mine[n]), name=f"Poprawiona {n}-{round_no}")
                try:
                    device.engine.sync()
                except SyncError as exc:
                    codes.add(exc.code)
                    assert device.engine.status().last_error_code == exc.code
        proxy.calm()
        for _ in range(2):  # everyone pushes what is left, then everyone pulls what the others sent
            for device in devices:
                device.engine.sync()
    assert proxy.events["drop"] and proxy.events["cut_answers"], proxy.events
    assert codes and all(explained(code) for code in codes), codes
    held = service_records(world.db, world.program_id, "contact")
    held_visits = service_records(world.db, world.program_id, "visit")
    for device in devices:
        assert device.engine.status().pending == 0 and device.engine.status().last_error_code is None
        assert contact_names(device.store) == {i: data["name"] for i, data in held.items()}
        assert _visit_notes(device) == {i: data["notes"] for i, data in held_visits.items()}
    assert len(held) == len(held_visits) == 2 * ROUNDS  # nothing lost, nothing doubled
