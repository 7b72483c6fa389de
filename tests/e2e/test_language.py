"""Switching the language: live, on every screen, remembered on the device."""

from __future__ import annotations

from tests.e2e.harness import AppServer, Phone


def test_switch_to_english_and_back(app: AppServer, phone: Phone) -> None:
    phone.by_label("Dziś", "tab").wait_for()
    phone.tap_tab("Więcej")
    phone.see("Język")
    phone.tap("English", exact=True)

    phone.see("Language")
    for label in ("Today", "Contacts", "Visits", "Zone", "More"):
        phone.by_label(label, "tab").wait_for()
    with app.store() as store:
        assert store.meta("ui.language") == "en"

    phone.tap_tab("Contacts")
    phone.see("Search contacts")

    phone.tap_tab("More")
    phone.tap("Polski", exact=True)
    phone.see("Język")
    phone.by_label("Dziś", "tab").wait_for()
    with app.store() as store:
        assert store.meta("ui.language") == "pl"
    assert app.errors_logged() == []


def test_language_is_remembered_for_the_next_session(app: AppServer, phone: Phone, new_phone) -> None:
    phone.tap_tab("Więcej")
    phone.tap("English", exact=True)
    phone.see("Language")

    again = new_phone(app)  # a new window: the app starts in the language chosen before
    again.by_label("More", "tab").wait_for()
    again.tap_tab("More")
    again.tap("Polski", exact=True)
    again.see("Język")
