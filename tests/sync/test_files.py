"""The file lane through the real service over HTTP: photos attached on one phone reach its
teammates, cut uploads and downloads resume where they stopped, the service refuses bytes that are
not their name or over the limit, a failing photo never holds up records, and an erasure removes a
person's photos from the service's storage and from every phone."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import random
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa
from PIL import Image

from fieldapp.model import Attachment
from fieldapp.services import visits
from fieldapp.services.actions import create_action
from fieldapp.services.attachments import attach_file, attachments_of
from fieldapp.services.clause import BUILTIN_VERSION
from fieldapp.services.consent import record_consent
from fieldapp.services.rodo import erase_person
from fieldapp.store import blobs
from fieldapp.sync.file_client import FileClient
from fieldapp.sync.files import FileLane
from sync.files_protocol import OFFSET_HEADER, UPLOAD_MEDIA_TYPE
from sync.server import accounts
from sync.server import tables as t
from sync.server.db import Database
from sync.server.files.storage import DiskStorage, S3Storage, default_folder, open_storage
from sync.server.local import start_local_server
from sync.server.serve import build_app
from sync.server.settings import ServeSettings
from tests.sync.conftest import Device, World
from tests.sync.helpers import add_contact


def photo(seed: int = 1, side: int = 480) -> bytes:
    """A JPEG of noise (hard to compress: a few hundred kB, as a phone photo is a few MB)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def attach_to_action(device: Device, data: bytes) -> Attachment:
    action = create_action(device.store, {"title": "Sprzątanie podwórka"})
    return attach_file(device.store, "action", action.id, data, mime="image/jpeg")


def url(world: World, attachment: Attachment, suffix: str = "") -> str:
    return f"{world.url}/v1/files/{attachment.sha256}{suffix}?attachment={attachment.id}"


def stored_on_service(world: World, sha: str) -> bytes | None:
    files = world.server.app.state.files
    return b"".join(files.read(sha)) if files.size(sha) is not None else None


def cut_upload(world: World, device: Device, attachment: Attachment, data: bytes, sent: int) -> None:
    """A PATCH announcing the whole file whose connection drops after ``sent`` bytes."""
    parts = urlsplit(url(world, attachment))
    head = (
        f"PATCH {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {device.token}\r\n{OFFSET_HEADER}: 0\r\n"
        f"Content-Type: {UPLOAD_MEDIA_TYPE}\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode() + data[:sent])
    # The service has written what it read before noticing the cut.


def offset_of(world: World, device: Device, attachment: Attachment) -> int:
    answer = requests.head(url(world, attachment), headers=device.headers(), timeout=10)
    assert answer.status_code == 200, answer.text
    return int(answer.headers[OFFSET_HEADER])


def test_a_photo_reaches_a_teammate_with_its_thumbnail(world: World) -> None:
    animator, teammate = world.device(), world.device()
    data = photo()
    attachment = attach_to_action(animator, data)

    receipt = animator.engine.sync()
    assert receipt.files is not None and receipt.files.uploaded == 1, receipt.files
    assert stored_on_service(world, attachment.sha256) == data

    pulled = teammate.engine.sync()
    assert pulled.files is not None and pulled.files.downloaded == 1
    assert blobs.read(teammate.store, attachment.sha256) == data
    [seen] = attachments_of(teammate.store, "action", attachment.owner_id)
    assert (seen.sha256, seen.size, seen.mime) == (attachment.sha256, len(data), "image/jpeg")

    counted = requests.get(f"{world.url}/metrics", timeout=10).text
    assert 'teren_sync_file_bytes_total{direction="up"}' in counted
    assert "teren_sync_files_stored_total" in counted

    small = requests.get(url(world, attachment, "/thumbnail"), headers=teammate.headers(), timeout=10)
    assert small.status_code == 200 and small.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(small.content)) as image:
        assert max(image.size) <= 192
    # Another team's phone reaches nothing, not even whether the file exists.
    stranger = world.device(team=world.team_b)
    for method in ("HEAD", "GET"):
        refused = requests.request(method, url(world, attachment), headers=stranger.headers(), timeout=10)
        assert refused.status_code == 404


def test_a_cut_upload_resumes_from_what_the_service_received(world: World) -> None:
    animator = world.device()
    data = photo(seed=2, side=700)
    attachment = attach_to_action(animator, data)
    with animator.store.write() as conn:  # records go first, the file not yet
        conn.exec_driver_sql("UPDATE file_transfer SET next_try_at = 1e12")
    animator.engine.sync()

    cut_upload(world, animator, attachment, data, sent=len(data) // 2)
    for _ in range(50):  # the service writes what it read; the cut ends its request
        received = offset_of(world, animator, attachment)
        if received >= len(data) // 4:
            break
    assert 0 < received <= len(data) // 2
    assert stored_on_service(world, attachment.sha256) is None

    with animator.store.write() as conn:
        conn.exec_driver_sql("UPDATE file_transfer SET next_try_at = 0")
    receipt = animator.engine.sync_files()
    assert receipt.uploaded == 1 and receipt.failed == []
    assert receipt.bytes_up == len(data) - received  # only the rest was sent
    assert stored_on_service(world, attachment.sha256) == data
    assert offset_of(world, animator, attachment) == len(data)
    # A repeated PATCH of the whole file at 0 is told where the file stands.
    again = requests.patch(
        url(world, attachment), data=data,
        headers=animator.headers(**{OFFSET_HEADER: "0", "Content-Type": UPLOAD_MEDIA_TYPE}), timeout=10,
    )
    assert again.status_code == 409 and again.json()["code"] == "offset_mismatch"
    assert again.json()["offset"] == len(data)


def test_a_cut_download_resumes_with_a_range(world: World) -> None:
    animator, teammate = world.device(), world.device()
    data = photo(seed=3, side=700)
    attachment = attach_to_action(animator, data)
    animator.engine.sync()
    teammate_lane_off(teammate, attachment)
    teammate.engine.sync()
    assert not blobs.has(teammate.store, attachment.sha256)

    client = FileClient(world.url, teammate.token)
    chunks = client.fetch(attachment.sha256, attachment.id)
    first = next(chunks)
    blobs.append_partial(teammate.store, attachment.sha256, [first])  # then the link drops
    chunks.close()
    got = blobs.partial_size(teammate.store, attachment.sha256)
    assert 0 < got < len(data)

    with teammate.store.write() as conn:
        conn.exec_driver_sql("DELETE FROM file_transfer")
    receipt = FileLane(teammate.store, client).run()
    assert receipt.downloaded == 1 and receipt.bytes_down == len(data) - got
    assert blobs.read(teammate.store, attachment.sha256) == data

    ranged = requests.get(url(world, attachment), headers=teammate.headers(Range="bytes=10-19"), timeout=10)
    assert ranged.status_code == 206 and ranged.content == data[10:20]
    assert ranged.headers["content-range"] == f"bytes 10-19/{len(data)}"
    beyond = teammate.headers(Range=f"bytes={len(data)}-")
    past = requests.get(url(world, attachment), headers=beyond, timeout=10)
    assert past.status_code == 416 and past.json()["code"] == "range_not_satisfiable"


def teammate_lane_off(device: Device, attachment: Attachment) -> None:
    """Hold the download of ``attachment`` back (a retry time far ahead)."""
    with device.store.write() as conn:
        conn.exec_driver_sql(
            "INSERT INTO file_transfer (sha256, direction, attachment_id, next_try_at) "
            "VALUES (?, 'down', ?, 1e12)",
            (attachment.sha256, attachment.id),
        )


def test_bytes_that_are_not_their_name_are_refused(world: World) -> None:
    animator = world.device()
    data = photo(seed=4)
    attachment = attach_to_action(animator, data)
    path = blobs.path_of(animator.store, attachment.sha256)
    forged = bytearray(data)
    forged[len(forged) // 2] ^= 0xFF
    path.write_bytes(bytes(forged))  # the phone's copy went bad (or someone swapped it)

    receipt = animator.engine.sync()
    assert receipt.pushed >= 2 and receipt.still_pending == 0  # the records went
    assert receipt.files is not None and receipt.files.failed == [(attachment.sha256, "checksum_mismatch")]
    assert stored_on_service(world, attachment.sha256) is None
    assert offset_of(world, animator, attachment) == 0  # what arrived was dropped
    with animator.store.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT last_error, next_try_at FROM file_transfer").one()
    assert row[0] == "checksum_mismatch" and row[1] > 0


def test_bytes_that_are_not_the_type_their_record_names_are_refused(world: World) -> None:
    animator = world.device()
    action = create_action(animator.store, {"title": "Festyn"})
    data = photo(seed=14)
    forged = Attachment(  # written past the service layer, which would have named it a JPEG
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), mime="application/pdf",
        owner_type="action", owner_id=action.id,
    )
    with animator.store.write() as conn:
        animator.store.save(conn, forged)
    animator.engine.sync()
    sent = requests.patch(
        url(world, forged), data=data,
        headers=animator.headers(**{OFFSET_HEADER: "0", "Content-Type": UPLOAD_MEDIA_TYPE}), timeout=10,
    )
    assert sent.status_code == 422 and sent.json()["code"] == "file_type"
    assert stored_on_service(world, forged.sha256) is None and offset_of(world, animator, forged) == 0


def test_a_failing_photo_does_not_hold_up_records(world: World) -> None:
    animator, teammate = world.device(), world.device()
    attachment = attach_to_action(animator, photo(seed=5))
    blobs.path_of(animator.store, attachment.sha256).write_bytes(b"\xff\xd8\xff broken")
    for note in ("pierwsza", "druga"):
        visits.log_visit(animator.store, outcome="talked", notes=note)
        receipt = animator.engine.sync()
        assert receipt.still_pending == 0
    teammate.engine.sync()
    with teammate.store.engine.connect() as conn:
        notes = {row[0] for row in conn.exec_driver_sql("SELECT notes FROM visit")}
    assert {"pierwsza", "druga"} <= notes
    # The teammate's download waits for a file never uploaded: its own failure, noted, not fatal.
    receipt = teammate.engine.sync()
    assert receipt.files is not None and receipt.files.failed == []  # held back by its retry time
    with teammate.store.engine.connect() as conn:
        waiting = conn.exec_driver_sql("SELECT direction, last_error FROM file_transfer").all()
    assert waiting == [("down", "file_not_uploaded")]


def test_files_over_the_limit_are_refused(world: World, tmp_path: Path) -> None:
    small = start_local_server(tmp_path / "small.db", files=None, max_file_bytes=50_000)
    try:
        local = World(small, tmp_path)
        local.program_id = accounts.create_program(small.db, "program")
        local.team_a = accounts.create_team(small.db, "Team A", program_id=local.program_id)
        animator = local.device()
        data = photo(seed=6)
        assert len(data) > 50_000
        attachment = attach_to_action(animator, data)
        receipt = animator.engine.sync()
        assert receipt.still_pending == 0
        assert receipt.files is not None and receipt.files.failed == [(attachment.sha256, "file_too_large")]
        answer = requests.head(url(local, attachment), headers=animator.headers(), timeout=10)
        assert answer.status_code == 413
        local.close()
    finally:
        small.stop()
        small.db.dispose()
    # Bytes past the attachment's declared size are refused too (on the shared service).
    animator = world.device()
    data = photo(seed=7)
    attachment = attach_to_action(animator, data)
    with animator.store.write() as conn:
        conn.exec_driver_sql("UPDATE file_transfer SET next_try_at = 1e12")
    animator.engine.sync()
    more = requests.patch(
        url(world, attachment), data=data + b"extra",
        headers=animator.headers(**{OFFSET_HEADER: "0", "Content-Type": UPLOAD_MEDIA_TYPE}), timeout=10,
    )
    assert more.status_code == 413 and more.json()["code"] == "file_too_large"
    assert offset_of(world, animator, attachment) == 0


def test_erasure_removes_a_persons_photos_everywhere(world: World) -> None:
    animator, boss = world.device(), world.device(role="supervisor")
    person = add_contact(animator.store, "Ala Nowak")
    record_consent(
        animator.store, person.id, status="given", scope_store=True, scope_photos=True, recorded_by="Ola",
        adult=True, clause_version=BUILTIN_VERSION,
    )
    portrait = attach_file(animator.store, "contact", person.id, photo(seed=8), caption="Ala przy mural")
    event = attach_to_action(animator, photo(seed=9))  # a picture of nobody in particular
    animator.engine.sync()
    boss.engine.sync()
    assert blobs.has(boss.store, portrait.sha256) and stored_on_service(world, portrait.sha256)

    erase_person(boss.store, person.id, by=boss.user_id)
    assert not blobs.has(boss.store, portrait.sha256)
    boss.engine.sync()
    assert world.server.app.state.purger.wait_idle()
    assert stored_on_service(world, portrait.sha256) is None
    gone = requests.get(url(world, portrait), headers=animator.headers(), timeout=10)
    assert gone.status_code == 404

    animator.engine.sync()
    assert not blobs.has(animator.store, portrait.sha256)
    assert not any(p.name == portrait.sha256 for p in blobs.folder(animator.store).rglob("*"))
    erased = animator.store.get(Attachment, portrait.id)
    assert erased is not None and (erased.sha256, erased.caption) == ("", "")
    # The event picture stays everywhere.
    assert blobs.has(animator.store, event.sha256) and stored_on_service(world, event.sha256)
    assert hashlib.sha256(blobs.read(boss.store, event.sha256)).hexdigest() == event.sha256


def test_a_wipe_removes_the_files(world: World) -> None:
    animator = world.device()
    attachment = attach_to_action(animator, photo(seed=10))
    animator.engine.wipe()
    assert not blobs.has(animator.store, attachment.sha256)
    assert not blobs.folder(animator.store).exists()


def test_a_photo_of_a_person_erased_meanwhile_never_reaches_the_service(world: World) -> None:
    animator, boss = world.device(), world.device(role="supervisor")
    person = add_contact(animator.store, "Ala Nowak")
    record_consent(
        animator.store, person.id, status="given", scope_store=True, scope_photos=True, recorded_by="Ola",
        adult=True, clause_version=BUILTIN_VERSION,
    )
    animator.engine.sync()
    boss.engine.sync()
    erase_person(boss.store, person.id, by=boss.user_id)
    boss.engine.sync()

    # Offline, the animator has not heard of the erasure yet and takes a portrait.
    portrait = attach_file(animator.store, "contact", person.id, photo(seed=13), caption="Ala")
    receipt = animator.engine.sync()
    assert receipt.files is not None and receipt.files.uploaded == 0 and receipt.files.failed == []
    assert stored_on_service(world, portrait.sha256) is None
    assert not blobs.has(animator.store, portrait.sha256)
    with animator.store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM file_transfer").scalar_one() == 0
    with world.db.read() as conn:  # the service reset it on arrival: it names an erased person
        data = conn.execute(
            sa.select(t.record.c.data).where(
                t.record.c.record_type == "attachment", t.record.c.id == portrait.id
            )
        ).scalar_one()
    stored = json.loads(data) if isinstance(data, str) else data
    assert (stored["sha256"], stored["caption"]) == ("", "")


def test_serve_settings_choose_the_storage_and_the_limit(tmp_path: Path) -> None:
    db = Database(tmp_path / "sync.db")
    db.migrate()
    try:
        settings = ServeSettings(
            db=str(tmp_path / "sync.db"), files_dir=str(tmp_path / "photos"), max_file_mb=3
        )
        app = build_app(settings, db)
        assert isinstance(app.state.files, DiskStorage) and app.state.files.root == tmp_path / "photos"
        assert app.state.max_file_bytes == 3 * 1024 * 1024
        beside = build_app(ServeSettings(db=str(tmp_path / "sync.db")), db)
        assert beside.state.files.root == tmp_path / "sync-files"
    finally:
        db.dispose()
    assert default_folder("postgresql://teren@db/teren") == Path("teren-files")
    if importlib.util.find_spec("boto3") is None:  # without the s3 extra: said plainly at start-up
        with pytest.raises(RuntimeError, match="s3"):
            open_storage(tmp_path / "staging-root", s3_bucket="teren")
        return
    s3 = open_storage(tmp_path / "staging-root", s3_bucket="teren", s3_endpoint="http://127.0.0.1:9")
    assert isinstance(s3, S3Storage) and s3.staging == tmp_path / "staging-root" / "staging"
