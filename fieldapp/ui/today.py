"""Dziś: the current walk (one tap back to the doors), follow-ups, today's count, pending sync.

Follow-ups come in three groups with their counts — overdue (marked, the most recently missed
first), today, upcoming — each showing its first rows and a button for the rest, so a follow-up
set for next week is visible from the day it is set.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import flet as ft

from fieldapp.i18n.format import address_of, format_date
from fieldapp.model import Visit
from fieldapp.services import reviews as review_service
from fieldapp.services import visits as visit_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import META_WALK
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen
from fieldapp.ui.sync_screen import sync_summary

#: Follow-ups shown per group before "Pokaż wszystkie".
FIRST_ROWS = 5
GROUPS = ("overdue", "today", "upcoming")
OVERDUE_COLOR = "#A50E0E"


@screen("/today")
class TodayScreen(Screen):
    title_key = "ui.today.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.walk_text = w.body(self.t("ui.today.no_walk"), size=17)
        self.walk_button = w.primary_button(
            ctx,
            self.t("ui.today.start_walk"),
            lambda: ctx.go("/doors"),
            icon=ft.Icons.DOOR_FRONT_DOOR,
            height=56,
            expand=True,
        )
        self.counts = w.body("", size=16)
        self.follow_ups = ft.Column(spacing=4)
        self.follow_up_heading = w.heading(self.t("ui.today.follow_ups"))
        # Entries the coordinator returned: shown first, where the person who can fix them looks.
        self.returned = ft.Column(spacing=0, visible=False)
        self.sync_line = w.muted(self.t("ui.common.loading"))
        now = datetime.now()
        return ft.Column(
            [
                w.heading(self.t("ui.today.date", date=format_date(now.date(), ctx.lang)), size=18),
                self.returned,
                w.card(
                    w.heading(self.t("ui.today.walk"), size=18),
                    self.walk_text,
                    ft.Row([self.walk_button]),
                    self.counts,
                ),
                self.follow_up_heading,
                self.follow_ups,
                w.card(
                    w.heading(self.t("ui.sync.title"), size=18),
                    self.sync_line,
                    on_click=lambda: ctx.go("/more/sync"),
                    ctx=ctx,
                ),
            ],
            spacing=14,
        )

    async def load(self) -> None:
        ctx = self.ctx
        walk = await ctx.json_setting(META_WALK)
        if walk.get("street") or walk.get("zone_name"):
            where = " · ".join(p for p in (walk.get("zone_name"), walk.get("street")) if p)
            number = walk.get("house_number") or ""
            self.walk_text.value = self.t("ui.today.walk_at", where=where, number=number) if number else where
            self.walk_button.content.value = self.t("ui.today.continue_walk")
        today = date.today()
        recent = await ctx.call(visit_service.recent_visits, ctx.store, 200)
        todays = [v for v in recent if v.visited_at.astimezone().date() == today]
        if todays:
            talked = Counter(v.outcome for v in todays).get("talked", 0)
            visits = ctx.tn("ui.count.visits", len(todays))
            self.counts.value = (
                self.t("ui.today.counts", visits=visits, talks=ctx.tn("ui.count.talks", talked))
                if talked
                else self.t("ui.today.counts_visits", visits=visits)
            )
        await self._load_follow_ups(today)
        await self._load_returned()
        self.sync_line.value = await sync_summary(ctx)
        self.sync_line.color = theme.INK

    async def _load_follow_ups(self, today: date) -> None:
        ctx = self.ctx
        found = await ctx.call(visit_service.follow_ups, ctx.store, today, FIRST_ROWS)
        rows: list[ft.Control] = []
        for group in GROUPS:
            count = found.counts[group]
            if not count:
                continue
            visits: list[Visit] = getattr(found, group)
            section = ft.Column(spacing=0)
            section.controls = [
                w.body(self.t(f"ui.today.follow_ups.{group}", count=count), size=17,
                       weight=ft.FontWeight.W_700, color=OVERDUE_COLOR if group == "overdue" else theme.INK),
                *[self._row(visit, group) for visit in visits],
            ]
            if count > len(visits):
                section.controls.append(w.secondary_button(
                    ctx, self.t("ui.today.follow_ups.all", count=count),
                    lambda s=section, g=group: self._show_all(s, g, today)))
            rows.append(section)
        total = sum(found.counts.values())
        self.follow_up_heading.value = (
            self.t("ui.today.follow_ups.total", count=total) if total else self.t("ui.today.follow_ups")
        )
        self.follow_ups.controls = rows or [w.empty(self.t("ui.today.no_follow_ups"))]

    async def _show_all(self, section: ft.Column, group: str, today: date) -> None:
        visits = await self.ctx.call(visit_service.follow_up_group, self.ctx.store, today, group)
        section.controls = [section.controls[0], *[self._row(visit, group) for visit in visits]]

    def _row(self, visit: Visit, group: str) -> ft.Control:
        ctx = self.ctx
        when = format_date(visit.follow_up_on, ctx.lang)
        if group == "overdue":
            when = self.t("ui.today.overdue_since", date=when)
        subtitle = " · ".join(p for p in (when, visit.next_step or visit.notes) if p)
        target = f"/contacts/{visit.contact_id}" if visit.contact_id else f"/doors?from_visit={visit.id}"
        icon = ft.Icons.EVENT_BUSY if group == "overdue" else ft.Icons.EVENT
        return w.row_tile(
            ctx,
            address_of(visit) or self.t("ui.today.no_address"),
            subtitle,
            on_click=lambda e, r=target: ctx.go(r),
            leading=ft.Icon(icon, color=OVERDUE_COLOR if group == "overdue" else theme.INK),
        )

    async def _load_returned(self) -> None:
        ctx = self.ctx
        if not ctx.store.user_id:
            return
        returned = await ctx.call(
            review_service.review_queue,
            ctx.store,
            animator_id=ctx.store.user_id,
            states=["returned"],
            limit=99,
        )
        self.returned.visible = bool(returned)
        self.returned.controls = [
            w.card(
                w.heading(self.t("ui.today.returned", count=len(returned)), size=18),
                w.muted(returned[0].comment if returned else ""),
                on_click=lambda: ctx.go("/more/review"),
                ctx=ctx,
                bgcolor="#FDECEA",
            )
        ]
