"""Attaching photos and scans to records: checked, kept and queued for upload in one step.

``attach_file`` checks the file (its size, that its bytes are the type it claims, the record it
belongs to, the person's consent to photos), keeps the bytes content-addressed
(``fieldapp.store.blobs``) and writes the attachment record and its upload's place in the file
lane's queue (``file_transfer``) in one transaction. A scanned consent form needs no photo consent
(it is the consent); any other file that shows or names a person needs their consent's
``scope_photos``.

Thumbnails for lists are made with Pillow where the device has it (the service's ``server`` extra
does; a phone build may not): ``thumbnail`` then answers a small JPEG, kept beside the files;
without Pillow it answers the picture itself and the screen scales it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlmodel import Session, select

from fieldapp.errors import Errors
from fieldapp.model import Attachment, Consent, Contact, Meeting, NeighbourhoodAction, SyncedRecord, Visit
from fieldapp.model.attachment import (
    IMAGE_MIMES,
    MAX_FILE_BYTES,
    THUMBNAIL_PX,
    AttachmentOwner,
    FileMime,
    make_thumbnail,
    sniff_mime,
)
from fieldapp.model.enums import ConsentStatus
from fieldapp.services.consent import latest_consent
from fieldapp.services.validation import check_record, get_live, live, live_rows
from fieldapp.store import Store, blobs
from fieldapp.store.private_files import private_folder, write_private

log = logging.getLogger(__name__)

OWNER_MODELS: dict[str, type[SyncedRecord]] = {
    AttachmentOwner.ACTION: NeighbourhoodAction,
    AttachmentOwner.CONSENT: Consent,
    AttachmentOwner.MEETING: Meeting,
    AttachmentOwner.VISIT: Visit,
    AttachmentOwner.CONTACT: Contact,
}

#: File name endings the picker gives, and their types.
_BY_SUFFIX = {
    "jpg": FileMime.JPEG, "jpeg": FileMime.JPEG, "png": FileMime.PNG, "webp": FileMime.WEBP,
    "heic": FileMime.HEIC, "heif": FileMime.HEIC, "pdf": FileMime.PDF,
}
#: The picker's filter: the file name endings that may be attached.
ALLOWED_SUFFIXES = tuple(_BY_SUFFIX)


def mime_of_name(name: str) -> str | None:
    """The type a file name's ending says (the picker's files), or None."""
    return _BY_SUFFIX.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None


def _photo_consent(session: object, contact_id: str) -> bool:
    consent = latest_consent(session, contact_id)
    return (
        consent is not None
        and consent.status == ConsentStatus.GIVEN
        and consent.scope_photos
        and consent.withdrawn_at is None
    )


def _person_of(owner: SyncedRecord) -> str | None:
    if isinstance(owner, Contact):
        return owner.id
    contact_id = getattr(owner, "contact_id", None)
    return contact_id if isinstance(contact_id, str) and contact_id else None


def attach_file(
    store: Store,
    owner_type: str,
    owner_id: str,
    data: bytes,
    *,
    mime: str | None = None,
    contact_id: str | None = None,
    caption: str = "",
) -> Attachment:
    """Attach ``data`` to a record; ``ValidationFailed`` (nothing kept) when it may not be.

    ``mime``: the type the picker said (checked against the bytes); ``contact_id``: the person the
    file shows (a consent's, a visit's or a contact's own person is taken without asking).
    """
    errors = Errors()
    model = OWNER_MODELS.get(owner_type)
    if model is None:
        errors.add("owner_type", "invalid_choice")
        errors.raise_if_any()
    assert model is not None
    if not data:
        errors.add("file", "file_empty")
    elif len(data) > MAX_FILE_BYTES:
        errors.add("file", "file_too_large", max_mb=MAX_FILE_BYTES // (1024 * 1024))
    found = sniff_mime(data) if data else None
    if data and (found is None or (mime is not None and mime != found)):
        errors.add("file", "file_type")
    if len(caption) > 500:
        errors.add("caption", "max_length", max=500)
    errors.raise_if_any()
    with store.read() as session:
        owner = live(session, model, owner_id)
        if owner is None:
            errors.add("owner_id", "unknown_record", record_type=model.record_type)
            errors.raise_if_any()
        assert owner is not None
        person = contact_id or _person_of(owner)
        if person is not None:
            contact = live(session, Contact, person)
            if contact is None or contact.erased_at is not None:
                errors.add("contact_id", "unknown_contact")
            elif owner_type != AttachmentOwner.CONSENT and not _photo_consent(session, person):
                errors.add("file", "file_photo_consent")
    errors.raise_if_any()
    sha = blobs.put(store, data)
    attachment = Attachment(
        sha256=sha, size=len(data), mime=found or "", owner_type=owner_type, owner_id=owner_id,
        contact_id=person, caption=caption.strip(),
    )
    check_record(None, attachment, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, attachment)
        conn.exec_driver_sql(
            "INSERT INTO file_transfer (sha256, direction, attachment_id) VALUES (?, 'up', ?) "
            "ON CONFLICT (sha256, direction) DO NOTHING",
            (sha, attachment.id),
        )
    return attachment


def attachments_of(store: Store, owner_type: str, owner_id: str) -> list[Attachment]:
    """A record's live files, oldest first (erased ones, which name no file, left out)."""
    with store.read() as session:
        rows = live_rows(
            session, Attachment, Attachment.owner_type == owner_type, Attachment.owner_id == owner_id
        )
    return [row for row in rows if row.sha256]


def waiting_uploads(store: Store) -> int:
    """Files attached here that have not reached the service yet (the sync screen says so)."""
    with store.engine.connect() as conn:
        found = conn.exec_driver_sql("SELECT count(*) FROM file_transfer WHERE direction = 'up'")
        return int(found.scalar_one())


def remove_attachment(store: Store, attachment_id: str) -> None:
    """Take a file off its record (the deletion syncs); its bytes go once nothing names them."""
    attachment = get_live(store, Attachment, attachment_id)
    with store.write() as conn:
        store.delete(conn, attachment)
        conn.exec_driver_sql("DELETE FROM file_transfer WHERE attachment_id = ?", (attachment_id,))
    blobs.collect(store)


def erase_files_of(store: Store, conn: Connection, contact_id: str) -> int:
    """Inside an erasure's transaction ``conn``: the person's attachments lose their file and
    caption, and their transfers leave the queue (the reset syncs; their bytes leave this device
    by ``blobs.collect`` after the commit)."""
    with Session(bind=conn) as session:
        found = list(
            session.exec(
                select(Attachment).where(Attachment.contact_id == contact_id, Attachment.sha256 != "")
            ).all()
        )
        session.expunge_all()
    for attachment in found:
        conn.exec_driver_sql("DELETE FROM file_transfer WHERE attachment_id = ?", (attachment.id,))
        attachment.sha256, attachment.caption = "", ""
        store.save(conn, attachment, ["sha256", "caption"])
    return len(found)


@dataclass(frozen=True)
class Picture:
    """What a list shows for a file: bytes to draw (a thumbnail, or the picture itself), or None
    while the file has not arrived or cannot be drawn (a PDF, a HEIC photo)."""

    data: bytes | None
    mime: str
    #: Whether the file is on the device (a HEIC photo is, yet cannot be drawn).
    here: bool = True


def thumbnail(store: Store, attachment: Attachment) -> Picture:
    """A small picture of an attachment for lists (see the module's note on Pillow)."""
    here = blobs.has(store, attachment.sha256)
    if attachment.mime not in IMAGE_MIMES or not here:
        return Picture(None, attachment.mime, here)
    cached = blobs.folder(store) / "thumbs" / attachment.sha256
    if cached.is_file():
        return Picture(cached.read_bytes(), FileMime.JPEG)
    data = blobs.read(store, attachment.sha256)
    small = make_thumbnail(data, THUMBNAIL_PX)
    if small is None:
        return Picture(data, attachment.mime)
    private_folder(cached.parent)
    write_private(cached, small)
    return Picture(small, FileMime.JPEG)


def first_pictures(store: Store, owner_type: str, owner_ids: list[str]) -> dict[str, Picture]:
    """For a list of records: the thumbnail of each one's first photo on the device (records
    without one left out)."""
    if not owner_ids:
        return {}
    with store.read() as session:
        rows = live_rows(
            session, Attachment, Attachment.owner_type == owner_type,
            Attachment.owner_id.in_(owner_ids),  # type: ignore[attr-defined]
            Attachment.mime.in_(sorted(IMAGE_MIMES)),  # type: ignore[attr-defined]
        )
    found: dict[str, Picture] = {}
    for row in rows:  # oldest first: each record's first photo that is here
        if row.owner_id not in found and blobs.has(store, row.sha256):
            found[row.owner_id] = thumbnail(store, row)
    return found
