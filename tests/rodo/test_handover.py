"""The access export as handed over (art. 15): the art. 15(1) information and the person's data in
Polish, a readable HTML page and a JSON file, in a zip encrypted with a password (AES)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import pyzipper

from fieldapp.errors import ValidationFailed
from fieldapp.services import contacts, visits
from fieldapp.services.rodo.handover import access_package
from fieldapp.store import Store
from tests.rodo.test_compliance import CONSENT


@pytest.fixture
def store(tmp_path: Path) -> Store:
    made = Store(tmp_path / "teren.db")
    made.set_meta("user.role", "supervisor")
    return made


def test_the_export_is_encrypted_readable_and_in_polish(store: Store) -> None:
    person = contacts.create_contact(
        store, {"kind": "resident", "name": "Zofia <b>Wglądowa</b>", "phone": "+48 600 700 800"}, CONSENT
    )
    visits.log_visit(store, contact_id=person.id, outcome="talked", notes="Prosi o kopię danych")
    contacts.delete_contact(store, person.id)  # a deleted contact's data is still exportable

    with pytest.raises(ValidationFailed) as refused:
        access_package(store, person.id, by="koordynatorka", password="krótkie")
    assert [e.code for e in refused.value.errors] == ["export_password_short"]
    package = access_package(store, person.id, by="koordynatorka", password="Wiosna-2027!")
    assert package.encrypted and package.name.startswith("dane-osoby-") and package.name.endswith(".zip")
    assert "Wglądowa".encode() not in package.data and b"600 700 800" not in package.data

    with zipfile.ZipFile(io.BytesIO(package.data)) as plain, pytest.raises(RuntimeError):
        plain.read("dane-osoby.json")  # the standard library cannot open AES entries
    with pyzipper.AESZipFile(io.BytesIO(package.data)) as archive:
        archive.setpassword(b"Wiosna-2027!")
        document = json.loads(archive.read("dane-osoby.json"))
        page = archive.read("dane-osoby.html").decode("utf-8")
    information = document["informacje_art_15"]
    for label in ("Administrator danych", "Cele przetwarzania", "Kategorie danych", "Odbiorcy",
                  "Okres przechowywania", "Prawa", "Skarga", "Źródło danych", "Zautomatyzowane decyzje"):
        assert information[label], label
    contact = document["dane"]["Dane kontaktu"]
    assert contact["Imię i nazwisko / nazwa"] == "Zofia <b>Wglądowa</b>" and contact["Usunięty"] is True
    assert [v["Notatki"] for v in document["dane"]["Wizyty"]] == ["Prosi o kopię danych"]
    assert document["dane"]["Historia zgód"][0]["Wersja klauzuli"] == CONSENT["clause_version"]
    assert "Kopia danych osobowych (art. 15 RODO)" in page and "Prezesa Urzędu Ochrony Danych" in page
    assert "Zofia &lt;b&gt;Wglądowa&lt;/b&gt;" in page and "<b>Wglądowa" not in page


def test_the_record_of_processing_activities_comes_from_the_programs_settings(store: Store) -> None:
    from fieldapp.services.clause import publish_clause
    from fieldapp.services.rodo.processing import processing_record_html

    publish_clause(store, {"version": "2027-01", "full_text": "…", "short_text": "…",
                           "controller": "Fundacja <Sąsiedzi>", "dpo_contact": "iod@sasiedzi.pl"})
    store.set_meta("rodo.retention_days", "90")
    name, data = processing_record_html(store)
    page = data.decode("utf-8")
    assert name == "rejestr-czynnosci-przetwarzania.html"
    assert "Rejestr czynności przetwarzania (art. 30 RODO)" in page
    assert "Fundacja &lt;Sąsiedzi&gt;" in page and "iod@sasiedzi.pl" in page and "2027-01" in page
    assert "bez zgody: 90 dni" in page
    for activity in ("Mieszkańcy i liderzy spotkani w terenie", "Organizacje i ich osoby kontaktowe"):
        assert activity in page
