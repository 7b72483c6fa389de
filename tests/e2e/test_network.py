"""Cooperation network in the browser: a group from suggestions, a meeting with three attendees (one
new, with consent), the engagement ladder moving, and the network view showing the new links."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from fieldapp.model import Attendance, Consent, Contact, GroupMember, Visit, Zone
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone


def prefill_store(store: Store) -> None:
    with store.write() as conn:
        zone = store.save(conn, Zone(name="Bałuty Zachodnie", kind="sas"))
        people = [
            Contact(kind="resident", name="Anna Ogrodniczka", zone_id=zone.id, interests="ogród, kwiaty"),
            Contact(kind="resident", name="Bogdan Zieliński", zone_id=zone.id, offers="sadzonki i zieleń"),
            Contact(kind="resident", name="Celina Szachowa", zone_id=zone.id, interests="szachy"),
        ]
        for person in people:
            store.save(conn, person)
            store.save(
                conn,
                Consent(contact_id=person.id, status="given", scope_contact=True, scope_store=True,
                        given_at=datetime(2025, 2, 1, 12, tzinfo=UTC), recorded_by="Ewa Animatorka"),
            )
        store.save(conn, Visit(contact_id=people[0].id, zone_id=zone.id, outcome="talked",
                               visited_at=datetime(2025, 3, 1, 12, tzinfo=UTC)))
        store.set_meta("ui.zone", zone.id, conn)


def _back(phone: Phone, then_see: str) -> None:
    """The app bar's back arrow (its tooltip is its name), then wait for the screen below."""
    phone.back()
    phone.see(then_see)


def _rows(app: AppServer, model, *conditions):
    with app.store() as store, store.read() as session:
        return list(session.exec(select(model).where(model.deleted == False, *conditions)).all())  # noqa: E712


def test_group_meeting_ladder_and_network(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Strefa")
    phone.tap("Sieć współpracy")
    phone.see("Kogo zaprosić")
    phone.see("Anna Ogrodniczka")  # nobody is linked yet: everyone is someone to invite

    # A group from suggestions.
    phone.tap("Grupy (GAL)")
    phone.tap("Nowa grupa")
    phone.fill("Nazwa grupy", "Zielone Bałuty")
    phone.fill("Temat, problem albo ulica", "ogród, zieleń")
    phone.tap("Znajdź osoby do grupy")
    phone.see("Propozycje (2)")
    phone.not_see("Celina Szachowa", timeout_ms=1000)
    phone.tap("Anna Ogrodniczka", role="checkbox")
    phone.tap("Bogdan Zieliński", role="checkbox")
    phone.tap("Utwórz grupę")
    phone.see("osób: 2")
    assert {m.contact_id for m in _rows(app, GroupMember)} == {
        c.id for c in _rows(app, Contact, Contact.name.in_(["Anna Ogrodniczka", "Bogdan Zieliński"]))
    }

    # A meeting: two people found by name, one new person with consent.
    _back(phone, "Grupy Aktywności Lokalnej")
    _back(phone, "Najlepiej połączeni")
    phone.tap("Spotkania")
    phone.tap("Nowe spotkanie")
    phone.fill("Temat", "Forum sąsiedzkie")
    phone.tap("Zapisz")
    phone.see("Lista jest pusta.")
    for query, name in (("Anna", "Anna Ogrodniczka"), ("Celina", "Celina Szachowa")):
        phone.type("Dodaj uczestnika (szukaj)", query)
        phone.tap(name)
        phone.see(f"Na liście: {name}")
    phone.tap("Nowa osoba (zgoda RODO)")
    phone.tap("Tak, zgadza się")
    for box in ("Klauzula informacyjna przekazana", "Osoba ma ukończone 18 lat",
                "Przechowywanie danych tej osoby"):
        phone.tap(box, role="checkbox")
    phone.fill("Kto przyjął zgodę", "Ewa Animatorka")
    phone.fill("Imię i nazwisko / nazwa", "Dorota Nowak")
    phone.fill("Zainteresowania", "ogród")
    phone.tap("Zapisz i dodaj do listy")
    phone.see("Razem na spotkaniu: 3")
    phone.see("Dorota Nowak")

    [dorota] = _rows(app, Contact, Contact.name == "Dorota Nowak")
    [consent] = _rows(app, Consent, Consent.contact_id == dorota.id)
    assert (consent.status, consent.scope_store, consent.recorded_by) == ("given", True, "Ewa Animatorka")
    assert len(_rows(app, Attendance)) == 3

    # The ladder moved: met at the door in March, at a meeting today.
    phone.tap("Anna Ogrodniczka")
    phone.see("Drabina zaangażowania")
    phone.see("Teraz: Udział w spotkaniu")
    phone.see("Rozmowa przy drzwiach: 01.03.2025")
    phone.see(f"Udział w spotkaniu: {date.today():%d.%m.%Y}")

    # The network view shows the new links.
    _back(phone, "Lista obecności")
    _back(phone, "Forum sąsiedzkie")
    _back(phone, "Najlepiej połączeni")
    text = phone.text()
    for link in (
        "Anna Ogrodniczka — Zielone Bałuty",
        "Bogdan Zieliński — Zielone Bałuty",
        "Anna Ogrodniczka — Celina Szachowa",
        "Anna Ogrodniczka — Dorota Nowak",
        "Celina Szachowa — Dorota Nowak",
    ):
        assert link in text, link
    best = text.split("Najlepiej połączeni", 1)[1]
    assert best.index("Anna Ogrodniczka") < best.index("Połączenia: 3")
    assert not app.errors_logged()
