"""A person's volunteering: their roles with the hours given, a new role, and hours on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import flet as ft

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.i18n.format import format_number, parse_money
from fieldapp.model import Contact
from fieldapp.services import cooperation as net
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import contact_name, section
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


def typed_minutes(form: Form, name: str, errors: list[FieldError]) -> int | None:
    """Hours typed as "1,5" / "1.5" / "2" in minutes; None when blank.

    Read with the one decimal parser (``parse_money``: hundredths), then turned into minutes.
    """
    try:
        hundredths = parse_money(form.text(name), form.ctx.lang)
    except ValueError:
        errors.append(form.field_error(name, "error.network.bad_hours"))
        return None
    return None if hundredths is None else round(hundredths * 60 / 100)


def hours_text(minutes: int, lang: str) -> str:
    """ "1,50" / "1.50": minutes as hours with two decimals."""
    return format_number(Decimal(minutes) / 60, lang, 2)


@screen("/zone/network/people/:contact_id/volunteering")
class VolunteeringScreen(Screen):
    title_key = "network.ui.volunteering"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.contact: Contact | None = None
        self.header = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=6)
        self.roles = ft.Column(spacing=0)
        f = self.role_form = Form(ctx)
        f.add("activity", w.text_field(self.t("network.ui.volunteer_activity")))
        f.add(
            "since",
            w.text_field(
                self.t("network.ui.volunteer_since"),
                hint=self.t("ui.common.date_hint"),
                value=w.format_date(date.today(), ctx.lang),
            ),
        )
        h = self.hours_form = Form(ctx)
        self.role = h.add("volunteer_id", w.ChoiceField(ctx, self.t("network.ui.volunteering"), []))
        h.add(
            "worked_on",
            w.text_field(
                self.t("network.ui.volunteer_day"),
                hint=self.t("ui.common.date_hint"),
                value=w.format_date(date.today(), ctx.lang),
            ),
        )
        h.add(
            "minutes",
            w.text_field(
                self.t("network.ui.volunteer_hours"),
                hint=self.t("network.ui.duration_hint"),
                keyboard=ft.KeyboardType.NUMBER,
            ),
        )
        return ft.Column(
            [
                self.header,
                self.roles,
                section(
                    self.t("network.ui.volunteer_hours_add"),
                    h.banner,
                    self.role.control,
                    h["worked_on"],
                    h["minutes"],
                    w.primary_button(ctx, self.t("ui.common.save"), self.add_hours, icon=ft.Icons.MORE_TIME),
                ),
                section(
                    self.t("network.ui.volunteer_add"),
                    f.banner,
                    f["activity"],
                    f["since"],
                    w.secondary_button(
                        ctx, self.t("network.ui.volunteer_add"), self.add_role, icon=ft.Icons.ADD
                    ),
                ),
            ],
            spacing=14,
        )

    @property
    def contact_id(self) -> str:
        return self.params["contact_id"]

    async def load(self) -> None:
        ctx = self.ctx
        self.contact = await ctx.call(ctx.store.get, Contact, self.contact_id)
        if self.contact is None or self.contact.deleted:
            self.header.controls = [w.empty(self.t("ui.error.not_found"))]
            return
        self.header.controls = [w.heading(contact_name(ctx, self.contact), size=22)]
        roles = await ctx.call(net.volunteering_of_contact, ctx.store, self.contact_id)
        lines = [
            self.t(
                "network.ui.volunteer_total",
                activity=r.volunteer.activity or self.t("network.ui.volunteering"),
                since=w.format_date(r.volunteer.since, ctx.lang),
                hours=hours_text(r.minutes, ctx.lang),
            )
            for r in roles
        ]
        self.roles.controls = [
            w.row_tile(ctx, line, "", leading=ft.Icon(ft.Icons.VOLUNTEER_ACTIVISM)) for line in lines
        ] or [w.empty(self.t("network.ui.volunteer_none"))]
        self.role.set_options([(r.volunteer.id, line) for r, line in zip(roles, lines, strict=True)])
        if roles and self.role.value is None:
            self.role.set_value(roles[0].volunteer.id)

    async def _refresh(self, message: str) -> None:
        self.ctx.toast(message)
        await self.load()
        self.update()

    async def add_role(self) -> None:
        f = self.role_form
        f.clear_errors()
        errors: list[FieldError] = []
        data = {
            "contact_id": self.contact_id,
            "zone_id": self.contact.zone_id if self.contact else None,
            "activity": f.text("activity"),
            "since": f.date("since", errors),
        }
        if errors:
            f.show_errors(errors)
            return
        try:
            await self.ctx.call(net.add_volunteer, self.ctx.store, data)
        except ValidationFailed as exc:
            f.show_errors(exc)
            return
        f["activity"].value = ""
        await self._refresh(self.t("network.ui.volunteer_saved"))

    async def add_hours(self) -> None:
        h = self.hours_form
        h.clear_errors()
        errors: list[FieldError] = []
        data = {"worked_on": h.date("worked_on", errors), "minutes": typed_minutes(h, "minutes", errors)}
        if self.role.value is None:
            errors.append(h.field_error("volunteer_id", "error.network.required"))
        if errors:
            h.show_errors(errors)
            return
        try:
            await self.ctx.call(net.log_hours, self.ctx.store, self.role.value, data)
        except ValidationFailed as exc:
            h.show_errors(exc)
            return
        h["minutes"].value = ""
        await self._refresh(self.t("network.ui.volunteer_hours_saved"))
