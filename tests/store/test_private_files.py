"""The store, its -wal/-shm, the data folder, logs and exports are for the app's user alone
(folders 0700, files 0600) whatever the umask, and an older, looser store is tightened at open."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldapp.services import zones
from fieldapp.store import Store
from fieldapp.ui.logfile import setup_logging

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def desktop_umask() -> Iterator[None]:
    """A desktop session's umask: without care, files would be 0644 and folders 0755."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sidecars(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def test_a_new_store_and_its_folders_are_private(tmp_path: Path) -> None:
    path = tmp_path / "home" / "teren" / "teren.db"
    store = Store(path)
    try:
        zones.create_zone(store, {"name": "Bałuty", "kind": "sas"})
        assert all(p.exists() for p in sidecars(path))
        assert [mode(p) for p in sidecars(path)] == [0o600] * 3
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    finally:
        store.close()


def test_an_older_looser_store_is_tightened_at_open(tmp_path: Path) -> None:
    folder = tmp_path / "teren"
    path = folder / "teren.db"
    first = Store(path)  # kept open: its -wal and -shm stay on disk
    try:
        zones.create_zone(first, {"name": "Bałuty", "kind": "sas"})
        for file in sidecars(path):
            file.chmod(0o644)  # as an older version left them
        folder.chmod(0o755)
        again = Store(path)
        again.close()
        assert [mode(p) for p in sidecars(path)] == [0o600] * 3
        assert mode(folder) == 0o700
    finally:
        first.close()


def test_a_shared_sticky_folder_is_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    store = Store(shared / "teren.db")
    store.close()
    assert mode(shared) == 0o1777 and mode(shared / "teren.db") == 0o600


def test_logs_are_private(tmp_path: Path) -> None:
    logs = tmp_path / "teren" / "logs"
    logs.mkdir(parents=True)
    (logs / "teren.log").write_text("older line\n")  # 0644, as an older version wrote it
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        path = setup_logging(tmp_path / "teren")
        handler = next(h for h in root.handlers if h not in handlers)
        logging.getLogger("fieldapp.test").warning("a trace may name a person")
        assert mode(path) == 0o600 and mode(logs) == 0o700
        handler.doRollover()  # type: ignore[attr-defined]
        logging.getLogger("fieldapp.test").warning("after the rotation")
        assert mode(path) == 0o600 and mode(logs / "teren.log.1") == 0o600
        assert "after the rotation" in path.read_text()
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
