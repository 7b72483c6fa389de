"""Attaching photos and scans on the device: what is refused (nothing kept), the consent to photos,
thumbnails with and without Pillow, and erasure and retention taking a person's files off the
device."""

from __future__ import annotations

import builtins
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from fieldapp.errors import ValidationFailed
from fieldapp.model import Attachment, Contact, utcnow
from fieldapp.model.attachment import MAX_FILE_BYTES
from fieldapp.services import attachments
from fieldapp.services.actions import create_action
from fieldapp.services.clause import BUILTIN_VERSION
from fieldapp.services.consent import current_consent, record_consent
from fieldapp.services.rodo import apply_retention, erase_person, export_person
from fieldapp.store import Store, blobs


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = Store(tmp_path / "teren.db")
    made.set_meta("user.role", "supervisor")
    yield made
    made.close()


def jpeg(side: int = 400, colour: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), colour).save(out, "JPEG")
    return out.getvalue()


def person(store: Store, *, photos: bool) -> Contact:
    with store.write() as conn:
        contact = store.save(conn, Contact(kind="resident", name="Ala Nowak"))
    record_consent(
        store, contact.id, status="given", scope_store=True, scope_photos=photos, recorded_by="Ola",
        adult=True,
        clause_version=BUILTIN_VERSION,
    )
    return contact


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {e.code for e in exc.value.errors}


def queued(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql("SELECT sha256, direction FROM file_transfer")]


def test_a_photo_is_kept_once_and_queued(store: Store) -> None:
    action = create_action(store, {"title": "Festyn"})
    data = jpeg()
    first = attachments.attach_file(store, "action", action.id, data, mime="image/jpeg", caption=" Scena ")
    second = attachments.attach_file(store, "action", action.id, data)
    assert first.sha256 == second.sha256 == blobs.sha256_hex(data)
    assert (first.size, first.mime, first.caption) == (len(data), "image/jpeg", "Scena")
    assert first.contact_id is None
    assert blobs.read(store, first.sha256) == data and blobs.stored(store) == {first.sha256}
    assert queued(store) == [(first.sha256, "up")] and attachments.waiting_uploads(store) == 1
    assert [a.id for a in attachments.attachments_of(store, "action", action.id)] == [first.id, second.id]


@pytest.mark.parametrize(
    ("data", "mime", "code"),
    [
        (b"", None, "file_empty"),
        (b"GIF89a not allowed", None, "file_type"),
        (b"%PDF-1.7 a scan", "image/jpeg", "file_type"),  # the bytes are not what the picker said
        (b"\xff\xd8\xff" + bytes(MAX_FILE_BYTES), None, "file_too_large"),
    ],
)
def test_refused_files_leave_nothing(store: Store, data: bytes, mime: str | None, code: str) -> None:
    action = create_action(store, {"title": "Festyn"})
    with pytest.raises(ValidationFailed) as refused:
        attachments.attach_file(store, "action", action.id, data, mime=mime)
    assert code in codes(refused)
    assert blobs.stored(store) == set() and queued(store) == []
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM attachment").scalar_one() == 0


def test_unknown_owners_are_refused(store: Store) -> None:
    with pytest.raises(ValidationFailed) as refused:
        attachments.attach_file(store, "action", "no-such-action", jpeg())
    assert codes(refused) == {"unknown_record"}
    with pytest.raises(ValidationFailed) as refused:
        attachments.attach_file(store, "shoebox", "x", jpeg())
    assert codes(refused) == {"invalid_choice"}


def test_a_persons_photo_needs_their_consent_but_their_consent_form_does_not(store: Store) -> None:
    shy = person(store, photos=False)
    with pytest.raises(ValidationFailed) as refused:
        attachments.attach_file(store, "contact", shy.id, jpeg())
    assert codes(refused) == {"file_photo_consent"}
    consent = current_consent(store, shy.id)
    assert consent is not None
    scan = attachments.attach_file(store, "consent", consent.id, b"%PDF-1.7 podpisany formularz")
    assert (scan.contact_id, scan.mime) == (shy.id, "application/pdf")
    willing = person(store, photos=True)
    assert attachments.attach_file(store, "contact", willing.id, jpeg()).contact_id == willing.id


def test_thumbnails_with_pillow_and_without(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    action = create_action(store, {"title": "Festyn"})
    big = attachments.attach_file(store, "action", action.id, jpeg(side=900))
    small = attachments.thumbnail(store, big)
    with Image.open(io.BytesIO(small.data or b"")) as image:
        assert max(image.size) <= attachments.THUMBNAIL_PX
    assert (blobs.folder(store) / "thumbs" / big.sha256).is_file()

    real_import = builtins.__import__

    def no_pillow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("no Pillow in this build")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pillow)
    other = attachments.attach_file(store, "action", action.id, jpeg(side=300, colour="orange"))
    shown = attachments.thumbnail(store, other)  # the picture itself, scaled by the screen
    assert shown.data == blobs.read(store, other.sha256) and shown.mime == "image/jpeg"
    pdf = attachments.attach_file(store, "action", action.id, b"%PDF-1.4 plan")
    assert attachments.thumbnail(store, pdf).data is None


def test_erasure_and_retention_take_the_files_off_the_device(store: Store) -> None:
    erased, forgotten = person(store, photos=True), person(store, photos=True)
    action = create_action(store, {"title": "Festyn"})
    event = attachments.attach_file(store, "action", action.id, jpeg(colour="red"))
    portrait = attachments.attach_file(store, "contact", erased.id, jpeg(colour="blue"), caption="Ala")
    attachments.thumbnail(store, portrait)
    exported = export_person(store, erased.id, by="supervisor-1")["files"]
    assert [(f["id"], f["sha256"], f["caption"]) for f in exported] == [(portrait.id, portrait.sha256, "Ala")]
    erase_person(store, erased.id, by="supervisor-1")
    gone = store.get(Attachment, portrait.id)
    assert gone is not None and (gone.sha256, gone.caption) == ("", "")
    assert not blobs.has(store, portrait.sha256)
    assert not (blobs.folder(store) / "thumbs" / portrait.sha256).exists()
    assert (portrait.sha256, "up") not in queued(store)
    assert blobs.has(store, event.sha256)

    # Retention: consent without storing, older than the period.
    kept = attachments.attach_file(store, "contact", forgotten.id, jpeg(colour="green"))
    record_consent(store, forgotten.id, status="refused")
    with store.write() as conn:
        conn.exec_driver_sql(
            "UPDATE contact SET created_at = ? WHERE id = ?",
            ((utcnow() - timedelta(days=400)).strftime("%Y-%m-%d %H:%M:%S.%f"), forgotten.id),
        )
    assert apply_retention(store) >= 1
    assert not blobs.has(store, kept.sha256) and blobs.has(store, event.sha256)


def test_removing_an_attachment_keeps_bytes_another_one_names(store: Store) -> None:
    action = create_action(store, {"title": "Festyn"})
    data = jpeg()
    first = attachments.attach_file(store, "action", action.id, data)
    second = attachments.attach_file(store, "action", action.id, data)
    attachments.remove_attachment(store, first.id)
    assert blobs.has(store, first.sha256)
    attachments.remove_attachment(store, second.id)
    assert not blobs.has(store, first.sha256)


def test_a_heic_photo_on_the_device_is_not_waiting(store: Store) -> None:
    action = create_action(store, {"title": "Festyn"})
    heic = attachments.attach_file(store, "action", action.id, b"\x00\x00\x00\x18ftypheic" + bytes(64))
    shown = attachments.thumbnail(store, heic)
    assert (shown.data, shown.mime, shown.here) == (None, "image/heic", True)


def test_lists_get_each_records_first_photo(store: Store) -> None:
    with_photos, without = create_action(store, {"title": "Festyn"}), create_action(store, {"title": "Forum"})
    attachments.attach_file(store, "action", with_photos.id, b"%PDF-1.4 plan")  # no picture of a PDF
    first = attachments.attach_file(store, "action", with_photos.id, jpeg(side=500, colour="red"))
    attachments.attach_file(store, "action", with_photos.id, jpeg(side=500, colour="blue"))
    found = attachments.first_pictures(store, "action", [with_photos.id, without.id])
    assert list(found) == [with_photos.id]
    assert found[with_photos.id] == attachments.thumbnail(store, first)
    assert attachments.first_pictures(store, "action", []) == {}


def test_a_file_not_yet_named_survives_the_lanes_collection(store: Store) -> None:
    sha = blobs.put(store, jpeg(colour="gray"))  # kept, its record not committed yet
    assert blobs.collect(store, grace_s=600) == 0 and blobs.has(store, sha)
    assert blobs.collect(store) == 1 and not blobs.has(store, sha)
