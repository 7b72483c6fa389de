"""Enrollment under guessing (issue 19, finding 6): limits per client address and per code with
growing delays (429 ``rate_limited`` with ``Retry-After``), kept in the service's database; guessing
against a known code's lookup no longer locks its user out; the admin sees such a code and replaces
it in one step (``teren-sync enrollments``, ``reissue``).

Client addresses are told apart as behind a reverse proxy (``X-Forwarded-For`` from loopback)."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any
from urllib.parse import unquote

import pytest
import requests

from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from sync.server import accounts, throttle
from sync.server.cli import main as teren_sync
from tests.sync import processes
from tests.sync.conftest import World
from tests.sync.helpers import behind_proxy


def _try(url: str, address: str, code: str) -> requests.Response:
    body: dict[str, Any] = {"protocol": 1, "code": code, "device_id": uuid.uuid4().hex}
    return behind_proxy(address).post(f"{url}/v1/enroll", json=body, timeout=10)


def _wrong(code: str) -> str:
    return code.split("-", 1)[0] + "-AAAAA-AAAAA-AAAAA-AAAAA"


def test_guessing_at_a_known_code_does_not_lock_its_user_out(world: World) -> None:
    made = accounts.create_enrollment(world.db, world.user(), world.url)
    guesser = "198.51.100.66"
    answers = [_try(world.url, guesser, _wrong(made.code)) for _ in range(6)]
    statuses = [(a.status_code, a.json()["code"]) for a in answers]
    free = throttle.CODE_FREE + 1  # wrong tries before the code makes guessers wait
    assert statuses == [(400, "enrollment_invalid")] * free + [(429, "rate_limited")] * (6 - free)
    waited = answers[-1]
    assert 1 <= int(waited.headers["Retry-After"]) <= 2 and waited.json()["retry_after"] >= 1
    # The person holding the code, on a phone elsewhere, gets in at once.
    store = Store(world.tmp_path / "genuine.db")
    try:
        engine = SyncEngine(store, HttpTransport(behind_proxy("192.0.2.10"), retries=0))
        assert engine.enroll(made.uri).enrolled
    finally:
        store.close()


def test_an_address_guessing_codes_waits_longer_each_time(world: World) -> None:
    made = accounts.create_enrollment(world.db, world.user(), world.url)
    guesser, other = "198.51.100.77", "192.0.2.77"
    for _ in range(throttle.ADDRESS_FREE + 1):
        assert _try(world.url, guesser, f"NOSUCH{uuid.uuid4().hex[:2]}-AAAAA").status_code == 400
    first = _try(world.url, guesser, made.code)  # even the right code: this address waits
    assert (first.status_code, first.json()["code"]) == (429, "rate_limited")
    assert _try(world.url, other, "NOSUCHCODE-AAAAA").status_code == 400  # others do not
    time.sleep(int(first.headers["Retry-After"]) + 0.2)
    assert _try(world.url, guesser, "NOSUCHCODE-AAAAA").status_code == 400
    second = _try(world.url, guesser, made.code)
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > int(first.headers["Retry-After"])


def test_the_limits_are_shared_by_every_service_process(service_db: str) -> None:
    """Two ``teren-sync serve`` processes on one database: an address that must wait on one waits
    on the other too."""
    ports = [processes.free_port(), processes.free_port()]
    services = [processes.serve(service_db, port) for port in ports]
    try:
        first, second = (f"http://127.0.0.1:{port}" for port in ports)
        for _ in range(throttle.ADDRESS_FREE + 1):
            assert _try(first, "198.51.100.99", "NOSUCHCODE-AAAAA").status_code == 400
        answer = _try(second, "198.51.100.99", "NOSUCHCODE-AAAAA")
        assert (answer.status_code, answer.json()["code"]) == (429, "rate_limited")
    finally:
        for service in services:
            processes.stop(service)


def _cli(world: World, *args: str) -> int:
    return teren_sync(["--db", world.db.url, *args])


def test_the_admin_sees_a_guessed_code_and_replaces_it_in_one_step(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    user = world.user()
    made = accounts.create_enrollment(world.db, user, world.url)
    lookup = made.code.split("-", 1)[0]
    for _ in range(throttle.CODE_FREE + 1):
        _try(world.url, "198.51.100.88", _wrong(made.code))
    capsys.readouterr()
    assert _cli(world, "enrollments") == 0
    listing = capsys.readouterr().out
    assert re.search(rf"{lookup}\s+active\s.*wrong tries {throttle.CODE_FREE + 1}", listing), listing
    assert f"teren-sync reissue {lookup}" in listing
    assert _cli(world, "status") == 0
    assert lookup in json.loads(capsys.readouterr().out)["enrollments"]["needs_reissue"]

    assert _cli(world, "reissue", lookup) == 0
    printed = capsys.readouterr().out
    assert f"replaced: {lookup}" in printed
    uri = re.search(r"^uri:\s+(\S+)", printed, re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert uri != made.uri and uri.startswith(made.uri.split("&code=")[0])  # the same server address
    old = _try(world.url, "192.0.2.11", made.code)
    assert (old.status_code, old.json()["code"]) == (410, "enrollment_expired")
    store = Store(world.tmp_path / "reissued.db")
    try:
        engine = SyncEngine(store, HttpTransport(behind_proxy("192.0.2.11"), retries=0))
        assert engine.enroll(uri).enrolled and store.user_id == user
    finally:
        store.close()
    new_lookup = unquote(uri.rsplit("code=", 1)[1]).split("-", 1)[0]
    assert _cli(world, "reissue", new_lookup) == 2  # a used code is not reissued
    assert "was used" in capsys.readouterr().err


def test_a_code_listing_never_shows_a_secret(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    made = accounts.create_enrollment(world.db, world.user(), world.url)
    capsys.readouterr()
    assert _cli(world, "enrollments", "--all", "--json") == 0
    out = capsys.readouterr().out
    secret = made.code.split("-", 1)[1]
    assert made.code.split("-", 1)[0] in out and secret not in out and secret.replace("-", "") not in out
