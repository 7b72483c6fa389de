"""Enrollment codes (single use, expiry, attempt limit), QR codes, revocation and the device wipe."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
import requests
import sqlalchemy as sa

from fieldapp.model import Visit
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine, SyncError, parse_enrollment
from fieldapp.ui.sync_screen import enrollment_text
from sync.server import accounts
from sync.server import tables as t
from tests.sync.conftest import World
from tests.sync.helpers import add_contact, behind_proxy, outbox_count


def _store(world: World, name: str) -> Store:
    return Store(world.tmp_path / f"{name}.db")


def test_code_is_single_use_and_typed_codes_work(world: World) -> None:
    user = world.user()
    made = accounts.create_enrollment(world.db, user, world.url)
    assert made.uri.startswith("teren://enroll?server=") and quote(world.url, safe="") in made.uri
    first, second = _store(world, "first"), _store(world, "second")
    try:
        # What the sync screen builds from a typed code and server address is accepted as is.
        typed = made.code.lower().replace("o", "0").replace("i", "1").replace("-", " ")
        status = SyncEngine(first).enroll(enrollment_text(typed, world.url))
        assert status.enrolled and status.server_url == world.url and first.user_id == user
        with pytest.raises(SyncError) as used:
            SyncEngine(second).enroll(made.uri)
        assert used.value.code == "enrollment_used"
        assert not SyncEngine(second).status().enrolled
    finally:
        first.close()
        second.close()


def test_expired_and_wrong_codes(world: World) -> None:
    """Expired, unknown and wrong codes are told apart; a wrong try or two change nothing for the
    right code (the limits on guessing: tests/security/test_enrollment_limits.py)."""
    user = world.user()
    store = _store(world, "device")
    engine = SyncEngine(store, HttpTransport(behind_proxy("198.51.100.20"), retries=0))
    try:
        expired = accounts.create_enrollment(world.db, user, world.url, ttl=timedelta(seconds=-1))
        with pytest.raises(SyncError) as error:
            engine.enroll(expired.uri)
        assert error.value.code == "enrollment_expired"
        made = accounts.create_enrollment(world.db, user, world.url)
        lookup = made.code.split("-")[0]
        with pytest.raises(SyncError) as error:
            engine.enroll(enrollment_text(f"{lookup}-AAAAA-AAAAA-AAAAA-AAAAA", world.url))
        assert error.value.code == "enrollment_invalid"
        with pytest.raises(SyncError) as error:
            engine.enroll(enrollment_text("NOSUCHCODE-AAAAA", world.url))
        assert error.value.code == "enrollment_invalid"
        with pytest.raises(SyncError) as error:
            engine.enroll("just a code")
        assert error.value.code == "enrollment_invalid"
        assert not engine.status().enrolled
        with pytest.raises(SyncError) as error:
            engine.sync()
        assert error.value.code == "not_enrolled"
        assert engine.enroll(made.uri).enrolled
    finally:
        store.close()
    with world.db.read() as conn:
        query = sa.select(t.enrollment.c.secret_hash).where(t.enrollment.c.id == lookup)
        secret_hash = conn.execute(query).scalar()
    assert secret_hash and made.code.split("-", 1)[1].replace("-", "") not in secret_hash


def test_parse_enrollment_uri() -> None:
    assert parse_enrollment("teren://enroll?server=https%3A%2F%2Fsync.example.pl%2F&code=AB-CD") == (
        "https://sync.example.pl",
        "AB-CD",
    )
    assert parse_enrollment("teren://enroll?server=sync.example.pl&code=X")[0] == "https://sync.example.pl"
    with pytest.raises(SyncError):
        parse_enrollment("teren://enroll?code=X")


def test_tokens_are_stored_hashed(world: World) -> None:
    a = world.device()
    with world.db.read() as conn:
        hashes = conn.execute(sa.select(t.device.c.token_hash)).scalars().all()
    assert a.token and a.token not in hashes and accounts.sha256(a.token) in hashes


def test_supervisor_creates_enrollment_over_the_api(world: World) -> None:
    boss = world.device("supervisor")
    animator = world.user()
    answer = requests.post(
        f"{world.url}/v1/enrollments", json={"user_id": animator}, headers=boss.headers(), timeout=10
    )
    assert answer.status_code == 200, answer.text
    store = _store(world, "new")
    try:
        assert SyncEngine(store).enroll(answer.json()["uri"]).enrolled and store.user_id == animator
    finally:
        store.close()
    a = world.device()
    denied = requests.post(
        f"{world.url}/v1/enrollments", json={"user_id": animator}, headers=a.headers(), timeout=10
    )
    assert (denied.status_code, denied.json()["code"]) == (403, "forbidden")


def test_revoked_device_is_told_and_wipes_its_data(world: World) -> None:
    a = world.device()
    ala = add_contact(a.store, "Ala Nowak", phone="600100200")
    a.engine.sync()
    add_contact(a.store, "Not yet sent")
    with a.store.write() as conn:
        a.store.save(conn, Visit(contact_id=ala.id, outcome="talked", notes="private"))
    assert accounts.revoke(world.db, a.store.device_id) == 1

    with pytest.raises(SyncError) as error:
        a.engine.sync()

    assert error.value.code == "device_revoked" and error.value.status == 403
    with a.store.engine.connect() as conn:
        for table in ("contact", "visit", "outbox", "contact_search"):
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one() == 0, table
        keys = [row[0] for row in conn.exec_driver_sql("SELECT key FROM meta")]
    assert sorted(keys) == ["device_id", "sync.last_error_code"]
    assert a.store.search_contacts("nowak") == [] and outbox_count(a.store) == 0
    status = a.engine.status()
    assert not status.enrolled and a.store.user_id is None and status.last_error_code == "device_revoked"
    assert b"600100200" not in a.store.path.read_bytes()


@pytest.mark.parametrize("asked_by", ["pull", "whoami"])
def test_the_engine_wipes_whichever_call_hears_of_the_revocation(world: World, asked_by: str) -> None:
    """Nothing to push: the pull (in its fetching thread) or a plain call is the first to hear."""
    a = world.device()
    add_contact(a.store, "Ala Nowak")
    a.engine.sync()
    assert accounts.revoke(world.db, a.store.device_id) == 1
    with pytest.raises(SyncError) as error:
        a.engine.sync() if asked_by == "pull" else a.engine.whoami()
    assert error.value.code == "device_revoked"
    assert a.store.search_contacts("nowak") == [] and not a.engine.status().enrolled
    assert a.engine.status().last_error_code == "device_revoked"


def test_qr_code_png_and_terminal() -> None:
    uri = "teren://enroll?server=http%3A%2F%2F127.0.0.1%3A8765&code=ABCDEFGH-IJKLM-NOPQR-STUVW-XYZ23"
    png = accounts.qr_png(uri)
    assert png.startswith(b"\x89PNG")
    text = accounts.qr_ascii(uri)
    assert len(text.splitlines()) > 20
    try:
        import zxingcpp
        from PIL import Image
    except ImportError:  # pragma: no cover - zxing is a dev dependency
        return
    import io

    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [d.text for d in decoded] == [uri]


def test_a_supervisor_lists_and_revokes_devices_of_the_program(world: World) -> None:
    a = world.device()
    boss = world.device("supervisor")
    listed = requests.get(f"{world.url}/v1/devices", headers=boss.headers(), timeout=10).json()
    assert {d["client_device_id"] for d in listed} == {a.store.device_id, boss.store.device_id}
    revoke_boss = f"{world.url}/v1/devices/{boss.store.device_id}/revoke"
    denied = requests.post(revoke_boss, headers=a.headers(), timeout=10)
    assert (denied.status_code, denied.json()["code"]) == (403, "forbidden")
    other_program = World(world.server, world.tmp_path / "other")
    other_program.program_id = accounts.create_program(world.db, "Other")
    (world.tmp_path / "other").mkdir()
    stranger = other_program.device("supervisor")
    try:
        foreign = requests.post(
            f"{world.url}/v1/devices/{a.store.device_id}/revoke", headers=stranger.headers(), timeout=10
        )
        assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")
    finally:
        other_program.close()
    revoke_a = f"{world.url}/v1/devices/{a.store.device_id}/revoke"
    done = requests.post(revoke_a, headers=boss.headers(), timeout=10)
    assert done.json() == {"revoked": 1}
    with pytest.raises(SyncError) as error:
        a.engine.sync()
    assert error.value.code == "device_revoked"
