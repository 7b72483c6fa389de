"""Door to door: a knock is logged in at most three taps from the start screen, then the next door."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from fieldapp.model import Visit, Zone
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone


def prefill_store(store: Store) -> None:
    with store.write() as conn:
        store.save(conn, Zone(name="Stare Polesie", kind="sas"))
        store.save(conn, Zone(name="Księży Młyn", kind="quarter"))


def visits_at(app: AppServer, street: str) -> list[Visit]:
    with app.store() as store, store.read() as session:
        rows = session.exec(select(Visit).where(Visit.street == street).order_by(Visit.visited_at)).all()
        return list(rows)


def test_knock_logged_in_three_taps_then_next_door(app: AppServer, phone: Phone) -> None:
    phone.by_label("Dziś", "tab").wait_for()  # the start screen
    phone.tap_tab("Wizyty")  # 1
    phone.tap("Stare Polesie")  # 2
    phone.fill("Ulica", "Więckowskiego")  # typing, not a tap
    phone.fill("Nr domu", "12")
    phone.tap("Nikogo nie ma")  # 3

    assert phone.taps <= 3
    phone.see("Zapisano: Nikogo nie ma — Więckowskiego 12")
    phone.expect_value("Nr domu", "13")  # straight on to the next door

    [visit] = visits_at(app, "Więckowskiego")
    with app.store() as store:
        zone = store.get(Zone, visit.zone_id)
        pending = store.pending_changes()
    assert (visit.outcome, visit.house_number, visit.address) == ("not_home", "12", "Więckowskiego 12")
    assert zone is not None and zone.name == "Stare Polesie"
    assert pending >= 1  # waiting in the outbox for the next sync

    # The next door takes one tap: the walk, street and number are already there.
    phone.taps = 0
    phone.tap("Rozmowa")
    assert phone.taps == 1
    phone.see("Zapisano: Rozmowa — Więckowskiego 13")
    assert [v.house_number for v in visits_at(app, "Więckowskiego")] == ["12", "13"]


def test_extras_on_the_same_screen_and_undo(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Wizyty")
    phone.fill("Ulica", "Łąkowa")
    phone.fill("Nr domu", "3")
    phone.tap("Notatka, kontakt, termin powrotu")
    phone.fill("Notatka", "Pani z psem, prosi o ulotkę")
    phone.tap("Jutro")
    phone.tap("Wrócić później")
    phone.see("Zapisano: Wrócić później — Łąkowa 3")

    [visit] = visits_at(app, "Łąkowa")
    assert visit.notes == "Pani z psem, prosi o ulotkę"
    assert visit.follow_up_on == date.today() + timedelta(days=1)
    phone.expect_value("Notatka", "")  # extras cleared for the next door

    phone.tap("Odmowa")
    phone.see("Zapisano: Odmowa — Łąkowa 4")
    phone.tap("Cofnij")
    phone.see("Cofnięto ostatni wpis")
    live = [v for v in visits_at(app, "Łąkowa") if not v.deleted]
    assert [v.house_number for v in live] == ["3"]
    phone.expect_value("Nr domu", "4")  # back at the door of the mistake


def test_bad_date_is_shown_beside_the_field_and_nothing_is_saved(app: AppServer, phone: Phone) -> None:
    phone.tap_tab("Wizyty")
    phone.fill("Ulica", "Gdańska")
    phone.fill("Nr domu", "8")
    phone.tap("Notatka, kontakt, termin powrotu")
    phone.fill("Wrócić dnia", "31.02.2025")
    phone.tap("Rozmowa")
    phone.see("Wpisz datę jako dd.mm.rrrr")
    assert visits_at(app, "Gdańska") == []
    phone.expect_value("Nr domu", "8")  # what was typed stays
