"""Small JPEGs of pictures for lists (Pillow, in the ``server`` extra), made once and kept in the
storage's thumbnails folder (removed with their file by ``uploads.collect``)."""

from __future__ import annotations

import io
import logging

from fieldapp.model.attachment import IMAGE_MIMES
from sync.server.files.storage import FileStorage
from sync.server.files.uploads import thumbnails_folder

log = logging.getLogger(__name__)

#: The longest side of a thumbnail, in pixels (as the device's own, ``services.attachments``).
THUMBNAIL_PX = 192


def thumbnail(storage: FileStorage, sha: str, mime: str) -> bytes | None:
    """The thumbnail of a stored picture; None for a PDF or a picture Pillow cannot read."""
    if mime not in IMAGE_MIMES:
        return None
    cached = thumbnails_folder(storage) / sha
    if cached.is_file():
        return cached.read_bytes()
    try:
        from PIL import Image, ImageOps
    except ImportError:  # pragma: no cover - Pillow is in the server extra
        return None
    data = b"".join(storage.read(sha))
    try:
        with Image.open(io.BytesIO(data)) as image:
            picture = ImageOps.exif_transpose(image) or image
            picture.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            picture.convert("RGB").save(out, "JPEG", quality=80)
    except Exception:
        log.warning("no thumbnail of file %s: Pillow cannot read it", sha[:12])
        return None
    cached.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    cached.write_bytes(out.getvalue())
    return out.getvalue()
