"""Attachments: a photo or a scan (report photos of an action, a scanned consent form, event
pictures) tied to a record, content-addressed by the SHA-256 of its bytes.

The attachment record (its metadata) syncs like any record; the bytes move on a lane of their own
(``fieldapp.sync.files`` on the device, ``sync.server.routes.files`` on the service), so a photo
that fails to upload never holds up record sync. The same bytes attached twice are stored once.

A file that shows or names a person links to them (``contact_id``): erasing the person resets
``sha256`` and ``caption`` (the personal fields), and the bytes then leave the service's storage
and every device (nothing live names them any more).
"""

from __future__ import annotations

import io
import logging
import re
from enum import StrEnum
from typing import Annotated, ClassVar

from sqlmodel import Field, SQLModel

from fieldapp.model.base import SyncedRecord
from fieldapp.model.fields import FreeText, OneOf, Ref, RequiredRef

#: The largest file a device may attach (a phone photo is 2-6 MB; a scanned form as a PDF less).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Hex SHA-256 of the bytes: what names a file everywhere.
SHA256_LENGTH = 64
is_sha256 = re.compile(r"[0-9a-f]{64}").fullmatch


class FileMime(StrEnum):
    """The kinds of file that may be attached: photos and scans."""

    JPEG = "image/jpeg"
    PNG = "image/png"
    WEBP = "image/webp"
    HEIC = "image/heic"
    PDF = "application/pdf"


#: What each file type's bytes start with: ``(offset, bytes)`` pairs. HEIC is an ISO box file.
SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    FileMime.JPEG: ((0, b"\xff\xd8\xff"),),
    FileMime.PNG: ((0, b"\x89PNG\r\n\x1a\n"),),
    FileMime.WEBP: ((0, b"RIFF"), (8, b"WEBP")),
    FileMime.HEIC: ((4, b"ftyp"),),
    FileMime.PDF: ((0, b"%PDF-"),),
}
#: Bytes of a file's start that ``sniff_mime`` reads.
SNIFF_BYTES = 16


def sniff_mime(data: bytes) -> str | None:
    """The type the bytes are, by their first bytes; None when not one that may be attached. Both
    ends ask it: the device before attaching, the service before storing an upload."""
    for mime, parts in SIGNATURES.items():
        if all(data[at : at + len(part)] == part for at, part in parts):
            return mime
    return None


#: File types a list can show a picture of.
IMAGE_MIMES = frozenset({FileMime.JPEG, FileMime.PNG, FileMime.WEBP})
#: The longest side of a list's thumbnail, in pixels (the device's and the service's).
THUMBNAIL_PX = 192

log = logging.getLogger(__name__)


def make_thumbnail(data: bytes, size: int = THUMBNAIL_PX) -> bytes | None:
    """A JPEG at most ``size`` pixels on its longer side; None without Pillow (a phone may lack it)
    or for a picture Pillow cannot read. Both ends make their thumbnails with it."""
    try:
        from PIL import Image, ImageOps
    except ImportError:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            picture = ImageOps.exif_transpose(image) or image
            picture.thumbnail((size, size))
            out = io.BytesIO()
            picture.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except Exception:
        log.warning("no thumbnail for a picture Pillow cannot read", exc_info=True)
        return None


class AttachmentOwner(StrEnum):
    """The kind of record a file belongs to."""

    ACTION = "action"
    CONSENT = "consent"
    MEETING = "meeting"
    VISIT = "visit"
    CONTACT = "contact"


class AttachmentBase(SQLModel):
    """An attachment's fields and their rules."""

    #: Hex SHA-256 of the bytes; empty once erased.
    sha256: str = Field(default="", max_length=SHA256_LENGTH, index=True)
    size: int = Field(default=0, ge=0, le=MAX_FILE_BYTES)
    mime: Annotated[str, OneOf(FileMime)] = Field(max_length=40)
    owner_type: Annotated[str, OneOf(AttachmentOwner)] = Field(max_length=20)
    owner_id: RequiredRef = Field(index=True)
    #: The person the file shows or names (a consent form, a portrait); None for event pictures.
    contact_id: Ref = Field(default=None, index=True)
    caption: FreeText = Field(default="", max_length=500)


class Attachment(AttachmentBase, SyncedRecord, table=True):
    record_type: ClassVar[str] = "attachment"
    personal_fields: ClassVar[tuple[str, ...]] = ("sha256", "caption")
