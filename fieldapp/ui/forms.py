"""Forms: named inputs, their values, and validation errors shown beside each field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import flet as ft

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.i18n.format import parse_money
from fieldapp.ui import theme
from fieldapp.ui.context import UiContext
from fieldapp.ui.widgets import ChoiceField, parse_date

Input = ft.TextField | ChoiceField | ft.Checkbox | ft.Switch
T = TypeVar("T")
AnInput = TypeVar("AnInput", ft.TextField, ChoiceField, ft.Checkbox, ft.Switch)


class Form:
    """Keeps a form's inputs by the service's field names.

    ``show_errors`` puts each ``FieldError`` under its input (in the user's language); errors for
    fields without an input (or for the whole form) go to the banner at the top of the form.
    """

    def __init__(self, ctx: UiContext) -> None:
        self.ctx = ctx
        self.inputs: dict[str, Input] = {}
        #: Service field names that map to another input (e.g. "given_at" → "consent_given_at").
        self.aliases: dict[str, str] = {}
        self.banner = ft.Text("", color=theme.DANGER, size=16, weight=ft.FontWeight.W_600, visible=False)

    def add(self, name: str, control: AnInput) -> AnInput:
        self.inputs[name] = control
        return control

    def __getitem__(self, name: str) -> Any:
        return self.inputs[name]

    def text(self, name: str) -> str:
        control = self.inputs[name]
        return (
            (control.value or "").strip() if isinstance(control, ft.TextField) else str(control.value or "")
        )

    def value(self, name: str) -> Any:
        control = self.inputs[name]
        if isinstance(control, ft.TextField):
            return (control.value or "").strip()
        return control.value

    def clear_errors(self) -> None:
        for control in self.inputs.values():
            if isinstance(control, ft.TextField | ChoiceField):
                control.error = None
        self.banner.value = ""
        self.banner.visible = False

    def show_errors(self, errors: ValidationFailed | list[FieldError]) -> None:
        items = errors.errors if isinstance(errors, ValidationFailed) else errors
        self.clear_errors()
        loose: list[str] = []
        for error in items:
            message = error_text(error, self.ctx.lang)
            name = self.aliases.get(error.field, error.field)
            control = self.inputs.get(name)
            if isinstance(control, ft.TextField | ChoiceField) and _shown(control):
                control.error = message
            else:
                loose.append(message)
        if loose:
            self.banner.value = "\n".join(loose)
            self.banner.visible = True

    async def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """Run a service call off the event loop; when it fails validation, show its errors beside
        the fields and return None (the services return the saved record, never None)."""
        try:
            return await self.ctx.call(fn, *args, **kwargs)
        except ValidationFailed as exc:
            self.show_errors(exc)
            return None

    def field_error(self, name: str, key: str, **params: object) -> FieldError:
        """A UI-side error (e.g. a date the user typed that is not a date) for ``show_errors``."""
        return _UiFieldError(name, key, params)

    def date(self, name: str, errors: list[FieldError]) -> Any:
        """The date typed in a text input, or None; appends an error when it is not a date."""
        try:
            return parse_date(self.text(name))
        except ValueError:
            errors.append(self.field_error(name, "ui.error.date"))
            return None

    def integer(self, name: str, errors: list[FieldError], *, default: int | None = 0) -> int | None:
        text = self.text(name).replace(" ", "")
        if not text:
            return default
        try:
            return int(text)
        except ValueError:
            errors.append(self.field_error(name, "ui.error.number"))
            return default

    def money_gr(self, name: str, errors: list[FieldError]) -> int | None:
        """An amount typed in złoty ("2 500", "2500,50") as grosze; None when blank."""
        try:
            return parse_money(self.text(name), self.ctx.lang)
        except ValueError:
            errors.append(self.field_error(name, "ui.error.number"))
            return None


def _shown(control: ft.TextField | ChoiceField) -> bool:
    return control.visible is not False


class _UiFieldError(FieldError):
    """A FieldError whose message key is a UI catalog key rather than ``error.<code>``."""

    def __init__(self, field: str, key: str, params: dict[str, Any]) -> None:
        super().__init__(field, key, params)

    @property
    def text_key(self) -> str:
        return self.code
