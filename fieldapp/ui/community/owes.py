"""Social-economy animation (OWES): the period's indicators and activities, and a new activity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.i18n.format import format_number
from fieldapp.model.social_economy import OwesForm, OwesTask
from fieldapp.services import social_economy as svc
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import current_zone, options, section, zone_options
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen


def _hours(ctx, minutes: int) -> str:
    return format_number(Decimal(minutes) / 60, ctx.lang, 1)


@screen("/zone/owes", menu=MenuEntry("/zone", "owes.ui.title", ft.Icons.HANDSHAKE, order=31))
class OwesScreen(Screen):
    title_key = "owes.ui.screen"  # short enough for the app bar; the menu says it in full

    def build(self) -> ft.Control:
        ctx, t = self.ctx, self.t
        today = date.today()
        f = self.form = Form(ctx)
        f.add(
            "start",
            w.text_field(
                t("owes.ui.period_from"),
                hint=t("ui.common.date_hint"),
                value=w.format_date(today.replace(day=1), ctx.lang),
            ),
        )
        f.add(
            "end",
            w.text_field(
                t("owes.ui.period_to"), hint=t("ui.common.date_hint"), value=w.format_date(today, ctx.lang)
            ),
        )
        self.indicators = ft.Column(spacing=2)
        self.list = ft.Column([w.muted(t("ui.common.loading"))], spacing=0)
        return ft.Column(
            [
                f.banner,
                ft.Row([ft.Container(f["start"], expand=1), ft.Container(f["end"], expand=1)]),
                w.secondary_button(ctx, t("owes.ui.show"), self._show, icon=ft.Icons.INSIGHTS),
                section(t("owes.ui.indicators"), self.indicators),
                section(t("owes.ui.activities"), self.list),
            ],
            spacing=12,
        )

    def fab(self) -> ft.FloatingActionButton:
        return w.fab(self.ctx, self.t("owes.ui.add"), lambda: self.ctx.go("/zone/owes/new"))

    async def _show(self) -> None:
        await self.load()
        self.update()

    async def load(self) -> None:
        ctx, t, f = self.ctx, self.t, self.form
        f.clear_errors()
        errors: list[FieldError] = []
        start, end = f.date("start", errors), f.date("end", errors)
        if errors:
            f.show_errors(errors)
            return
        rows = await ctx.call(svc.list_activities, ctx.store, start=start, end=end)
        found = svc.indicators(rows)
        self.indicators.controls = [
            w.body(t("owes.ind.activities", n=found.activities)),
            w.body(t("owes.ind.entities", n=found.entities_supported)),
            w.body(t("owes.ind.groups_formed", n=found.groups_formed)),
            w.body(t("owes.ind.enterprises_created", n=found.enterprises_created)),
            w.body(t("owes.ind.partnerships_formed", n=found.partnerships_formed)),
            w.body(t("owes.ind.consultations", n=found.consultations)),
            w.body(t("owes.ind.hours", n=_hours(ctx, found.minutes))),
        ]
        self.list.controls = [
            w.row_tile(
                ctx,
                a.title,
                t(
                    "owes.ui.line",
                    date=w.format_date(a.held_on, ctx.lang),
                    what=t(f"owes.form.{a.form}") if a.form else t(f"owes.task.{a.task}"),
                    hours=_hours(ctx, a.minutes),
                ),
                leading=ft.Icon(ft.Icons.GROUPS, color=theme.PRIMARY),
            )
            for a in rows
        ] or [w.empty(t("owes.ui.empty"))]


@screen("/zone/owes/new")
class NewOwesScreen(Screen):
    title_key = "owes.ui.new"

    def build(self) -> ft.Control:
        ctx, t = self.ctx, self.t
        f = self.form = Form(ctx)
        f.add("title", w.text_field(t("owes.ui.what")))
        f.add(
            "held_on",
            w.text_field(
                t("owes.ui.held_on"),
                hint=t("ui.common.date_hint"),
                value=w.format_date(date.today(), ctx.lang),
            ),
        )
        self.kind = f.add(
            "form",
            w.ChoiceField(
                ctx, t("owes.ui.form"), options(ctx, "owes.form", OwesForm), allow_empty=t("owes.ui.none")
            ),
        )
        self.task = f.add(
            "task",
            w.ChoiceField(
                ctx, t("owes.ui.task"), options(ctx, "owes.task", OwesTask), allow_empty=t("owes.ui.none")
            ),
        )
        f.add(
            "minutes",
            w.text_field(
                t("owes.ui.hours"), hint=t("network.ui.duration_hint"), keyboard=ft.KeyboardType.NUMBER
            ),
        )
        for name in ("groups_formed", "enterprises_created", "partnerships_formed"):
            f.add(name, w.text_field(t(f"owes.ui.{name}"), value="0", keyboard=ft.KeyboardType.NUMBER))
        f.add("outcome", w.text_field(t("owes.ui.outcome"), multiline=True))
        f.add("follow_up", w.text_field(t("owes.ui.follow_up"), multiline=True))
        self.zone = f.add(
            "zone_id", w.ChoiceField(ctx, t("ui.contact.zone"), [], allow_empty=t("network.ui.all_zones"))
        )
        return ft.Column(
            [
                f.banner,
                f["title"],
                f["held_on"],
                self.kind.control,
                self.task.control,
                f["minutes"],
                f["groups_formed"],
                f["enterprises_created"],
                f["partnerships_formed"],
                f["outcome"],
                f["follow_up"],
                self.zone.control,
                w.primary_button(ctx, t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=12,
        )

    async def load(self) -> None:
        self.zone.set_options(await zone_options(self.ctx))
        if self.zone.value is None:
            self.zone.set_value(await current_zone(self.ctx, self.query))

    def _minutes(self, errors: list[FieldError]) -> int:
        text = self.form.text("minutes").replace(",", ".").replace(" ", "")
        if not text:
            return 0
        try:
            return round(float(text) * 60)
        except ValueError:
            errors.append(self.form.field_error("minutes", "ui.error.number"))
            return 0

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        data = {
            "title": f.text("title"),
            "held_on": f.date("held_on", errors),
            "form": self.kind.value or "",
            "task": self.task.value or "",
            "minutes": self._minutes(errors),
            **{
                n: f.integer(n, errors)
                for n in ("groups_formed", "enterprises_created", "partnerships_formed")
            },
            "outcome": f.text("outcome"),
            "follow_up": f.text("follow_up"),
            "zone_id": self.zone.value,
        }
        if errors:
            f.show_errors(errors)
            return
        if await f.submit(svc.log_activity, self.ctx.store, data) is not None:
            self.ctx.toast(self.t("owes.ui.saved"))
            await self.ctx.back()
