"""The device app killed mid-sync (SIGKILL of a child process during ``engine.sync()``): a restart
converges, nothing lost, nothing doubled."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldapp.model import Contact
from tests.faults.helpers import service_records
from tests.sync.conftest import Device, World
from tests.sync.helpers import contact_names, outbox_count

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("sync_child.py")


def _add(device: Device, prefix: str, count: int) -> None:
    with device.store.write() as conn:
        for i in range(count):
            device.store.save(conn, Contact(kind="resident", name=f"{prefix} {i}"))


def _child(device: Device, point: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(device.store.path), point],
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, stdout=subprocess.PIPE,
    )


SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_killed_after_a_push_was_committed_then_restarted(world: World) -> None:
    _killed_at(world, "push:2")


@SQLITE_ONLY
def test_killed_before_a_pulled_page_was_applied_then_restarted(world: World) -> None:
    _killed_at(world, "pull:1")


def _killed_at(world: World, point: str) -> None:
    a, b = world.device(batch_size=50), world.device(batch_size=50, page_size=50)
    _add(b, "Od B", 120)
    b.engine.sync()
    _add(a, "Od A", 180)
    child = _child(a, point)
    assert child.wait(60) == -signal.SIGKILL
    if point.startswith("push"):
        held = service_records(world.db, world.program_id, "contact")
        assert len(held) == 120 + 100  # two batches committed, the second never acknowledged
    a.engine.sync()  # the app starts again
    b.engine.sync()
    held = service_records(world.db, world.program_id, "contact")
    assert len(held) == 300 and outbox_count(a.store) == 0
    assert contact_names(a.store) == contact_names(b.store) == {i: d["name"] for i, d in held.items()}


@SQLITE_ONLY
def test_killed_at_random_instants_then_restarted(world: World) -> None:
    a = world.device(batch_size=50)
    rng = random.Random(3)
    _add(a, "Runda 0", 150)
    for round_no in range(1, 3):  # bounded: two kills at random instants of a sync
        child = _child(a, "never")
        assert child.stdout is not None and child.stdout.readline().strip() == b"syncing"
        time.sleep(rng.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        _add(a, f"Runda {round_no}", 20)
    a.engine.sync()
    held = service_records(world.db, world.program_id, "contact")
    assert len(held) == 150 + 2 * 20 and outbox_count(a.store) == 0
    assert contact_names(a.store) == {i: d["name"] for i, d in held.items()}
