"""Photos on an action's screen: the thumbnails of its photos, and a photo added through the
system's picker (the browser's file chooser here; the gallery or the camera on a phone)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from fieldapp.model import Contact
from fieldapp.services.actions import create_action
from fieldapp.services.attachments import attach_file, attachments_of
from fieldapp.services.clause import BUILTIN_VERSION
from fieldapp.services.consent import current_consent, record_consent
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone

ACTION: dict[str, str] = {}


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def prefill_store(store: Store) -> None:
    action = create_action(store, {"title": "Festyn podwórkowy"})
    attach_file(store, "action", action.id, jpeg("orange"), caption="Scena na podwórku")
    ACTION["id"] = action.id
    with store.write() as conn:
        person = store.save(conn, Contact(kind="resident", name="Ala Nowak"))
    record_consent(
        store, person.id, status="given", scope_store=True, method="written", recorded_by="Ola", adult=True,
        clause_version=BUILTIN_VERSION,
    )
    ACTION["contact"] = person.id


def test_an_actions_photos_and_a_new_one(
    app: AppServer, new_phone: Callable[..., Phone], tmp_path: Path
) -> None:
    phone = new_phone(app, f"/zone/actions/{ACTION['id']}")
    phone.see("Festyn podwórkowy")
    phone.reveal(phone.page.get_by_role("img", name="Scena na podwórku"))
    picked = tmp_path / "podworko.jpg"
    picked.write_bytes(jpeg("teal"))
    with phone.page.expect_file_chooser() as chooser:
        phone.tap("Dodaj zdjęcie")
    chooser.value.set_files(str(picked))
    phone.see("Dodano 1 plik")
    with app.store() as store:
        shown = attachments_of(store, "action", ACTION["id"])
    assert [a.size for a in shown][1:] == [picked.stat().st_size]
    assert [a.mime for a in shown] == ["image/jpeg", "image/jpeg"]


def test_a_scanned_consent_form(app: AppServer, new_phone: Callable[..., Phone], tmp_path: Path) -> None:
    phone = new_phone(app, f"/contacts/{ACTION['contact']}")
    phone.see("Skan formularza zgody")
    scan = tmp_path / "zgoda.pdf"
    scan.write_bytes(b"%PDF-1.4 podpisany formularz zgody")
    with phone.page.expect_file_chooser() as chooser:
        phone.tap("Dodaj skan")
    chooser.value.set_files(str(scan))
    phone.see("Dodano 1 plik")
    phone.see("Dokument PDF")
    with app.store() as store:
        consent = current_consent(store, ACTION["contact"])
        assert consent is not None
        [saved] = attachments_of(store, "consent", consent.id)
    assert (saved.mime, saved.contact_id) == ("application/pdf", ACTION["contact"])
    assert saved.size == scan.stat().st_size
