"""Secrets: never logged, enough entropy, stored hashed, compared in constant time."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from fieldapp.model import Contact
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine, SyncError
from sync.server import accounts
from sync.server import tables as t
from tests.security.conftest import Cast


def test_enroll_and_push_log_no_secret(cast: Cast, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # statements and their parameters
    user = cast.user("animator")
    made = accounts.create_enrollment(cast.server.db, user, cast.url)
    wrong = made.code[:-4] + ("AAAA" if not made.code.endswith("AAAA") else "BBBB")
    store = Store(tmp_path / "device.db")
    try:
        engine = SyncEngine(store, HttpTransport(retries=0))
        with pytest.raises(SyncError):
            engine.enroll(accounts.enrollment_uri(cast.url, wrong))
        engine.enroll(made.uri)
        token = engine.vault.read() or ""
        with store.write() as conn:
            store.save(conn, Contact(kind="resident", name="Ala Sekret", phone="600100200"))
        engine.sync()
        requests.get(f"{cast.url}/v1/me", headers={"Authorization": f"Bearer {token}x"}, timeout=10)
        with pytest.raises(SyncError):
            engine.enroll(made.uri)  # used already
    finally:
        store.close()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert token and "sqlalchemy.engine.Engine" in {r.name for r in caplog.records}
    secret = made.code.split("-", 1)[1]
    for value in (token, token[3:20], made.code, secret, secret.replace("-", ""), wrong):
        assert value not in logged
    assert "600100200" not in logged  # personal data stays out of the logs too


def test_database_errors_hide_parameters(cast: Cast) -> None:
    assert cast.server.db.engine.hide_parameters


def test_tokens_and_codes_have_enough_entropy(cast: Cast) -> None:
    tokens, secrets, lookups = set(), set(), set()
    for _ in range(20):
        made = accounts.create_enrollment(cast.server.db, cast.user("animator"), cast.url)
        lookup, secret = accounts.split_code(made.code)
        assert len(secret) * 5 >= 100 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        done = accounts.redeem(cast.server.db, made.code, "dev")
        raw = base64.urlsafe_b64decode(done.token.removeprefix("tk_") + "=")
        assert len(raw) * 8 >= 256
        tokens.add(done.token), secrets.add(secret), lookups.add(lookup)
    assert len(tokens) == len(secrets) == len(lookups) == 20


def test_only_hashes_are_stored(cast: Cast) -> None:
    made = accounts.create_enrollment(cast.server.db, cast.user("animator"), cast.url)
    done = accounts.redeem(cast.server.db, made.code, "dev")
    lookup, secret = accounts.split_code(made.code)
    with cast.server.db.read() as conn:
        stored = conn.execute(sa.select(t.enrollment.c.secret_hash).where(t.enrollment.c.id == lookup))
        token_hash = conn.execute(sa.select(t.device.c.token_hash).where(t.device.c.id == done.device_id))
        stored, token_hash = stored.scalar(), token_hash.scalar()
    assert stored == accounts.sha256(secret) and token_hash == accounts.sha256(done.token)


def test_code_secrets_are_compared_in_constant_time(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = accounts.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(accounts.hmac, "compare_digest", spy)
    made = accounts.create_enrollment(cast.server.db, cast.user("animator"), cast.url)
    accounts.redeem(cast.server.db, made.code, "dev")
    assert len(calls) == 1 and calls[0][0] == accounts.sha256(accounts.split_code(made.code)[1])
