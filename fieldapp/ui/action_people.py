"""Who carries out an action, picked on its screen: the lead implementer (the applicant, counted in
the program's table) and its partners — search contacts, or create one on the spot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from fieldapp.model import Contact, NeighbourhoodAction
from fieldapp.model.enums import IMPLEMENTER_KINDS, NATURAL_PERSON_KINDS, ContactKind, PersonRole
from fieldapp.services import actions as action_service
from fieldapp.services import contacts as contact_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import META_USER_NAME, UiContext
from fieldapp.ui.cooperation.common import PeopleFinder, contact_name
from fieldapp.ui.forms import Form


class ImplementerPicker:
    """The lead implementer and partners of an action; ``on_saved(action)`` after each change."""

    def __init__(self, ctx: UiContext, on_saved: Callable[[NeighbourhoodAction], Awaitable[Any]]) -> None:
        self.ctx = ctx
        self.on_saved = on_saved
        self.action: NeighbourhoodAction | None = None
        self.lead_row = ft.Column(spacing=4)
        self.partner_rows = ft.Column(spacing=0)
        self.lead_finder = PeopleFinder(ctx, ctx.t("ui.program.find_lead"), self._pick_lead)
        self.partner_finder = PeopleFinder(
            ctx, ctx.t("ui.program.find_partner"), self._add_partner, exclude=self._taken
        )
        f = self.form = Form(ctx)
        self.new_name = f.add("name", w.text_field(ctx.t("ui.program.new_name")))
        self.new_kind = f.add(
            "kind",
            w.ChoiceField(
                ctx,
                ctx.t("ui.program.new_kind"),
                w.vocabulary_options(ctx, "contact.kind", [ContactKind(k) for k in IMPLEMENTER_KINDS]),
                value=ContactKind.NGO.value,
            ),
        )
        self.new_role = f.add(
            "person_role",
            w.ChoiceField(
                ctx,
                ctx.t("person.role"),
                w.vocabulary_options(ctx, "person.role", PersonRole),
                allow_empty="—",
            ),
        )
        self.new_consent = f.add("consent", ft.Checkbox(label=ctx.t("ui.program.new_consent"), value=False))
        self.new_panel = ft.Column(
            [
                f.banner,
                self.new_name,
                self.new_kind.control,
                self.new_role.control,
                self.new_consent,
                w.secondary_button(
                    ctx, ctx.t("ui.program.create_lead"), self._create_lead, icon=ft.Icons.PERSON_ADD
                ),
            ],
            spacing=8,
            visible=False,
        )
        self.control = ft.Column(
            [
                w.heading(ctx.t("ui.program.implementers"), size=18),
                self.lead_row,
                self.lead_finder.control,
                w.secondary_button(ctx, ctx.t("ui.program.new_lead"), self._toggle_new, icon=ft.Icons.ADD),
                self.new_panel,
                w.body(ctx.t("ui.program.partners"), size=15),
                self.partner_rows,
                self.partner_finder.control,
            ],
            spacing=8,
        )

    def _taken(self) -> list[str]:
        a = self.action
        return [] if a is None else [*(a.partner_ids or ()), *([a.lead_id] if a.lead_id else [])]

    async def show(self, action: NeighbourhoodAction) -> None:
        self.action = action
        ctx = self.ctx
        lead = await ctx.call(ctx.store.get, Contact, action.lead_id) if action.lead_id else None
        if lead is None:
            self.lead_row.controls = [w.muted(ctx.t("ui.program.no_lead"))]
        else:
            self.lead_row.controls = [
                w.row_tile(
                    ctx,
                    ctx.t("ui.program.lead", name=contact_name(ctx, lead)),
                    self._kind_text(lead),
                    leading=ft.Icon(ft.Icons.VERIFIED_USER, color=theme.PRIMARY),
                )
            ]
        partners = [await ctx.call(ctx.store.get, Contact, pid) for pid in action.partner_ids or ()]
        self.partner_rows.controls = [
            w.row_tile(
                ctx,
                contact_name(ctx, p),
                self._kind_text(p),
                trailing=ft.IconButton(
                    ft.Icons.REMOVE_CIRCLE_OUTLINE,
                    tooltip=ctx.t("ui.program.remove_partner", name=contact_name(ctx, p)),
                    on_click=ctx.handler(lambda e, pid=p.id: self._remove_partner(pid)),
                ),
            )
            for p in partners
            if p is not None
        ] or [w.muted(ctx.t("ui.program.no_partners"))]

    def _kind_text(self, contact: Contact) -> str:
        text = self.ctx.t(f"contact.kind.{contact.kind}")
        if contact.person_role:
            text += " · " + self.ctx.t(f"person.role.{contact.person_role}")
        return text

    async def _save(self, changes: dict[str, Any]) -> None:
        if self.action is None:
            return
        saved = await self.form.submit(action_service.update_action, self.ctx.store, self.action.id, changes)
        if saved is not None:
            await self.on_saved(saved)

    async def _pick_lead(self, contact: Contact) -> None:
        partners = [p for p in (self.action.partner_ids if self.action else []) if p != contact.id]
        await self._save({"lead_id": contact.id, "partner_ids": partners})
        self.ctx.toast(self.ctx.t("ui.program.lead_set", name=contact_name(self.ctx, contact)))

    async def _add_partner(self, contact: Contact) -> None:
        if self.action is None:
            return
        await self._save({"partner_ids": [*self.action.partner_ids, contact.id]})

    async def _remove_partner(self, contact_id: str) -> None:
        if self.action is None:
            return
        await self._save({"partner_ids": [p for p in self.action.partner_ids if p != contact_id]})
        self.ctx.page.update()

    async def _toggle_new(self) -> None:
        self.new_panel.visible = not self.new_panel.visible
        self.ctx.page.update()

    async def _create_lead(self) -> None:
        f = self.form
        f.clear_errors()
        kind = self.new_kind.value or ContactKind.NGO.value
        data: dict[str, Any] = {"kind": kind, "name": f.text("name")}
        consent = None
        if kind in NATURAL_PERSON_KINDS:
            data["person_role"] = self.new_role.value or ""
            if self.new_consent.value:
                by = await self.ctx.setting(META_USER_NAME) or self.ctx.t("ui.program.recorded_by_me")
                consent = {
                    "status": "given",
                    "method": "oral",
                    "scope_contact": True,
                    "scope_store": True,
                    "recorded_by": by,
                }
        contact = await f.submit(contact_service.create_contact, self.ctx.store, data, consent)
        if contact is None:
            return
        self.new_name.value = ""
        self.new_consent.value = False
        self.new_panel.visible = False
        await self._pick_lead(contact)
