"""An enrollment QR code read from a photo (the text nobody has to paste)."""

from __future__ import annotations

import io

import qrcode

from fieldapp.ui.qr_photo import decode_qr

LINK = "teren://enroll?server=https%3A%2F%2Fsync.example.pl&code=ABCD-EFGH-IJKL"


def _png(text: str) -> bytes:
    picture = qrcode.make(text)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def test_the_link_is_read_from_a_photo_of_the_qr_code() -> None:
    assert decode_qr(_png(LINK)) == LINK


def test_a_photo_without_a_code_or_not_a_picture_gives_nothing() -> None:
    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, format="PNG")
    assert decode_qr(blank.getvalue()) is None
    assert decode_qr(b"not a picture") is None
