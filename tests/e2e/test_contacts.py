"""Contacts: create a resident with oral consent in one flow, find them without diacritics,
see the consent on the detail screen; without consent no personal data is kept."""

from __future__ import annotations

from sqlmodel import select

from fieldapp.model import Consent, Contact, Zone
from fieldapp.services.rodo import entries
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone


def prefill_store(store: Store) -> None:
    with store.write() as conn:
        store.save(conn, Zone(name="Stare Polesie", kind="sas"))


def contacts_named(app: AppServer, name: str) -> list[Contact]:
    with app.store() as store, store.read() as session:
        found = session.exec(select(Contact).where(Contact.name == name, Contact.deleted == False))  # noqa: E712
        return list(found.all())


def forget_an_earlier_attempt(app: AppServer, name: str) -> None:
    """A rerun shares the module's store: what a failed first attempt saved would be found twice."""
    leftovers = contacts_named(app, name)
    with app.store() as store, store.write() as conn:
        for contact in leftovers:
            store.delete(conn, contact)


def consent_of(app: AppServer, contact_id: str) -> list[Consent]:
    with app.store() as store, store.read() as session:
        return list(session.exec(select(Consent).where(Consent.contact_id == contact_id)).all())


def test_create_resident_with_consent_then_find_without_diacritics(app: AppServer, phone: Phone) -> None:
    forget_an_earlier_attempt(app, "Łucja Żółkiewska")
    phone.tap_tab("Kontakty")
    phone.tap("Dodaj kontakt")
    phone.see("Czy ta osoba zgadza się")
    phone.tap("Tak, zgadza się")
    # Nothing is ticked for her: the clause given, her age and each scope are the animator's ticks.
    for box in ("Klauzula informacyjna przekazana", "Osoba ma ukończone 18 lat",
                "Przechowywanie danych tej osoby", "Kontakt z tą osobą"):
        phone.tap(box, role="checkbox")
    phone.fill("Imię i nazwisko / nazwa", "Łucja Żółkiewska")
    phone.fill("Telefon", "600 700 800")
    phone.fill("Kto przyjął zgodę", "Ola Animatorka")
    phone.fill("Ulica", "Łąkowa")
    phone.fill("Nr domu", "5")
    phone.choose("Strefa", "Stare Polesie")
    phone.tap("Zapisz", exact=True)

    phone.see("Zgoda wyrażona")
    phone.see("Łucja Żółkiewska")
    phone.see("Ola Animatorka")

    [contact] = contacts_named(app, "Łucja Żółkiewska")
    assert (contact.kind, contact.phone, contact.street, contact.house_number) == ("resident", "600 700 800",
                                                                                   "Łąkowa", "5")
    [consent] = consent_of(app, contact.id)
    assert (consent.status, consent.method, consent.recorded_by) == ("given", "oral", "Ola Animatorka")
    assert consent.scope_store and consent.given_at is not None

    # Search as you type, without Polish letters (back from the detail to the list).
    phone.back()
    phone.type("Szukaj kontaktu", "lucja zolk")
    phone.see("Znaleziono: 1")
    phone.by_label("Łucja Żółkiewska").first.wait_for()
    phone.tap("Łucja Żółkiewska")
    phone.see("Historia wizyt")
    # Each opening of the card is in the local audit log once (not once per re-render).
    with app.store() as store:
        assert len(entries(store, target_id=contact.id, actions=["viewed"])) == 2


def test_without_consent_only_non_personal_data_is_kept(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Kontakty")
    phone.tap("Dodaj kontakt")
    phone.tap("Nie", exact=True)
    phone.see("Bez zgody zapiszemy tylko adres budynku")
    assert phone.field("Imię i nazwisko / nazwa").count() == 0  # personal fields are not offered
    phone.fill("Ulica", "Zielona")
    phone.fill("Nr domu", "17")
    phone.tap("Nie pukać więcej", role="checkbox")
    phone.tap("Zapisz", exact=True)
    phone.see("Brak zgody")

    with app.store() as store, store.read() as session:
        [contact] = session.exec(select(Contact).where(Contact.street == "Zielona")).all()
    assert contact.name == "" and contact.phone == "" and contact.notes == ""
    assert contact.do_not_knock is True
    assert consent_of(app, contact.id) == [] or all(c.status != "given" for c in consent_of(app, contact.id))


def test_missing_recorder_is_shown_beside_the_field(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Kontakty")
    phone.tap("Dodaj kontakt")
    phone.tap("Tak, zgadza się")
    phone.fill("Imię i nazwisko / nazwa", "Jan Bez Zgody")
    phone.fill("Kto przyjął zgodę", "")
    phone.tap("Zapisz", exact=True)
    phone.see("Wpisz, kto przyjął zgodę")
    phone.expect_value("Imię i nazwisko / nazwa", "Jan Bez Zgody")  # nothing typed is lost
    assert contacts_named(app, "Jan Bez Zgody") == []


def test_a_double_tap_on_save_saves_once(app: AppServer, phone: Phone) -> None:
    """One hand, a slow phone: the second tap of a double tap must not make a second contact."""
    phone.tap_tab("Kontakty")
    phone.tap("Dodaj kontakt")
    phone.tap("Nie", exact=True)
    phone.fill("Ulica", "Podwójna")
    phone.fill("Nr domu", "2")
    save = phone.by_label("Zapisz", "button", exact=True).first
    save.scroll_into_view_if_needed()
    save.dblclick()
    phone.see("Brak zgody")
    with app.store() as store, store.read() as session:
        assert len(session.exec(select(Contact).where(Contact.street == "Podwójna")).all()) == 1
