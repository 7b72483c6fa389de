"""Partnerships: the list, a new partnership, and one partnership with its phase, partners and agreement."""

from __future__ import annotations

from datetime import date

import flet as ft

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.model import Contact
from fieldapp.model.cooperation import Contribution, PartnershipPhase, Sector
from fieldapp.services import cooperation as net
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import (
    PeopleFinder,
    contact_name,
    current_zone,
    options,
    section,
    zone_options,
)
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


def phase_text(ctx, partnership) -> str:
    since = w.format_date(partnership.phase_since, ctx.lang)
    return ctx.t(
        "network.ui.phase_since", phase=ctx.t(f"network.partnership.phase.{partnership.phase}"), since=since
    )


@screen("/zone/partnerships")
class PartnershipsScreen(Screen):
    title_key = "network.ui.partnerships"

    def build(self) -> ft.Control:
        self.list = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=0)
        return ft.Column([self.list], spacing=8)

    def fab(self) -> ft.FloatingActionButton:
        return w.fab(
            self.ctx, self.t("network.ui.partnership_new"), lambda: self.ctx.go("/zone/partnerships/new")
        )

    async def load(self) -> None:
        ctx = self.ctx
        rows = []
        for partnership in await ctx.call(net.list_partnerships, ctx.store, zone_id=self.query.get("zone")):
            summary = await ctx.call(net.partnership_summary, ctx.store, partnership.id)
            rows.append(
                w.row_tile(
                    ctx,
                    partnership.name,
                    phase_text(ctx, partnership)
                    + " · "
                    + self.t("network.ui.partners_count", count=len(summary.partners)),
                    on_click=lambda e, pid=partnership.id: ctx.go(f"/zone/partnerships/{pid}"),
                    leading=ft.Icon(ft.Icons.HANDSHAKE, color=theme.PRIMARY),
                )
            )
        self.list.controls = rows or [w.empty(self.t("network.ui.partnerships_empty"))]


@screen("/zone/partnerships/new")
class NewPartnershipScreen(Screen):
    title_key = "network.ui.partnership_new"

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        f.add("name", w.text_field(self.t("network.ui.partnership_name")))
        f.add("aim", w.text_field(self.t("network.ui.aim"), multiline=True))
        self.zone = f.add(
            "zone_id",
            w.ChoiceField(ctx, self.t("ui.contact.zone"), [], allow_empty=self.t("network.ui.all_zones")),
        )
        return ft.Column(
            [
                f.banner,
                f["name"],
                f["aim"],
                self.zone.control,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=12,
        )

    async def load(self) -> None:
        self.zone.set_options(await zone_options(self.ctx))
        if self.zone.value is None:
            self.zone.set_value(await current_zone(self.ctx, self.query))

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        data = {"name": f.text("name"), "aim": f.text("aim"), "zone_id": self.zone.value}
        try:
            partnership = await self.ctx.call(net.create_partnership, self.ctx.store, data)
        except ValidationFailed as exc:
            f.show_errors(exc)
            return
        await self.ctx.replace(f"/zone/partnerships/{partnership.id}")


@screen("/zone/partnerships/:partnership_id")
class PartnershipScreen(Screen):
    title_key = "network.ui.partnership"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.partner_ids: set[str] = set()
        self.header = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=6)
        f = self.form = Form(ctx)
        self.phase = f.add(
            "phase",
            w.ChoiceField(
                ctx,
                self.t("network.ui.next_phase"),
                options(ctx, "network.partnership.phase", PartnershipPhase),
            ),
        )
        f.add(
            "changed_on",
            w.text_field(
                self.t("network.ui.phase_date"),
                hint=self.t("ui.common.date_hint"),
                value=w.format_date(date.today(), ctx.lang),
            ),
        )
        f.add("note", w.text_field(self.t("network.ui.phase_note")))
        self.history = ft.Column(spacing=0)
        self.partners = ft.Column(spacing=0)
        self.sectors = w.muted("")
        self.finder = PeopleFinder(
            ctx,
            self.t("network.ui.add_partner"),
            self._add,
            exclude=lambda: self.partner_ids,
            organisations_only=True,
        )
        self.agreement = ft.Switch(
            label=self.t("network.ui.written_agreement"), on_change=ctx.handler(self._agreement)
        )
        return ft.Column(
            [
                self.header,
                section(
                    self.t("network.ui.phase"),
                    self.history,
                    f.banner,
                    self.phase.control,
                    f["changed_on"],
                    f["note"],
                    w.secondary_button(
                        ctx, self.t("network.ui.move_phase"), self._move, icon=ft.Icons.TRENDING_UP
                    ),
                ),
                section(self.t("network.ui.partners"), self.sectors, self.partners, self.finder.control),
                section(self.t("network.ui.agreement"), self.agreement),
            ],
            spacing=14,
        )

    @property
    def partnership_id(self) -> str:
        return self.params["partnership_id"]

    async def load(self) -> None:
        ctx = self.ctx
        summary = await ctx.call(net.partnership_summary, ctx.store, self.partnership_id)
        p = summary.partnership
        self.header.controls = [w.heading(p.name, size=22), w.body(phase_text(ctx, p))]
        if p.aim:
            self.header.controls.append(w.labelled(self.t("network.ui.aim"), p.aim))
        self.history.controls = [
            w.row_tile(
                ctx,
                self.t(f"network.partnership.phase.{h.phase}"),
                " · ".join(x for x in (w.format_date(h.changed_on, ctx.lang), h.note) if x),
                leading=ft.Icon(ft.Icons.HISTORY),
            )
            for h in summary.history
        ]
        self.partner_ids = {c.id for _, c in summary.partners}
        self.sectors.value = self.t(
            "network.ui.sectors",
            sectors=", ".join(self.t(f"network.sector.{s}") for s in summary.sectors) or "—",
        )
        self.partners.controls = [
            self._partner(partner, contact) for partner, contact in summary.partners
        ] or [w.empty(self.t("network.ui.no_partners"))]
        self.agreement.value = p.written_agreement

    def _partner(self, partner, contact: Contact) -> ft.Control:
        ctx = self.ctx
        name = contact_name(ctx, contact)
        brings = ", ".join(self.t(f"network.brings.{b}") for b in partner.brings)
        sector = w.ChoiceField(
            ctx,
            self.t("network.ui.sector"),
            options(ctx, "network.sector", Sector),
            value=partner.sector,
            on_change=lambda field, pid=partner.id: self._update(pid, {"sector": field.value}),
        )
        chips = ft.Row(
            [
                ft.Checkbox(
                    label=self.t(f"network.brings.{c.value}"),
                    value=c.value in partner.brings,
                    on_change=ctx.handler(lambda e, pid=partner.id, c=c.value: self._bring(pid, c, e)),
                )
                for c in Contribution
            ],
            wrap=True,
        )
        return w.card(
            w.body(name, weight=ft.FontWeight.W_600),
            w.muted(self.t("network.ui.brings", what=brings or "—")),
            sector.control,
            chips,
            w.secondary_button(
                ctx,
                self.t("network.ui.partner_left", name=name),
                lambda e: self._update(partner.id, {"left_on": date.today()}),
                icon=ft.Icons.LOGOUT,
            ),
        )

    async def _refresh(self, message: str | None = None) -> None:
        if message:
            self.ctx.toast(message)
        await self.load()
        self.update()

    async def _add(self, contact: Contact) -> None:
        await self.ctx.call(net.add_partner, self.ctx.store, self.partnership_id, contact.id)
        await self._refresh(self.t("network.ui.partner_added", name=contact_name(self.ctx, contact)))

    async def _update(self, partner_id: str, changes: dict) -> None:
        await self.ctx.call(net.update_partner, self.ctx.store, partner_id, changes)
        await self._refresh(self.t("ui.common.saved"))

    async def _bring(self, partner_id: str, contribution: str, event) -> None:
        summary = await self.ctx.call(net.partnership_summary, self.ctx.store, self.partnership_id)
        partner = next(p for p, _ in summary.partners if p.id == partner_id)
        brings = set(partner.brings)
        (brings.add if event.control.value else brings.discard)(contribution)
        await self._update(partner_id, {"brings": sorted(brings)})

    async def _move(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        on = f.date("changed_on", errors)
        if errors:
            f.show_errors(errors)
            return
        try:
            await self.ctx.call(
                net.move_to_phase,
                self.ctx.store,
                self.partnership_id,
                self.phase.value or "",
                on=on,
                note=f.text("note"),
            )
        except ValidationFailed as exc:
            f.show_errors(exc)
            return
        f["note"].value = ""
        await self._refresh(self.t("ui.common.saved"))

    async def _agreement(self) -> None:
        written = bool(self.agreement.value)
        changes = {"written_agreement": written, "agreement_signed_on": date.today() if written else None}
        await self.ctx.call(net.update_partnership, self.ctx.store, self.partnership_id, changes)
        await self._refresh(self.t("ui.common.saved"))
