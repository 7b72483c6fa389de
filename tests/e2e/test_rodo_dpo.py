"""RODO at the door and at the coordinator's desk, in the real app in Chromium (issue 27).

An animator shows the information clause (short and full), records a consent with two of the three
scopes — nothing ticked beforehand — and later the person withdraws one of them: a new consent
record, the phone number gone, the rest kept. The coordinator registers the person's access request
(due in a month, in the register) and hands over the encrypted copy as a download.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pyzipper
from sqlmodel import select

from fieldapp.i18n.format import format_date
from fieldapp.model import Consent, Contact, RightsRequest, Zone
from fieldapp.services.clause import BUILTIN_VERSION
from fieldapp.services.rodo.requests import add_months
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone

NAME = "Teodora Klauzulowa"
PASSWORD = "Wiosna-2027!"


def prefill_store(store: Store) -> None:
    with store.write() as conn:
        store.save(conn, Zone(name="Stare Polesie", kind="sas"))
    store.set_meta("user.role", "animator")


def _person(app: AppServer) -> Contact | None:
    with app.store() as store, store.read() as session:
        return session.exec(select(Contact).where(Contact.name == NAME)).first()


def _consents(app: AppServer, contact_id: str) -> list[Consent]:
    with app.store() as store, store.read() as session:
        rows = session.exec(select(Consent).where(Consent.contact_id == contact_id))
        return sorted(rows.all(), key=lambda c: c.given_at)


def test_clause_consent_withdrawal_and_an_access_request_handed_over(
    app: AppServer, phone: Phone, tmp_path: Path
) -> None:
    # -- the animator at the door ----------------------------------------------------------------
    phone.tap_tab("Kontakty")
    phone.tap("Dodaj kontakt")
    phone.see("Powiedz osobie (klauzula informacyjna, skrót):")
    phone.see("Zapisujemy Pani/Pana imię")
    phone.see(f"Wersja klauzuli: {BUILTIN_VERSION}")
    phone.tap("Pokaż pełną klauzulę")
    phone.see("Klauzula informacyjna (art. 13 RODO)")
    phone.see("Prezesa Urzędu Ochrony Danych Osobowych")
    phone.tap("Zamknij")
    phone.tap("Tak, zgadza się")
    # Nothing is pre-ticked; saving without the clause and the adult check is refused.
    for box in ("Przechowywanie danych tej osoby", "Kontakt z tą osobą"):
        phone.tap(box, role="checkbox")
    phone.fill("Imię i nazwisko / nazwa", NAME)
    phone.fill("Telefon", "600 111 222")
    phone.fill("Kto przyjął zgodę", "Ola Animatorka")
    phone.tap("Zapisz", exact=True)
    phone.see("Najpierw przekaż klauzulę informacyjną")
    phone.see("Zapytaj, czy osoba ma ukończone 18 lat")
    assert _person(app) is None
    phone.tap("Klauzula informacyjna przekazana", role="checkbox")
    phone.tap("Osoba ma ukończone 18 lat", role="checkbox")
    phone.tap("Zapisz", exact=True)
    phone.see("Zgoda wyrażona")
    phone.see(f"Przekazano klauzulę, wersja {BUILTIN_VERSION}")
    phone.see("Zakres: Przechowywanie danych tej osoby, Kontakt z tą osobą")

    person = _person(app)
    assert person is not None and person.phone == "600 111 222"
    [consent] = _consents(app, person.id)
    assert (consent.scope_store, consent.scope_contact, consent.scope_photos, consent.scope_special) == (
        True,
        True,
        False,
        False,
    )
    assert (consent.clause_version, consent.adult, consent.recorded_by) == (
        BUILTIN_VERSION,
        True,
        "Ola Animatorka",
    )
    assert consent.clause_given_at is not None

    # -- later the person withdraws one scope ------------------------------------------------------
    phone.tap("Wycofaj zgodę")
    phone.see("Na co osoba wycofuje zgodę?")
    phone.tap("Kontakt z tą osobą", role="checkbox")
    phone.tap("Wycofaj zaznaczone")
    phone.see("Zakres: Przechowywanie danych tej osoby")
    phone.not_see("600 111 222")
    first, second = _consents(app, person.id)
    assert first.id == consent.id and first.scope_contact  # the history keeps the first answer
    assert (second.status, second.scope_store, second.scope_contact) == ("given", True, False)
    assert second.withdrawn_at is not None and second.recorded_by == "Ola Animatorka"
    person = _person(app)
    assert person is not None and person.phone == "" and person.name == NAME

    # -- the coordinator: an access request, registered and handed over --------------------------
    with app.store() as store:
        store.set_meta("user.role", "supervisor")
    phone.back()
    phone.tap_tab("Kontakty")
    phone.by_label(NAME).first.wait_for()
    phone.tap(NAME)
    phone.tap("Zarejestruj żądanie osoby")
    phone.see("Rodzaj żądania")
    phone.tap("Zarejestruj", exact=True)
    due = add_months(date.today(), 1)
    phone.see(f"Żądanie zarejestrowane — termin: {format_date(due, 'pl')}")
    with app.store() as store, store.read() as session:
        [request] = session.exec(select(RightsRequest)).all()
    assert (request.kind, request.contact_id, request.due_on) == ("access", person.id, due)

    phone.tap("Przekaż kopię danych (art. 15)")
    phone.see("Plik ZIP będzie zaszyfrowany")
    phone.fill("Hasło do pliku", "krótkie")
    phone.tap("Przygotuj plik")
    phone.see("Hasło musi mieć co najmniej 8 znaków")
    phone.fill("Hasło do pliku", PASSWORD)
    with phone.page.expect_download() as download:
        phone.tap("Przygotuj plik")
    assert download.value.suggested_filename == f"dane-osoby-{person.id[:8]}.zip"
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with pyzipper.AESZipFile(io.BytesIO(path.read_bytes())) as archive:
        archive.setpassword(PASSWORD.encode())
        document = json.loads(archive.read("dane-osoby.json"))
        page = archive.read("dane-osoby.html").decode("utf-8")
    assert document["dane"]["Dane kontaktu"]["Imię i nazwisko / nazwa"] == NAME
    assert len(document["dane"]["Historia zgód"]) == 2
    assert "Okres przechowywania" in document["informacje_art_15"]
    assert NAME in page and "Kopia danych osobowych (art. 15 RODO)" in page
    assert NAME.encode() not in path.read_bytes()  # encrypted

    # The register shows the request with its due date.
    phone.back()
    phone.tap_tab("Więcej")
    phone.tap("Rejestr żądań RODO")
    phone.see(f"Dostęp do danych (art. 15) — {NAME}")
    phone.see(f"Termin: {format_date(due, 'pl')}")
    # Identity checked, then done: each button acts on its own request.
    phone.tap("Potwierdź tożsamość")
    phone.see(f"Tożsamość potwierdzona: {format_date(date.today(), 'pl')}")
    phone.tap("Oznacz jako zrealizowane")
    phone.not_see("Potwierdź tożsamość", timeout_ms=5000)
    with app.store() as store, store.read() as session:
        [request] = session.exec(select(RightsRequest)).all()
    assert request.identity_checked_on == date.today() and request.done_on == date.today()


def test_the_app_locks_after_idle_time_and_opens_with_the_pin(app: AppServer, phone: Phone) -> None:
    from fieldapp.services.app_lock import set_pin

    phone.tap_tab("Kontakty")
    with app.store() as store:
        set_pin(store, "2580", 5)
        store.set_meta("lock.idle_minutes", "0")  # idle at once: the next look locks
    phone.see("Aplikacja zablokowana")
    phone.fill("PIN", "1111")
    phone.tap("Odblokuj")
    phone.see("Błędny PIN")
    with app.store() as store:
        store.set_meta("lock.idle_minutes", "5")
    phone.fill("PIN", "2580")
    phone.tap("Odblokuj")
    phone.not_see("Aplikacja zablokowana")
    phone.see("Dodaj kontakt")
    with app.store() as store:
        store.set_meta("lock.pin", None)


def test_a_person_named_by_a_neighbour_gets_a_notice_task(app: AppServer, phone: Phone) -> None:
    """Art. 14: not met, so no consent to ask — the name and the source of data are kept, nothing
    else is offered, and a task to inform the person falls due within a month."""
    from fieldapp.model import FollowUpTask

    with app.store() as store:
        store.set_meta("user.role", "animator")
    phone.tap_tab("Kontakty")
    phone.tap("Dodaj kontakt")
    phone.tap("Osoby tu nie ma — dane od kogoś innego (art. 14)")
    phone.fill("Źródło danych (art. 14)", "wskazany przez sąsiadkę z nr 7")
    phone.fill("Imię i nazwisko / nazwa", "Wiesław Wskazany")
    assert phone.field("Notatki").count() == 0  # nothing more about someone never met
    phone.fill("Ulica", "Zielona")
    phone.fill("Nr domu", "7")
    phone.tap("Zapisz", exact=True)
    phone.see("Wiesław Wskazany")
    with app.store() as store, store.read() as session:
        person = session.exec(select(Contact).where(Contact.name == "Wiesław Wskazany")).one()
        [task] = session.exec(select(FollowUpTask).where(FollowUpTask.contact_id == person.id)).all()
    assert person.data_source == "wskazany przez sąsiadkę z nr 7"
    assert task.due_on is not None and 28 <= (task.due_on - date.today()).days <= 31
