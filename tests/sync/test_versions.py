"""Versions through the real service: every request says the app's protocol, schema and version;
the service refuses an app older than its minimum with a stable code and the version to install,
and the app says so plainly; an older app's edit leaves the fields it does not know as they are."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from fieldapp import __version__
from fieldapp.i18n import t
from fieldapp.model import Contact
from fieldapp.sync import SyncError
from fieldapp.sync.transport import version_headers
from sync.protocol import version_key
from tests.sync.conftest import World
from tests.sync.helpers import add_contact, edit


@pytest.fixture
def minimum(world: World) -> Iterator[None]:
    world.server.app.state.min_app_version = "99.1"
    yield
    world.server.app.state.min_app_version = None


def test_version_numbers_compare_by_parts() -> None:
    assert version_key("0.10.0") > version_key("0.9.3") and version_key("1.2") < version_key("1.2.1")
    assert version_key("2.0.0rc1") == (2, 0, 0) and version_key("") == ()


def test_the_app_sends_its_versions(world: World) -> None:
    headers = version_headers()
    assert headers["X-Teren-App"] == __version__ and headers["X-Teren-Protocol"] == "1"
    assert len(headers["X-Teren-Schema"]) == 16


def test_a_too_old_app_is_refused_and_told_what_to_install(world: World, minimum: None) -> None:
    world.server.app.state.min_app_version = None  # enrolled while the app was new enough
    a = world.device()
    add_contact(a.store, "Czeka na aktualizację")
    world.server.app.state.min_app_version = "99.1"
    with pytest.raises(SyncError) as refused:
        a.engine.sync()
    assert refused.value.code == "app_too_old" and refused.value.status == 426
    assert refused.value.details["min_version"] == "99.1"
    assert a.engine.status().last_error_code == "app_too_old"
    assert a.store.pending_changes() == 1  # nothing lost: the edit waits
    message = t("sync.error.app_too_old", "pl", min_version="99.1")
    assert "99.1" in message and "Zaktualizuj" in message
    assert "Update Teren to version 99.1" in t("sync.error.app_too_old", "en", min_version="99.1")
    # An app too old to say its version is older than any minimum; a new enough one is served.
    bare = requests.get(f"{world.url}/v1/pull", headers=a.headers(), timeout=10)
    assert bare.status_code == 426 and bare.json()["code"] == "app_too_old"
    newer = requests.get(f"{world.url}/v1/pull", headers=a.headers(**{"X-Teren-App": "99.1.0"}), timeout=10)
    assert newer.status_code == 200
    world.server.app.state.min_app_version = None
    assert a.engine.sync().pushed == 1


def test_an_older_app_keeps_the_fields_it_does_not_know(world: World) -> None:
    new_app = world.device()
    contact = add_contact(new_app.store, "Ala", phone="600100200", notes="z nowej wersji")
    new_app.engine.sync()
    old_app = world.device()
    stamp = new_app.store.clock.now()
    # An older app knows no phone nor notes: it edits the name alone, then sends the record "whole"
    # as it knows it (its creation-like change lacks the new fields).
    for change in (
        {"record_type": "contact", "id": contact.id, "fields": {"name": "Alicja"}, "hlcs": {"name": stamp}},
        {
            "record_type": "contact",
            "id": contact.id,
            "full": True,
            "base_hlc": stamp,
            "fields": {"name": "Alicja", "kind": "resident"},
        },
    ):
        body = {"batch_id": f"old-app-{len(change)}-batch", "changes": [change]}
        old = old_app.headers(**{"X-Teren-App": "0.0.9"})
        answer = requests.post(f"{world.url}/v1/push", json=body, headers=old, timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][0]["status"] in ("applied", "merged")
    new_app.engine.sync()
    got = new_app.store.get(Contact, contact.id)
    assert got is not None and got.name == "Alicja"
    assert got.phone == "600100200" and got.notes == "z nowej wersji"
    # And the newer app's later edit of those fields goes on as usual.
    edit(new_app.store, got, notes="dalej")
    new_app.engine.sync()
    assert new_app.engine.sync().checksum == "ok"
