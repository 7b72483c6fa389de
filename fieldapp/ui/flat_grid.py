"""A building's flats as a grid: each flat coloured by its last outcome, "do not knock" marked.

Tapping a flat opens a sheet with the outcome buttons (one tap saves); the range of flats is set
once in a small dialog ("1–60") and reaches the teammates with the building record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

import flet as ft

from fieldapp.model.enums import DOOR_OUTCOMES
from fieldapp.services.buildings import BuildingFlats, Flat
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext

#: A flat's tile: wide enough for "120a", tall enough for a thumb.
TILE_WIDTH = 62
TILE_HEIGHT = 52
NEVER_COLOR = "#000000"
#: Outcome buttons a little lower than elsewhere, so all five fit under the address at 360×740.
DOOR_OUTCOME_HEIGHT = 56


def flat_label(ctx: UiContext, flat: Flat) -> str:
    """What a screen reader says of a flat tile: its number and its state."""
    if flat.do_not_knock:
        state = ctx.t("ui.doors.flat_never")
    elif flat.outcome:
        state = ctx.t(f"visit.outcome.{flat.outcome}")
    else:
        state = ctx.t("ui.doors.flat_unvisited")
    return ctx.t("ui.doors.flat_tile", number=flat.number, state=state)


def outcome_button(ctx: UiContext, code: str, on_tap: Callable[[str], Awaitable[None]]) -> ft.Control:
    """One big outcome button (the door screen's and the flat sheet's)."""
    return ft.FilledButton(
        content=ft.Text(ctx.t(f"visit.outcome.{code}"), size=19, weight=ft.FontWeight.W_700),
        on_click=ctx.handler(lambda: on_tap(code), exclusive=True),
        height=DOOR_OUTCOME_HEIGHT,
        width=float("inf"),
        style=ft.ButtonStyle(
            bgcolor=theme.OUTCOME_COLORS.get(code, theme.DEFAULT_OUTCOME_COLOR),
            color=ft.Colors.WHITE,
            shape=ft.RoundedRectangleBorder(radius=12),
        ),
    )


class FlatGrid:
    """The grid of a building's flats; ``on_flat(flat)`` runs when one is tapped."""

    def __init__(self, ctx: UiContext, on_flat: Callable[[Flat], Awaitable[None]],
                 on_range: Callable[[], Awaitable[None]]) -> None:
        self.ctx = ctx
        self.on_flat = on_flat
        self.summary = w.muted("")
        self.grid = ft.Row(wrap=True, spacing=6, run_spacing=6)
        self.range_button = w.secondary_button(ctx, ctx.t("ui.doors.set_range"), on_range,
                                               icon=ft.Icons.APARTMENT)
        self.control = ft.Column(
            [w.heading(ctx.t("ui.doors.flats"), size=18), self.summary, self.grid, self.range_button],
            spacing=8,
            visible=False,
        )

    def show(self, block: BuildingFlats | None) -> None:
        """Draw the flats of ``block`` (None: no building chosen, the grid hides)."""
        self.control.visible = block is not None
        if block is None:
            return
        t = self.ctx.t
        self.grid.controls = [self._tile(flat) for flat in block.flats]
        if block.flats:
            self.summary.value = t("ui.doors.flats_summary", knocked=block.knocked, total=len(block.flats))
        else:
            self.summary.value = t("ui.doors.no_flats")
        building = block.building
        has_range = building is not None and building.flat_first is not None
        label = cast(ft.Text, self.range_button.content)
        label.value = t("ui.doors.change_range") if has_range else t("ui.doors.set_range")

    def _tile(self, flat: Flat) -> ft.Control:
        color: str
        ink: str
        if flat.do_not_knock:
            color, ink = NEVER_COLOR, ft.Colors.WHITE
        elif flat.outcome:
            color, ink = theme.OUTCOME_COLORS.get(flat.outcome, theme.DEFAULT_OUTCOME_COLOR), ft.Colors.WHITE
        else:
            color, ink = theme.SURFACE_LOW, theme.INK
        label = flat_label(self.ctx, flat)
        number = ft.Text(flat.number, size=17, weight=ft.FontWeight.W_700, color=ink)
        # Lean on purpose (a block has hundreds of flats): no tooltip, no row; the label speaks.
        return ft.Semantics(
            label=label,
            button=True,
            content=ft.Container(
                number,
                width=TILE_WIDTH,
                height=TILE_HEIGHT,
                bgcolor=color,
                border=ft.Border.all(3 if flat.do_not_knock else 1, theme.DANGER if flat.do_not_knock
                                     else theme.OUTLINE),
                border_radius=8,
                alignment=ft.Alignment.CENTER,
                on_click=self.ctx.handler(lambda: self.on_flat(flat), exclusive=True),
            ),
        )


def flat_sheet(ctx: UiContext, place: str, flat: Flat,
               on_outcome: Callable[[str], Awaitable[None]]) -> ft.BottomSheet:
    """The outcome buttons for one flat: one tap saves and closes the sheet."""
    rows: list[ft.Control] = [w.heading(ctx.t("ui.doors.flat_title", place=place, flat=flat.number), size=19)]
    if flat.do_not_knock:
        rows.append(w.notice(ctx.t("ui.doors.flat_never_notice"), icon=ft.Icons.BLOCK))
    rows += [outcome_button(ctx, code, on_outcome) for code in DOOR_OUTCOMES]
    rows.append(w.secondary_button(ctx, ctx.t("ui.common.cancel"), lambda: ctx.page.pop_dialog()))
    return ft.BottomSheet(
        ft.Container(ft.Column(rows, tight=True, spacing=8, scroll=ft.ScrollMode.AUTO), padding=16),
        scrollable=True,
    )


def range_dialog(ctx: UiContext, place: str, first: int | None, last: int | None,
                 on_save: Callable[[str, str], Awaitable[str | None]]) -> ft.AlertDialog:
    """Ask for a building's first and last flat; ``on_save`` returns an error to show, or None."""
    start = w.text_field(ctx.t("ui.doors.range_first"), value=str(first or ""),
                         keyboard=ft.KeyboardType.NUMBER, width=110)
    end = w.text_field(ctx.t("ui.doors.range_last"), value=str(last or ""),
                       keyboard=ft.KeyboardType.NUMBER, width=110)
    problem = ft.Text("", color=theme.DANGER, size=15, visible=False)

    async def save() -> None:
        error = await on_save(start.value or "", end.value or "")
        problem.value, problem.visible = error or "", bool(error)
        if not error:
            ctx.page.pop_dialog()

    return ft.AlertDialog(
        title=ft.Text(ctx.t("ui.doors.range_title", place=place), size=19),
        content=ft.Column([w.muted(ctx.t("ui.doors.range_help")), ft.Row([start, end], wrap=True), problem],
                          tight=True),
        actions=[
            ft.TextButton(ctx.t("ui.common.cancel"), on_click=ctx.handler(lambda: ctx.page.pop_dialog())),
            ft.FilledButton(ctx.t("ui.common.save"), on_click=ctx.handler(save, exclusive=True)),
        ],
    )
