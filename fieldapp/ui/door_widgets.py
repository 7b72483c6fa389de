"""The door screen's one-tap choices: zones, buildings and streets as chips in wrapping rows."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.ui import theme
from fieldapp.ui import widgets as w


def chip(label: str, on_click: Any, *, chosen: bool = False) -> ft.Control:
    """A one-tap choice (zone, building, street)."""
    return ft.FilledButton(
        content=ft.Text(label, size=16, weight=ft.FontWeight.W_600,
                        color=ft.Colors.WHITE if chosen else theme.INK),
        icon=ft.Icons.CHECK if chosen else None,
        icon_color=ft.Colors.WHITE,
        on_click=on_click,
        height=theme.TOUCH,
        style=ft.ButtonStyle(
            bgcolor=theme.PRIMARY if chosen else theme.SURFACE_LOW,
            side=ft.BorderSide(1, theme.PRIMARY),
            shape=ft.RoundedRectangleBorder(radius=24),
        ),
    )


def chip_row(label: str) -> tuple[ft.Control, ft.Row]:
    # Wrapped, not scrolled sideways: every choice is in sight (and under a finger) at once.
    row = ft.Row(spacing=8, run_spacing=8, wrap=True)
    return ft.Column([w.muted(label), row], spacing=4), row
