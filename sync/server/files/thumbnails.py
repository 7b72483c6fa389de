"""Small JPEGs of pictures for lists (Pillow, in the ``server`` extra), made once and kept in the
storage's thumbnails folder (removed with their file by ``uploads.collect``)."""

from __future__ import annotations

from fieldapp.model.attachment import IMAGE_MIMES, make_thumbnail
from sync.server.files.storage import FileStorage
from sync.server.files.uploads import thumbnails_folder


def thumbnail(storage: FileStorage, sha: str, mime: str) -> bytes | None:
    """The thumbnail of a stored picture; None for a PDF or a picture Pillow cannot read."""
    if mime not in IMAGE_MIMES:
        return None
    cached = thumbnails_folder(storage) / sha
    if cached.is_file():
        return cached.read_bytes()
    small = make_thumbnail(b"".join(storage.read(sha)))
    if small is None:
        return None
    cached.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    cached.write_bytes(small)
    return small
