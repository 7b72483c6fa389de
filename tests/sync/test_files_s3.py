"""The file lane with S3-compatible object storage (``S3Storage``) behind the real service: run
against moto's S3 server when ``boto3`` and ``moto[server]`` are installed (the optional ``s3``
extra; not in the CI environment), skipped otherwise. The disk storage is tested by
``test_files.py``; both stand behind the same ``FileStorage`` interface."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fieldapp.services.attachments import attach_file
from fieldapp.services.consent import record_consent
from fieldapp.services.rodo import erase_person
from fieldapp.store import blobs
from sync.server import accounts
from sync.server.files.storage import S3Storage
from sync.server.local import start_local_server
from tests.sync.conftest import World
from tests.sync.helpers import add_contact
from tests.sync.test_files import attach_to_action, photo, url

pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

BUCKET = "teren-files"


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in (("AWS_ACCESS_KEY_ID", "teren"), ("AWS_SECRET_ACCESS_KEY", "teren"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, os.environ.get(name, value))
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_photos_through_s3_storage(s3_endpoint: str, tmp_path: Path) -> None:
    storage = S3Storage(BUCKET, tmp_path / "staging", endpoint_url=s3_endpoint)
    storage.client.create_bucket(Bucket=BUCKET)
    service = start_local_server(tmp_path / "service.db", files=storage)
    world = World(service, tmp_path)
    try:
        world.program_id = accounts.create_program(service.db, "program")
        world.team_a = accounts.create_team(service.db, "Team A", program_id=world.program_id)
        animator, boss = world.device(), world.device(role="supervisor")
        data = photo(seed=11)
        event = attach_to_action(animator, data)
        assert animator.engine.sync().files.uploaded == 1  # type: ignore[union-attr]
        assert storage.names() == {event.sha256} and storage.size(event.sha256) == len(data)
        assert not any(storage.staging.iterdir())  # the upload left the staging folder

        assert boss.engine.sync().files.downloaded == 1  # type: ignore[union-attr]
        assert blobs.read(boss.store, event.sha256) == data
        part = requests.get(url(world, event), headers=boss.headers(Range="bytes=100-199"), timeout=10)
        assert part.status_code == 206 and part.content == data[100:200]

        # A person's photo leaves the bucket with their erasure.
        person = add_contact(animator.store, "Ala Nowak")
        record_consent(animator.store, person.id, status="given", scope_store=True, scope_photos=True,
                       recorded_by="Ola")
        portrait = attach_file(animator.store, "contact", person.id, photo(seed=12))
        animator.engine.sync()
        boss.engine.sync()
        assert storage.names() == {event.sha256, portrait.sha256}
        erase_person(boss.store, person.id, by=boss.user_id)
        boss.engine.sync()
        assert service.app.state.purger.wait_idle()
        assert storage.names() == {event.sha256}
    finally:
        world.close()
        service.stop()
        service.db.dispose()
