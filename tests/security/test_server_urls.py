"""Enrollment codes name only addresses devices may be sent to (issue 19, finding 10, the service's
part): https, or plain http on loopback, or with ``--insecure-http`` (a lab); never an address with
user-info, whose real host is not the one a reader sees first."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from sync.protocol import check_server_url
from sync.server import accounts
from sync.server import tables as t
from sync.server.cli import main as teren_sync
from sync.server.local import LocalServer, start_local_server
from tests.sync import processes

MISLEADING = "http://sync.lodz.pl@127.0.0.1:8802"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[LocalServer, str, str]]:
    """A service, its database's path, and a supervisor's token."""
    path = tmp_path / "sync.db"
    running = start_local_server(path)
    team = accounts.create_team(running.db, "A")
    boss = accounts.create_user(running.db, "Szefowa", "supervisor", program_id=_program(running, team))
    code = accounts.create_enrollment(running.db, boss, running.url).code
    yield running, str(path), accounts.redeem(running.db, code, "boss-phone").token
    running.stop()
    running.db.dispose()


def _program(running: LocalServer, team: str) -> str:
    with running.db.read() as conn:
        return conn.execute(sa.select(t.team.c.program_id).where(t.team.c.id == team)).scalar_one()


def _codes(path: str) -> int:
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.enrollment)).scalar_one()


@pytest.mark.parametrize(
    ("server", "insecure", "refused_because"),
    [
        ("http://sync.example.pl", False, "plain http"),
        ("http://10.1.2.3:8765", False, "plain http"),
        (MISLEADING, False, "real host (127.0.0.1)"),
        (MISLEADING, True, "real host (127.0.0.1)"),
        ("ftp://sync.example.pl", False, "must be https"),
        ("https://sync.example.pl/?x=1", False, "no query"),
    ],
)
def test_the_cli_prints_no_qr_for_an_address_devices_must_not_use(
    service: tuple[LocalServer, str, str],
    server: str,
    insecure: bool,
    refused_because: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    running, path, _token = service
    user = accounts.create_user(running.db, "Ala", "animator", team_id=_team(running))
    before = _codes(path)
    flags = ["--insecure-http"] if insecure else []
    assert teren_sync(["--db", path, "enroll", user, "--server", server, *flags]) == 2
    captured = capsys.readouterr()
    assert refused_because in captured.err and "teren://" not in captured.out
    assert _codes(path) == before


def _team(running: LocalServer) -> str:
    with running.db.read() as conn:
        return conn.execute(sa.select(t.team.c.id)).scalars().first()  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("server", "flags"),
    [
        ("https://sync.example.pl/", []),
        ("http://127.0.0.1:8765", []),
        ("http://localhost:8765", []),
        ("http://10.1.2.3:8765", ["--insecure-http"]),
    ],
)
def test_https_loopback_and_a_declared_lab_are_accepted(
    service: tuple[LocalServer, str, str], server: str, flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    running, path, _token = service
    user = accounts.create_user(running.db, "Ala", "animator", team_id=_team(running))
    assert teren_sync(["--db", path, "enroll", user, "--server", server, *flags]) == 0
    assert "teren://enroll?server=" in capsys.readouterr().out


def test_serve_refuses_such_a_public_url(tmp_path: Path) -> None:
    for url, said in (("http://sync.example.pl", "plain http"), (MISLEADING, "user-info")):
        args = processes.serve_args(str(tmp_path / "sync.db"), processes.free_port())
        done = subprocess.run(
            [sys.executable, *args, "--public-url", url], cwd=processes.ROOT, capture_output=True, text=True,
            timeout=60, env=processes.environment(),
        )
        assert done.returncode == 2 and said in done.stderr, done.stderr


def test_the_api_makes_no_code_for_a_plain_http_address(service: tuple[LocalServer, str, str]) -> None:
    """A service reached over plain http off loopback (no TLS proxy, or one not trusted) makes no
    enrollment code over the API, unless started for a lab."""
    running, _path, token = service
    user = accounts.create_user(running.db, "Ala", "animator", team_id=_team(running))
    url, headers = f"{running.url}/v1/enrollments", {"Authorization": f"Bearer {token}"}
    running.app.state.public_url = "http://sync.example.pl"
    answer = requests.post(url, json={"user_id": user}, headers=headers, timeout=10)
    assert (answer.status_code, answer.json()["code"]) == (409, "invalid_request")
    assert "plain http" in answer.json()["message"]
    running.app.state.insecure_http = True
    answer = requests.post(url, json={"user_id": user}, headers=headers, timeout=10)
    assert answer.status_code == 200 and answer.json()["uri"].startswith("teren://enroll?server=http%3A")


def test_the_check_shows_the_real_host() -> None:
    with pytest.raises(ValueError, match=r"real host \(127\.0\.0\.1\)"):
        check_server_url(MISLEADING)
    assert check_server_url("https://sync.example.pl/teren/") == "https://sync.example.pl/teren"
