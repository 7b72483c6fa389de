"""Community places and OWES animation in the browser: a place moves through its stages, a group
books a room and a second booking at an overlapping hour is flagged as a clash (both kept, both
in the outbox); an OWES activity is logged and appears in the period's indicators."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from fieldapp.model import (
    Booking,
    CommunityPlace,
    Consent,
    Contact,
    Edition,
    LocalActivityGroup,
    Meeting,
    OwesActivity,
    PlaceStageChange,
    TrainingSeries,
    Zone,
)
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone


def prefill_store(store: Store) -> None:
    with store.write() as conn:
        zone = store.save(conn, Zone(name="Księży Młyn", kind="sas"))
        store.save(conn, LocalActivityGroup(name="Klub Seniora", theme="seniorzy", zone_id=zone.id))
        for name, later in (("Halina Zgodna", True), ("Marek Bezzgody", False)):
            leader = store.save(conn, Contact(kind="leader", name=name, zone_id=zone.id))
            store.save(
                conn,
                Consent(
                    contact_id=leader.id,
                    status="given",
                    scope_contact=True,
                    scope_store=True,
                    scope_later_editions=later,
                    given_at=datetime(2026, 2, 1, 12, tzinfo=UTC),
                    recorded_by="Ewa Animatorka",
                ),
            )
        series = store.save(
            conn, TrainingSeries(name="Szkoła liderów", sessions_planned=10, hours_planned=160)
        )
        for topic, kind, minutes, people in (
            ("Sesja 1", "training", 960, 3),
            ("Sesja 2", "training", 960, 2),
            ("Doradztwo", "support", 90, 1),
        ):
            store.save(
                conn,
                Meeting(
                    topic=topic,
                    kind=kind,
                    held_on=date(2026, 3, 2),
                    duration_min=minutes,
                    series_id=series.id,
                    anonymous_count=people,
                ),
            )
        store.save(conn, Contact(kind="ngo", name="Fundacja Młyn", zone_id=zone.id))
        store.set_meta("ui.zone", zone.id, conn)


def _rows(app: AppServer, model, *conditions):
    with app.store() as store, store.read() as session:
        return list(session.exec(select(model).where(model.deleted == False, *conditions)).all())  # noqa: E712


def _outbox(app: AppServer, record_type: str, ids: list[str]) -> int:
    with app.store() as store, store.engine.connect() as conn:
        marks = ",".join("?" * len(ids))
        sql = f"SELECT count(*) FROM outbox WHERE record_type = ? AND record_id IN ({marks})"
        return conn.exec_driver_sql(sql, (record_type, *ids)).scalar_one()


def test_a_place_moves_through_its_stages_and_a_booking_clash_is_flagged(
    app: AppServer, phone: Phone
) -> None:
    phone.tap_tab("Strefa")
    phone.tap("Miejsca aktywności")
    phone.see("Dodaj miejsce")
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
    place = max(_rows(app, CommunityPlace), key=lambda p: p.base_hlc)  # a rerun leaves the first one
    assert (place.kind, place.stage) == ("mam", "ngo_run")
    history = sorted(
        _rows(app, PlaceStageChange, PlaceStageChange.place_id == place.id), key=lambda c: c.base_hlc
    )
    assert [c.stage for c in history] == ["concept", "implementation", "ngo_run"]

    phone.type("Dodaj partnera z kontaktów", "Fundacja")
    phone.tap("Fundacja Młyn")
    phone.see("Partnerzy według sektora: Sektor społeczny: 1")
    phone.fill("Nazwa partnera", "Urząd Dzielnicy")
    phone.choose("Sektor", "Sektor publiczny")
    phone.tap("Dodaj partnera", exact=True)
    phone.see("Partnerzy według sektora: Sektor publiczny: 1, Sektor społeczny: 1")

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
    bookings = _rows(app, Booking, Booking.place_id == place.id)
    [group] = _rows(app, LocalActivityGroup)
    assert sorted((b.start_time, b.end_time, b.group_id, b.booked_for) for b in bookings) == [
        ("17:00", "19:00", group.id, ""),
        ("18:00", "20:00", None, "Próba chóru"),
    ]
    assert (
        _outbox(app, "booking", [b.id for b in bookings]) == 2
    )  # both sync like any record; the clash is for people to settle
    assert not app.errors_logged()


def test_an_owes_activity_appears_in_the_periods_indicators(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Strefa")
    phone.tap("Animacja ekonomii społecznej (OWES)")
    before = len(_rows(app, OwesActivity))  # 0, or 1 when this is a rerun
    phone.see(f"Przeprowadzone konsultacje: {before}")
    phone.tap("Dodaj działanie animacyjne")
    phone.fill("Co się odbyło", "Konsultacje programu rewitalizacji")
    phone.choose("Forma", "Dialog obywatelski (konsultacje gminne, powiatowe)")
    phone.fill("Czas (godziny)", "2,5")
    phone.fill("Powstałe grupy inicjatywne", "1")
    phone.tap("Zapisz")
    phone.see(f"Przeprowadzone konsultacje: {before + 1}")
    phone.see(f"Godziny animacji: {2.5 * (before + 1):.1f}".replace(".", ","))
    phone.see(f"Powstałe grupy inicjatywne: {before + 1}")
    phone.see(f"Działania animacyjne: {before + 1}")
    phone.see("Konsultacje programu rewitalizacji")
    activity = max(_rows(app, OwesActivity), key=lambda a: a.base_hlc)
    assert (activity.form, activity.minutes, activity.groups_formed) == ("civic_dialogue", 150, 1)
    [zone] = _rows(app, Zone)
    assert activity.zone_id == zone.id
    assert not app.errors_logged()


def test_a_new_edition_carries_by_name_only_who_agreed(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Więcej")
    phone.tap("Edycje programu")
    phone.see("Edycje programu")
    phone.fill("Nazwa edycji", "Łódź 2026")
    phone.fill("Początek", "01.01.2026")
    phone.fill("Koniec (opcjonalnie)", "31.12.2026")
    phone.tap("Rozpocznij edycję", role="button", nth=0)
    phone.see("01.01.2026 – 31.12.2026")
    phone.fill("Nazwa edycji", "Łódź 2027")
    phone.fill("Początek", "01.01.2027")
    phone.choose("Poprzednia edycja", "Łódź 2026")
    phone.tap("Rozpocznij edycję", role="button", nth=0)
    phone.see("Liderzy i liderki: z nazwy 1, bez danych osobowych 1")
    phone.see("Przeniesione z nazwy: Halina Zgodna")
    assert "Marek Bezzgody" not in phone.text()
    assert {e.name for e in _rows(app, Edition)} == {"Łódź 2026", "Łódź 2027"}
    assert not app.errors_logged()


def test_a_training_series_shows_sessions_hours_support_and_attendance(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Strefa")
    phone.tap("Cykle szkoleń")
    phone.tap("Szkoła liderów")
    phone.see("Sesje: 2 z 10")
    phone.see("Godziny szkoleń: 32,0 z 160")
    phone.see("Wsparcie indywidualne — spotkania: 1, godziny: 1,5")
    phone.see("02.03.2026 · liczba osób: 3")
    assert not app.errors_logged()
