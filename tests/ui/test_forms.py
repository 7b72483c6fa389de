"""Forms without a browser: the form's own errors and amounts typed in the user's language."""

from __future__ import annotations

from types import SimpleNamespace

from fieldapp.i18n import Translator, t
from fieldapp.store import Store
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext
from fieldapp.ui.forms import Form


def form_for(store: Store) -> Form:
    return Form(UiContext(SimpleNamespace(update=lambda: None), store))  # type: ignore[arg-type]


def test_the_forms_own_errors_are_shown_in_words_beside_the_field(store: Store) -> None:
    form = form_for(store)
    field = form.add("follow_up_on", w.text_field("Wrócić dnia"))
    field.value = "31.02.2025"
    errors: list = []
    assert form.date("follow_up_on", errors) is None
    form.show_errors(errors)
    assert field.error == t("ui.error.date", "pl") and not field.error.startswith("error.")


def test_amounts_are_read_in_the_users_language(store: Store) -> None:
    form = form_for(store)
    field = form.add("grant_requested_gr", w.text_field("Kwota"))
    errors: list = []
    field.value = "2 500,50"
    assert form.money_gr("grant_requested_gr", errors) == 250_050
    form.ctx.tr = Translator("en")
    field.value = "2,500.50"
    assert form.money_gr("grant_requested_gr", errors) == 250_050
    field.value = "a lot"
    assert form.money_gr("grant_requested_gr", errors) is None
    assert [e.field for e in errors] == ["grant_requested_gr"]
