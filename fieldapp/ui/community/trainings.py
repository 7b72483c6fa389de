"""Training series (/zone/series, listed on Strefa) and one series' progress against its plan:
sessions and hours, individual support hours, and attendance per session."""

from __future__ import annotations

from decimal import Decimal

import flet as ft

from fieldapp.i18n.format import format_number
from fieldapp.services import cooperation as net
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import section
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen


def _hours(lang: str, minutes: int) -> str:
    return format_number(Decimal(minutes) / 60, lang, 1)


@screen("/zone/series", menu=MenuEntry("/zone", "trainings.ui.title", ft.Icons.SCHOOL, order=32))
class SeriesListScreen(Screen):
    title_key = "trainings.ui.title"

    def build(self) -> ft.Control:
        self.list = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=0)
        return ft.Column([self.list], spacing=8)

    async def load(self) -> None:
        ctx = self.ctx
        rows: list[ft.Control] = [
            w.row_tile(
                ctx,
                series.name,
                self.t("trainings.ui.planned", sessions=series.sessions_planned, hours=series.hours_planned),
                on_click=lambda e, sid=series.id: ctx.go(f"/zone/series/{sid}"),
                leading=ft.Icon(ft.Icons.SCHOOL, color=theme.PRIMARY),
            )
            for series in await ctx.call(net.list_series, ctx.store)
        ]
        self.list.controls = rows or [w.empty(self.t("trainings.ui.empty"))]


@screen("/zone/series/:series_id")
class SeriesScreen(Screen):
    title_key = "network.ui.series"

    def build(self) -> ft.Control:
        self.header = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=6)
        self.sessions = ft.Column(spacing=0)
        return ft.Column([self.header, section(self.t("trainings.ui.attendance"), self.sessions)], spacing=14)

    async def load(self) -> None:
        ctx, t = self.ctx, self.t
        p = await ctx.call(net.series_progress, ctx.store, self.params["series_id"])
        s = p.series
        self.header.controls = [
            w.heading(s.name, size=22),
            w.body(t("trainings.ui.sessions", held=p.sessions, planned=s.sessions_planned or "—")),
            w.body(
                t(
                    "trainings.ui.hours",
                    held=_hours(ctx.lang, p.session_minutes),
                    planned=s.hours_planned or "—",
                )
            ),
            w.body(
                t(
                    "trainings.ui.support",
                    sessions=p.support_sessions,
                    hours=_hours(ctx.lang, p.support_minutes),
                )
            ),
        ]
        self.sessions.controls = [
            w.row_tile(
                ctx,
                meeting.topic,
                t("trainings.ui.session_line", date=w.format_date(meeting.held_on, ctx.lang), people=people),
                on_click=lambda e, mid=meeting.id: ctx.go(f"/zone/meetings/{mid}"),
                leading=ft.Icon(ft.Icons.EVENT, color=theme.PRIMARY),
            )
            for meeting, people in p.attendance
        ] or [w.empty(t("trainings.ui.no_sessions"))]
