"""Door to door: a first knock in three taps without typing, the next in two; a knock needs an
address and takes its street's zone; undo for 6 s on this screen only, never over a button; the
outcome buttons in view at 360×740; a building's flats as a grid; a contact made at the door."""

from __future__ import annotations

import re

from sqlmodel import select

from fieldapp.model import Building, Contact, Visit, Zone
from fieldapp.store import Store
from tests.e2e.harness import AppServer, Phone

SMALL_PHONE = {"width": 360, "height": 740}
OUTCOMES = ("Nikogo nie ma", "Rozmowa", "Wrócić później", "Odmowa", "Nie pukać więcej")


def prefill_store(store: Store) -> None:
    with store.write() as conn:
        polesie = Zone(name="Stare Polesie", kind="sas")
        store.save(conn, polesie)
        store.save(conn, Zone(name="Księży Młyn", kind="quarter"))
        for number in ("12", "14", "16"):
            store.save(conn, Contact(kind="resident", street="Więckowskiego", house_number=number,
                                     zone_id=polesie.id, address=f"Więckowskiego {number}"))
        store.save(conn, Contact(kind="resident", street="Gdańska", house_number="3", zone_id=polesie.id,
                                 address="Gdańska 3"))


def visits_at(app: AppServer, street: str) -> list[Visit]:
    with app.store() as store, store.read() as session:
        live = (Visit.street == street) & (Visit.deleted == False)  # noqa: E712 (an undone knock is a tombstone)
        rows = session.exec(select(Visit).where(live).order_by(Visit.visited_at)).all()
        return list(rows)


def open_doors(phone: Phone) -> None:
    """The Wizyty tab with the choice of building unfolded (it folds once a street is chosen)."""
    phone.tap_tab("Wizyty")
    # The status line says where you knock once the screen's state is loaded (it folds the choice
    # then); the outcome buttons show before that.
    phone.see(re.compile("Pukasz:|Wybierz budynek albo ulicę i numer"))
    if "Zmień adres" in phone.text():
        phone.tap("Zmień adres")


def zone_name(app: AppServer, zone_id: str | None) -> str | None:
    with app.store() as store:
        zone = store.get(Zone, zone_id) if zone_id else None
        return zone.name if zone else None


def test_first_knock_in_three_taps_without_typing_then_the_next_in_two(
        app: AppServer, phone: Phone) -> None:
    phone.by_label("Dziś", "tab").wait_for()  # the start screen
    phone.tap("Zacznij obchód")  # 1
    phone.tap("Gdańska 3")  # 2: a building offered, no typing
    phone.tap("Nikogo nie ma")  # 3

    assert phone.taps == 3
    phone.see("Zapisano: Nikogo nie ma — Gdańska 3")
    [visit] = visits_at(app, "Gdańska")
    assert (visit.outcome, visit.house_number, visit.address) == ("not_home", "3", "Gdańska 3")
    # No zone was picked: the street's known zone counts the knock.
    assert zone_name(app, visit.zone_id) == "Stare Polesie"

    phone.tap_tab("Dziś")
    phone.see("Dziś: 1 wizyta")  # Polish plural forms
    phone.taps = 0
    phone.tap("Pukaj dalej")
    phone.tap("Rozmowa")
    assert phone.taps == 2
    phone.see("Zapisano: Rozmowa — Gdańska 4")
    assert [v.house_number for v in visits_at(app, "Gdańska")] == ["3", "4"]
    phone.tap_tab("Dziś")
    phone.see("Dziś: 2 wizyty, w tym 1 rozmowa")


def test_icon_buttons_and_flutter_s_own_labels_speak_polish(app: AppServer, phone: Phone) -> None:
    open_doors(phone)
    # The −/+ beside the number are named by their tooltips, in Polish.
    phone.page.get_by_label("Poprzedni numer domu", exact=True).first.wait_for()
    phone.page.get_by_label("Następny numer domu", exact=True).first.wait_for()
    phone.tap("Notatka, kontakt, termin powrotu")
    phone.tap("Nowy kontakt pod tym adresem")
    phone.see("Nowy kontakt")
    phone.page.get_by_label("Wstecz", exact=True).first.wait_for()
    text = phone.text()
    assert "Close" not in text and "Dismiss" not in text and "Back" not in text


def test_a_knock_without_street_or_number_is_refused_with_a_clear_error(
        app: AppServer, phone: Phone) -> None:
    open_doors(phone)
    phone.fill("Ulica", "")
    phone.tap("Rozmowa")
    phone.see("Wpisz ulicę albo wybierz ją z listy")
    phone.fill("Ulica", "Łąkowa")  # a new street: the number of the last one is cleared
    phone.expect_value("Nr domu", "")
    phone.tap("Rozmowa")
    phone.see("Wpisz numer domu albo wybierz budynek")
    assert visits_at(app, "Łąkowa") == [] and visits_at(app, "") == []


def test_undo_lasts_six_seconds_on_its_screen_only_and_covers_no_button(
        app: AppServer, phone: Phone) -> None:
    open_doors(phone)
    phone.tap("Więckowskiego 12")
    phone.tap("Odmowa")
    phone.see("Zapisano: Odmowa — Więckowskiego 12")
    undo = phone.button("Cofnij", exact=True)
    first = phone.button(OUTCOMES[0], exact=True)
    undo_box, first_box = undo.bounding_box(), first.bounding_box()
    assert undo_box and first_box and undo_box["y"] + undo_box["height"] <= first_box["y"]
    phone.tap("Cofnij", exact=True)
    phone.see("Cofnięto ostatni wpis")
    assert visits_at(app, "Więckowskiego") == []

    phone.tap("Rozmowa")  # at 12 again
    phone.see("Zapisano: Rozmowa — Więckowskiego 12")
    phone.tap_tab("Kontakty")
    phone.not_see("Cofnij")  # not on another screen
    phone.tap_tab("Wizyty")
    phone.see("Pukasz: Więckowskiego 13")
    phone.not_see("Cofnij", timeout_ms=2_000)  # nor when back: the old knock is not offered
    phone.tap("Nikogo nie ma")
    phone.see("Zapisano: Nikogo nie ma — Więckowskiego 13")
    phone.not_see("Cofnij", timeout_ms=9_000)  # gone after 6 s
    assert [v.house_number for v in visits_at(app, "Więckowskiego")] == ["12", "13"]


def test_outcome_buttons_are_in_view_at_360_by_740(app: AppServer, new_phone) -> None:
    phone = new_phone(app, viewport=SMALL_PHONE)
    phone.see(re.compile("Zacznij obchód|Pukaj dalej"))  # the screen is drawn before it is read
    phone.tap("Zacznij obchód") if "Zacznij obchód" in phone.text() else phone.tap("Pukaj dalej")
    phone.see(re.compile("Pukasz:|Więckowskiego 14"))  # the door knocked at, or the list to choose it from
    if "Pukasz:" not in phone.text():
        phone.tap("Więckowskiego 14")
    phone.see("Pukasz:")
    for name in OUTCOMES:
        box = phone.button(name, exact=True).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SMALL_PHONE["height"], name


def test_a_building_s_flats_as_a_grid_tap_a_flat_then_its_outcome(app: AppServer, phone: Phone) -> None:
    open_doors(phone)
    phone.tap("Więckowskiego 16")
    phone.tap("Ustaw zakres mieszkań")
    phone.fill("Od", "1")
    phone.fill("Do", "6")
    phone.tap("Zapisz")
    phone.see("Mieszkanie 6: jeszcze nie")
    with app.store() as store, store.read() as session:
        [building] = session.exec(select(Building).where(Building.house_number == "16")).all()
    assert (building.street, building.flat_first, building.flat_last) == ("Więckowskiego", 1, 6)
    assert store.pending_changes() >= 1

    phone.tap("Mieszkanie 3: jeszcze nie")
    phone.see("Więckowskiego 16 m. 3 — jak poszło?")
    phone.tap("Rozmowa")  # the sheet's button (the sheet hides the screen's from a screen reader)
    phone.see("Mieszkanie 3: Rozmowa")
    phone.see("Odwiedzone: 1 z 6")
    [visit] = [v for v in visits_at(app, "Więckowskiego") if v.house_number == "16"]
    assert (visit.flat, visit.outcome) == ("3", "talked")
    phone.see("Pukasz: Więckowskiego 16")  # a knock at a flat stays in the building


def test_a_contact_made_at_the_door_is_linked_and_back_returns_to_the_door(
        app: AppServer, phone: Phone) -> None:
    open_doors(phone)
    phone.fill("Ulica", "Zielna")
    phone.fill("Nr domu", "5")
    phone.tap("Notatka, kontakt, termin powrotu")
    phone.tap("Nowy kontakt pod tym adresem")
    phone.see("Nowy kontakt")
    phone.back()
    phone.see("Pukasz: Zielna 5")  # back to the door, not to the contact list
