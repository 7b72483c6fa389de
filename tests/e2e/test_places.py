"""Community places and OWES animation in the browser: a place moves through its stages, a group
books a room and a second booking at an overlapping hour is flagged as a clash (both kept, both
in the outbox); an OWES activity is logged and appears in the period's indicators."""

from __future__ import annotations

from sqlmodel import select

from fieldapp.model import Booking, CommunityPlace, LocalActivityGroup, OwesActivity, PlaceStageChange, Zone
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone


def prefill_store(store: Store) -> None:
    with store.write() as conn:
        zone = store.save(conn, Zone(name="Księży Młyn", kind="sas"))
        store.save(conn, LocalActivityGroup(name="Klub Seniora", theme="seniorzy", zone_id=zone.id))
        store.set_meta("ui.zone", zone.id, conn)


def _rows(app: AppServer, model, *conditions):
    with app.store() as store, store.read() as session:
        return list(session.exec(select(model).where(model.deleted == False, *conditions)).all())  # noqa: E712


def _outbox(app: AppServer, record_type: str) -> int:
    with app.store() as store, store.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT count(*) FROM outbox WHERE record_type = ?", (record_type,)
        ).scalar_one()


def test_a_place_moves_through_its_stages_and_a_booking_clash_is_flagged(
    app: AppServer, phone: Phone
) -> None:
    phone.tap_tab("Strefa")
    phone.tap("Miejsca aktywności")
    phone.see("Nie ma jeszcze żadnego miejsca.")
    phone.tap("Dodaj miejsce")
    phone.fill("Nazwa miejsca", "MAM Księży Młyn")
    phone.choose("Rodzaj miejsca", "Miejsce Aktywności Mieszkańców (MAM)")
    phone.tap("Zapisz")
    phone.see("Etap: Wypracowanie koncepcji")

    phone.choose("Nowy etap", "Wdrożenie")
    phone.tap("Zmień etap")
    phone.see("Etap: Wdrożenie")
    phone.choose("Nowy etap", "Prowadzenie przez lokalną organizację")
    phone.tap("Zmień etap")
    phone.see("Etap: Prowadzenie przez lokalną organizację")
    [place] = _rows(app, CommunityPlace)
    assert (place.kind, place.stage) == ("mam", "ngo_run")
    history = sorted(_rows(app, PlaceStageChange), key=lambda c: c.base_hlc)
    assert [c.stage for c in history] == ["concept", "implementation", "ngo_run"]

    phone.fill("Nazwa sali", "Sala duża")
    phone.fill("Liczba miejsc", "30")
    phone.tap("Dodaj salę")
    phone.see("Liczba miejsc: 30")

    phone.fill("Od (gg:mm)", "17:00")
    phone.fill("Do (gg:mm)", "19:00")
    phone.choose("Grupa", "Klub Seniora")
    phone.tap("Zarezerwuj salę")
    phone.see("Zarezerwowano salę")
    phone.not_see("Kolizja terminów", timeout_ms=2_000)

    phone.choose("Grupa", "Bez grupy")
    phone.fill("Od (gg:mm)", "18:00")
    phone.fill("Do (gg:mm)", "20:00")
    phone.fill("Dla kogo", "Próba chóru")
    phone.tap("Zarezerwuj salę")
    phone.see("termin koliduje z inną rezerwacją")
    phone.see("Kolizja terminów")
    bookings = _rows(app, Booking)
    [group] = _rows(app, LocalActivityGroup)
    assert sorted((b.start_time, b.end_time, b.group_id, b.booked_for) for b in bookings) == [
        ("17:00", "19:00", group.id, ""),
        ("18:00", "20:00", None, "Próba chóru"),
    ]
    assert _outbox(app, "booking") == 2  # both sync like any record; the clash is for people to settle
    assert not app.errors_logged()


def test_an_owes_activity_appears_in_the_periods_indicators(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Strefa")
    phone.tap("Animacja ekonomii społecznej (OWES)")
    phone.see("Przeprowadzone konsultacje: 0")
    phone.tap("Dodaj działanie animacyjne")
    phone.fill("Co się odbyło", "Konsultacje programu rewitalizacji")
    phone.choose("Forma", "Dialog obywatelski (konsultacje gminne, powiatowe)")
    phone.fill("Czas (godziny)", "2,5")
    phone.fill("Powstałe grupy inicjatywne", "1")
    phone.tap("Zapisz")
    phone.see("Przeprowadzone konsultacje: 1")
    phone.see("Godziny animacji: 2,5")
    phone.see("Powstałe grupy inicjatywne: 1")
    phone.see("Działania animacyjne: 1")
    phone.see("Konsultacje programu rewitalizacji")
    [activity] = _rows(app, OwesActivity)
    assert (activity.form, activity.minutes, activity.groups_formed) == ("civic_dialogue", 150, 1)
    [zone] = _rows(app, Zone)
    assert activity.zone_id == zone.id
    assert not app.errors_logged()
