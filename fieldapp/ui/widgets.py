"""Shared widgets: big buttons, fields, choice pickers, list rows — all ≥ 48 px and labelled.

Every control carries a label a screen reader reads (button text, field label, or tooltip); the
e2e tests find controls by those same labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import flet as ft

from fieldapp.i18n.format import format_date as format_date  # re-exported: ui/cooperation uses w.format_date
from fieldapp.ui import registry, theme
from fieldapp.ui.context import UiContext

Handler = Callable[..., Any] | None


def heading(text: str, *, size: int = 20) -> ft.Text:
    return ft.Text(text, size=size, weight=ft.FontWeight.W_700, color=theme.INK)


def body(text: str, *, size: int = 16, color: str = theme.INK, **kwargs: Any) -> ft.Text:
    return ft.Text(text, size=size, color=color, **kwargs)


def muted(text: str, *, size: int = 15) -> ft.Text:
    return ft.Text(text, size=size, color=theme.MUTED)


def primary_button(
    ctx: UiContext,
    label: str,
    on_click: Handler,
    *,
    icon: ft.IconData | None = None,
    height: int = theme.TOUCH,
    expand: bool | int | None = None,
    bgcolor: str | None = None,
) -> ft.FilledButton:
    """The main action of a screen: filled, full contrast."""
    return ft.FilledButton(
        content=ft.Text(label, size=17, weight=ft.FontWeight.W_600, text_align=ft.TextAlign.CENTER),
        icon=icon,
        on_click=ctx.handler(on_click, exclusive=True),
        height=height,
        expand=expand,
        style=ft.ButtonStyle(
            bgcolor=bgcolor or theme.PRIMARY,
            color=ft.Colors.WHITE,
            shape=ft.RoundedRectangleBorder(radius=10),
            padding=ft.Padding.symmetric(horizontal=16),
        ),
    )


def secondary_button(
    ctx: UiContext,
    label: str,
    on_click: Handler,
    *,
    icon: ft.IconData | None = None,
    expand: bool | int | None = None,
    color: str = theme.PRIMARY,
) -> ft.OutlinedButton:
    return ft.OutlinedButton(
        content=ft.Text(label, size=16, weight=ft.FontWeight.W_600, color=color),
        icon=icon,
        icon_color=color,
        on_click=ctx.handler(on_click, exclusive=True),
        height=theme.TOUCH,
        expand=expand,
        style=ft.ButtonStyle(
            side=ft.BorderSide(2, color),
            shape=ft.RoundedRectangleBorder(radius=10),
            padding=ft.Padding.symmetric(horizontal=14),
        ),
    )


def set_selected(button: ft.OutlinedButton, selected: bool) -> None:
    """Show an outlined button (made by ``secondary_button``) as chosen (filled) or not."""
    button.style = ft.ButtonStyle(
        bgcolor=theme.PRIMARY if selected else None,
        side=ft.BorderSide(2, theme.PRIMARY),
        shape=ft.RoundedRectangleBorder(radius=10),
        padding=ft.Padding.symmetric(horizontal=14),
    )
    button.content.color = ft.Colors.WHITE if selected else theme.PRIMARY
    button.icon_color = ft.Colors.WHITE if selected else theme.PRIMARY


def icon_button(
    ctx: UiContext, icon: ft.IconData, tooltip: str, on_click: Handler, **kw: Any
) -> ft.IconButton:
    """An icon-only button; its tooltip is the label a screen reader reads."""
    return ft.IconButton(
        icon,
        tooltip=tooltip,
        on_click=ctx.handler(on_click, exclusive=True),
        width=theme.TOUCH,
        height=theme.TOUCH,
        icon_size=26,
        **kw,
    )


def fab(
    ctx: UiContext, label: str, on_click: Handler, icon: ft.IconData = ft.Icons.ADD
) -> ft.FloatingActionButton:
    """An extended floating button (icon and label): as wide as its label, never cut to a circle."""
    return ft.FloatingActionButton(
        icon=icon,
        content=label,
        tooltip=label,
        on_click=ctx.handler(on_click, exclusive=True),
        bgcolor=theme.PRIMARY,
        foreground_color=ft.Colors.WHITE,
        shape=ft.RoundedRectangleBorder(radius=16),
    )


def text_field(
    label: str,
    *,
    value: str = "",
    multiline: bool = False,
    hint: str | None = None,
    keyboard: ft.KeyboardType = ft.KeyboardType.TEXT,
    on_change: Handler = None,
    on_submit: Handler = None,
    expand: bool | int | None = None,
    **kw: Any,
) -> ft.TextField:
    return ft.TextField(
        label=label,
        value=value,
        hint_text=hint,
        multiline=multiline,
        min_lines=2 if multiline else None,
        max_lines=5 if multiline else 1,
        keyboard_type=keyboard,
        text_size=17,
        on_change=on_change,
        on_submit=on_submit,
        expand=expand,
        border_color=theme.OUTLINE,
        focused_border_color=theme.PRIMARY,
        focused_border_width=2,
        **kw,
    )


def badge(text: str, color: str) -> ft.Container:
    return ft.Container(
        ft.Text(text, color=ft.Colors.WHITE, size=14, weight=ft.FontWeight.W_600),
        bgcolor=color,
        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
        border_radius=12,
    )


def notice(
    text: str, *, color: str = theme.WARNING_BG, icon: ft.IconData = ft.Icons.INFO_OUTLINE
) -> ft.Container:
    """A highlighted message block (warnings, explanations)."""
    return ft.Container(
        ft.Row(
            [ft.Icon(icon, color=theme.INK), ft.Text(text, size=15, color=theme.INK, expand=True)],
            vertical_alignment=ft.CrossAxisAlignment.START,
        ),
        bgcolor=color,
        padding=12,
        border_radius=10,
    )


def empty(text: str) -> ft.Container:
    return ft.Container(
        ft.Text(text, size=16, color=theme.MUTED, italic=True), padding=ft.Padding.symmetric(vertical=12)
    )


def row_tile(
    ctx: UiContext,
    title: str,
    subtitle: str = "",
    *,
    on_click: Handler = None,
    leading: ft.Control | ft.IconData | None = None,
    trailing: ft.Control | None = None,
) -> ft.ListTile:
    """A tappable list row (≥ 56 px) whose title and subtitle are its accessible name."""
    return ft.ListTile(
        title=ft.Text(title, size=17, weight=ft.FontWeight.W_600, color=theme.INK),
        subtitle=ft.Text(subtitle, size=15, color=theme.MUTED) if subtitle else None,
        leading=leading,
        trailing=trailing,
        on_click=ctx.handler(on_click, exclusive=True),
        min_height=56,
        content_padding=ft.Padding.symmetric(horizontal=8),
    )


def menu_rows(ctx: UiContext, menu: str) -> list[ft.Control]:
    """One row a screen listed in a tab's menu (``registry.MenuEntry``), each opening its screen."""
    return [
        row_tile(
            ctx,
            ctx.t(entry.label_key),
            on_click=lambda e, route=spec.pattern: ctx.go(route),
            leading=ft.Icon(entry.icon),
            trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
        )
        for spec, entry in registry.menu_entries(menu)
    ]


def vocabulary_options(ctx: UiContext, key: str, values: Iterable[StrEnum]) -> list[tuple[str, str]]:
    """A picker's options over a vocabulary (an enum): each value labelled by ``<key>.<value>``."""
    return [(value.value, ctx.t(f"{key}.{value.value}")) for value in values]


def card(
    *controls: ft.Control,
    on_click: Handler = None,
    ctx: UiContext | None = None,
    bgcolor: str = theme.SURFACE_LOW,
) -> ft.Container:
    return ft.Container(
        ft.Column(list(controls), spacing=8),
        bgcolor=bgcolor,
        border=ft.Border.all(1, "#C9CED6"),
        border_radius=12,
        padding=14,
        on_click=ctx.handler(on_click, exclusive=True) if (ctx and on_click) else None,
    )


def labelled(label: str, value: str) -> ft.Column:
    """A read-only value with its label above (detail screens)."""
    return ft.Column([muted(label, size=14), body(value or "—")], spacing=2)


class ChoiceField:
    """Pick one value from a list: a button showing "Label: value" that opens a sheet of options.

    Used instead of a dropdown because the options are big rows that a screen reader names, and
    the chosen value is part of the button's accessible name. Put ``.control`` in the layout.
    """

    def __init__(
        self,
        ctx: UiContext,
        label: str,
        options: Sequence[tuple[str, str]],
        *,
        value: str | None = None,
        on_change: Handler = None,
        allow_empty: str | None = None,
    ) -> None:
        self._ctx = ctx
        self.label = label
        self.options = list(options)
        self.allow_empty = allow_empty  # text of the "none" option, if choosing nothing is allowed
        self.value = value
        self.on_change = on_change
        self._error = ft.Text("", color=theme.DANGER, size=14, visible=False)
        self._button = ft.OutlinedButton(
            content=self._content(),
            on_click=ctx.handler(self._open, exclusive=True),
            height=56,
            style=ft.ButtonStyle(
                side=ft.BorderSide(1, theme.OUTLINE),
                shape=ft.RoundedRectangleBorder(radius=6),
                alignment=ft.Alignment.CENTER_LEFT,
                padding=ft.Padding.symmetric(horizontal=12),
            ),
        )
        self.control = ft.Column([self._button, self._error], spacing=2)
        self._sheet: ft.BottomSheet | None = None

    def _text_of(self, value: str | None) -> str:
        if value is None:
            return self.allow_empty or "—"
        return next((text for key, text in self.options if key == value), value)

    def _content(self) -> ft.Control:
        return ft.Row(
            [
                ft.Text(f"{self.label}: {self._text_of(self.value)}", size=17, color=theme.INK, expand=True),
                ft.Icon(ft.Icons.ARROW_DROP_DOWN, color=theme.INK),
            ],
        )

    @property
    def error(self) -> str | None:
        return self._error.value or None

    @error.setter
    def error(self, message: str | None) -> None:
        self._error.value = message or ""
        self._error.visible = bool(message)

    @property
    def visible(self) -> bool:
        return bool(self.control.visible)

    @visible.setter
    def visible(self, value: bool) -> None:
        self.control.visible = value

    def set_value(self, value: str | None) -> None:
        self.value = value
        self._button.content = self._content()

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        self.options = list(options)
        self._button.content = self._content()

    async def _open(self) -> None:
        choices = ([(None, self.allow_empty)] if self.allow_empty else []) + list(self.options)
        tiles = [
            ft.ListTile(
                title=ft.Text(text, size=17),
                leading=ft.Icon(ft.Icons.CHECK if key == self.value else ft.Icons.CIRCLE_OUTLINED),
                on_click=self._ctx.handler(lambda e, k=key: self._pick(k)),
                min_height=52,
            )
            for key, text in choices
        ]
        self._sheet = ft.BottomSheet(
            ft.Container(
                ft.Column([heading(self.label, size=18), *tiles], scroll=ft.ScrollMode.AUTO, tight=True),
                padding=16,
            ),
            scrollable=True,
            show_drag_handle=True,
        )
        self._ctx.page.show_dialog(self._sheet)

    async def _pick(self, key: str | None) -> None:
        self.set_value(key)
        self.error = None
        if self._sheet is not None:
            self._ctx.page.pop_dialog()
            self._sheet = None
        if self.on_change:
            await self._ctx.handler(self.on_change)(self)
        self._ctx.page.update()


def parse_date(text: str) -> date | None:
    """A date typed as ``2025-06-01``, ``1.06.2025`` or ``1/6/2025``; ``None`` when blank.

    Raises ValueError when the text is not a date.
    """
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)
