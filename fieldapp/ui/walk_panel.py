"""Today's walk as a panel: the next door (distance and direction) big, then the whole route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from fieldapp.geo.gps import Fix
from fieldapp.geo.walk import SkippedDoor, WalkList, WalkStop, skipped_doors
from fieldapp.i18n.format import format_distance, format_distance_direction
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext


class WalkPanel:
    """Today's walk: the next door (distance and direction) big, then the whole route."""

    def __init__(
        self, ctx: UiContext, *, on_done: Callable[[WalkStop], Any], on_visit: Callable[[WalkStop], Any]
    ) -> None:
        self.ctx = ctx
        self.on_done = on_done
        self.on_visit = on_visit
        self.walk: WalkList | None = None
        self.done: set[str] = set()
        self.position: Fix | None = None
        self.next_card = ft.Column(spacing=8)
        self.summary = ft.Text("", size=15, color=theme.MUTED)
        self.stops = ft.Column(spacing=0)
        self.extra = ft.Column(spacing=4)
        self.control = ft.Column(
            [
                self.next_card,
                self.summary,
                w.heading(ctx.t("geo.walk.route"), size=18),
                self.stops,
                self.extra,
            ],
            spacing=10,
        )

    def show(self, walk: WalkList, done: set[str], position: Fix | None) -> None:
        self.walk, self.done, self.position = walk, done, position
        t, lang = self.ctx.t, self.ctx.lang
        remaining = [s for s in walk.stops if s.door.key not in done]
        self.summary.value = t(
            "geo.walk.summary",
            doors=len(walk.stops),
            left=len(remaining),
            distance=format_distance(walk.total_m, lang),
        )
        self.next_card.controls = [self._next_card()]
        self.stops.controls = [self._stop_row(i, stop) for i, stop in enumerate(walk.stops)] or [
            w.empty(t("geo.walk.empty"))
        ]
        extra: list[ft.Control] = []
        if walk.skipped:
            doors = skipped_doors(walk.skipped)
            extra.append(w.heading(t("geo.walk.skipped", count=len(doors)), size=16))
            extra += [w.muted(self._skipped_line(door)) for door in doors]
        if walk.unlocated:
            extra.append(w.heading(t("geo.walk.unlocated", count=len(walk.unlocated)), size=16))
            extra += [w.muted(c.address or c.name) for c in walk.unlocated]
        self.extra.controls = extra

    def _skipped_line(self, door: SkippedDoor) -> str:
        t = self.ctx.t
        flats = f" ({t('geo.walk.flats', flats=', '.join(door.flats))})" if door.flats else ""
        return f"{door.label}{flats} — {t(f'geo.walk.reason.{door.reason}')}"

    def _next_card(self) -> ft.Control:
        t, lang = self.ctx.t, self.ctx.lang
        assert self.walk is not None
        nxt = self.walk.next_door(self.position.point if self.position else None, self.done)
        if nxt is None:
            return w.notice(
                t("geo.walk.all_done") if self.walk.stops else t("geo.walk.empty"),
                color=theme.PRIMARY_CONTAINER,
                icon=ft.Icons.CHECK_CIRCLE,
            )
        door = nxt.stop.door
        if nxt.distance_m is None:
            where = t("geo.walk.no_position")
        else:
            where = format_distance_direction(nxt.distance_m, nxt.direction, lang)
        lines: list[ft.Control] = [
            w.muted(t("geo.walk.next_door")),
            ft.Semantics(
                identifier="walk-next",
                container=True,
                content=ft.Column(
                    [
                        w.heading(door.label, size=24),
                        ft.Text(where, size=22, weight=ft.FontWeight.W_700, color=theme.PRIMARY),
                    ],
                    spacing=4,
                ),
            ),
        ]
        if door.flats:
            lines.append(w.body(t("geo.walk.flats", flats=", ".join(door.flats))))
        lines.append(
            ft.Row(
                [
                    w.primary_button(
                        self.ctx,
                        t("geo.walk.log_visit"),
                        lambda: self.on_visit(nxt.stop),
                        icon=ft.Icons.EDIT_NOTE,
                        expand=True,
                    ),
                    w.secondary_button(
                        self.ctx,
                        t("geo.walk.done"),
                        lambda: self.on_done(nxt.stop),
                        icon=ft.Icons.CHECK,
                        expand=True,
                    ),
                ]
            )
        )
        return w.card(*lines)

    def _stop_row(self, index: int, stop: WalkStop) -> ft.Control:
        t, lang = self.ctx.t, self.ctx.lang
        done = stop.door.key in self.done
        if index == 0 and self.walk is not None and self.walk.start is None:
            leg = t("geo.walk.first")
        else:
            leg = format_distance_direction(stop.leg_m, stop.direction, lang)
        subtitle = t("geo.walk.done_mark") if done else leg
        if stop.door.flats:
            subtitle += " · " + t("geo.walk.flats", flats=", ".join(stop.door.flats))
        return w.row_tile(
            self.ctx,
            f"{index + 1}. {stop.door.label}",
            subtitle,
            leading=ft.Icon(
                ft.Icons.CHECK_CIRCLE if done else ft.Icons.RADIO_BUTTON_UNCHECKED,
                color=theme.OK if done else theme.MUTED,
            ),
        )
