"""``teren-demo`` prepares the embedded default: a local sync service and an enrolled, filled device."""

from __future__ import annotations

from pathlib import Path

from fieldapp.demo import prepare
from fieldapp.store import Store
from fieldapp.sync import SyncEngine


def test_demo_enrolls_fills_and_syncs_the_device(tmp_path: Path) -> None:
    server = prepare(tmp_path, 0, contacts=40, visits=120)
    try:
        store = Store(tmp_path / "device" / "teren.db")
        try:
            status = SyncEngine(store).status()
            assert status.enrolled and status.server_url == server.url
            assert store.pending_changes() == 0  # everything reached the service
            assert store.meta("demo.filled") == "1"
        finally:
            store.close()
    finally:
        server.stop()
