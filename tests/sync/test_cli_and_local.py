"""``teren-sync`` commands and the embedded service the demo uses."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from fieldapp.demo import connect_demo_device
from fieldapp.store import Store
from fieldapp.sync import SyncEngine
from sync.gc_tuning import FIRST_THRESHOLD, tune_for_service
from sync.server import accounts
from sync.server.cli import main
from sync.server.db import Database
from sync.server.local import start_local_server
from tests.sync.helpers import add_contact


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_cli_team_user_enroll_revoke_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "service.db")
    team = _run(capsys, "--db", db, "create-team", "Zespół Bałuty", "--program", "Łódź").strip()
    user = _run(capsys, "--db", db, "create-user", "Ala", "--role", "animator", "--team", team).strip()
    png = tmp_path / "qr.png"
    out = _run(capsys, "--db", db, "enroll", user, "--server", "http://127.0.0.1:1", "--png", str(png))
    assert "teren://enroll?server=http%3A%2F%2F127.0.0.1%3A1&code=" in out
    assert png.read_bytes()[:4] == b"\x89PNG"
    code = next(line.split()[1] for line in out.splitlines() if line.startswith("code:"))
    redeemed = accounts.redeem(Database(db), code, "phone-1")
    status = json.loads(_run(capsys, "--db", db, "status"))
    assert (status["teams"], status["users"], len(status["devices"])) == (1, 1, 1)
    assert "revoked 1" in _run(capsys, "--db", db, "revoke", redeemed.device_id)
    assert main(["--db", db, "revoke", "no-such-device"]) == 1
    assert main(["--db", db, "create-user", "Bob", "--role", "animator"]) == 2  # needs a team


def test_local_service_and_demo_setup(tmp_path: Path) -> None:
    with start_local_server(tmp_path / "service.db") as server:
        demo = accounts.create_demo_setup(server.db, server.url)
        again = accounts.create_demo_setup(server.db, server.url)
        assert again.user_id == demo.user_id and again.enrollment.code != demo.enrollment.code
        store = Store(tmp_path / "device.db")
        try:
            engine = SyncEngine(store)
            assert engine.enroll(demo.enrollment.uri).enrolled
            add_contact(store, "Ala")
            assert engine.sync().applied == 1
        finally:
            store.close()


def test_demo_device_stays_enrolled_across_restarts(tmp_path: Path) -> None:
    store = Store(tmp_path / "device.db")
    try:
        with start_local_server(tmp_path / "service.db") as server:
            engine = connect_demo_device(server, store)
            token = engine.vault.read()
            add_contact(store, "Ala")
            receipt = engine.sync()
            assert (receipt.applied, receipt.pulled) == (1, 0)  # its own change is not pulled back
        with start_local_server(tmp_path / "service.db") as again:
            engine = connect_demo_device(again, store)
            assert engine.vault.read() == token and engine.status().server_url == again.url
            assert engine.whoami()["role"] == "animator"
            assert engine.sync().pushed == 0
        with start_local_server(tmp_path / "other.db") as fresh:
            assert connect_demo_device(fresh, store).vault.read() != token
    finally:
        store.close()


def test_the_service_process_tunes_the_collector() -> None:
    """``serve`` moves the loaded modules' objects out of the collector's sight and collects young
    objects less often (a push holds tens of thousands of them until it is answered)."""
    before = gc.get_threshold()
    try:
        tune_for_service()
        assert gc.get_threshold() == (FIRST_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
