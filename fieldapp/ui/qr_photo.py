"""Reading an enrollment QR code from a photo, so nobody types or pastes its text.

Flet has no camera scanner control: the user takes or picks a photo (the system's picker offers
the camera on a phone) and the picture is decoded here with pyzbar and Pillow, which Flet's mobile
package index builds for Android and iOS (on a desktop pyzbar needs the zbar library: Debian's
``libzbar0``).
"""

from __future__ import annotations

import io
import logging

import flet as ft

log = logging.getLogger(__name__)


def decode_qr(picture: bytes) -> str | None:
    """The text of the first QR code in a picture (PNG, JPEG…); None when there is none or no
    decoder is installed."""
    from PIL import Image, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(picture))
        opened.load()
    except (UnidentifiedImageError, OSError):
        return None
    image = opened.convert("L")
    try:
        from pyzbar import pyzbar
    except ImportError:  # also raised when the zbar library itself is missing
        log.warning("no QR decoder in this build (pyzbar and the zbar library)")
        return None
    found = pyzbar.decode(image)
    return next((code.data.decode("utf-8", "replace") for code in found if code.data), None)


async def pick_qr_photo() -> bytes | None:
    """A photo chosen or taken by the user, as bytes (None when cancelled)."""
    picked = await ft.FilePicker().pick_files(file_type=ft.FilePickerFileType.IMAGE, with_data=True)
    if not picked:
        return None
    chosen = picked[0]
    if chosen.bytes:
        return bytes(chosen.bytes)
    if chosen.path:
        with open(chosen.path, "rb") as photo:
            return photo.read()
    return None
