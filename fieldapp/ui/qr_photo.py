"""Reading an enrollment QR code from a photo, so nobody types or pastes its text.

Flet has no camera scanner control: the user takes or picks a photo (the system's picker offers
the camera on a phone) and the picture is decoded here. Two decoders, whichever the build has:
zxing-cpp (desktop and the tests) and pyzbar, which Flet's mobile package index builds for Android
and iOS (with Pillow, which the app already ships for QR codes).
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
        image = Image.open(io.BytesIO(picture))
        image.load()
    except (UnidentifiedImageError, OSError):
        return None
    image = image.convert("L")
    try:
        import zxingcpp

        found = zxingcpp.read_barcodes(image)
        return next((code.text for code in found if code.text), None)
    except ImportError:
        pass
    try:
        from pyzbar import pyzbar

        found = pyzbar.decode(image)
        return next((code.data.decode("utf-8") for code in found if code.data), None)
    except ImportError:
        log.warning("no QR decoder in this build (zxing-cpp or pyzbar)")
        return None


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
