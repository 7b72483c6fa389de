"""The collector's settings while sync runs: fewer collections, and the app's own afterwards."""

from __future__ import annotations

import gc
import threading

from sync.gc_tuning import FIRST_THRESHOLD, fewer_collections
from tests.sync.conftest import World
from tests.sync.helpers import add_contact


def test_a_sync_collects_less_often_and_gives_the_setting_back(world: World) -> None:
    device = world.device()
    for n in range(3):
        add_contact(device.store, f"Mieszkanka {n}")
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    receipt = device.engine.sync(progress=lambda _done, _total: seen.append(gc.get_threshold()))
    assert receipt.pushed == 3
    assert seen and all(threshold[0] == max(FIRST_THRESHOLD, before[0]) for threshold in seen)
    assert gc.get_threshold() == before


def test_overlapping_holders_restore_the_setting_once_the_last_ends() -> None:
    before = gc.get_threshold()
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with fewer_collections():
            inside.set()
            release.wait(5)

    other = threading.Thread(target=hold)
    other.start()
    assert inside.wait(5)
    with fewer_collections():
        assert gc.get_threshold()[0] == max(FIRST_THRESHOLD, before[0])
    assert gc.get_threshold()[0] == max(FIRST_THRESHOLD, before[0])  # the other sync still runs
    release.set()
    other.join(5)
    assert gc.get_threshold() == before
