"""Strefa: a zone's diagnoses and neighbourhood actions (by status), and new zones."""

from __future__ import annotations

import flet as ft

from fieldapp.i18n.format import format_date
from fieldapp.model import Diagnosis, NeighbourhoodAction, Zone
from fieldapp.model.enums import ActionStatus, ZoneKind
from fieldapp.services import actions as action_service
from fieldapp.services import attachments as attachment_service
from fieldapp.services import diagnoses as diagnosis_service
from fieldapp.services import zones as zone_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.attachments import list_picture
from fieldapp.ui.context import META_ZONE
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


def status_badge(ctx, status: str) -> ft.Control:
    return w.badge(ctx.t(f"action.status.{status}"), theme.ACTION_STATUS_COLORS.get(status, theme.MUTED))


@screen("/zone")
class ZoneScreen(Screen):
    title_key = "ui.zone.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.zones: list[Zone] = []
        self.zone_picker = w.ChoiceField(ctx, self.t("ui.zone.zone"), [], on_change=self._zone_changed)
        self.status_filter = w.ChoiceField(
            ctx,
            self.t("ui.zone.status_filter"),
            w.vocabulary_options(ctx, "action.status", ActionStatus),
            allow_empty=self.t("ui.zone.all_statuses"),
            on_change=self._filter_changed,
        )
        self.stage_line = w.muted("")
        self.no_zone = w.notice(self.t("ui.zone.no_zones"))
        self.no_zone.visible = False
        self.diagnoses = ft.Column(spacing=0)
        self.actions_list = ft.Column(spacing=0)
        self.content = ft.Column(
            [
                self.stage_line,
                w.secondary_button(
                    ctx,
                    self.t("ui.zone_edit.open"),
                    lambda: ctx.go(f"/zone/edit/{self.zone_id}"),
                    icon=ft.Icons.EDIT_LOCATION_ALT,
                ),
                w.heading(self.t("ui.zone.diagnoses")),
                self.diagnoses,
                w.secondary_button(
                    ctx, self.t("ui.zone.new_diagnosis"), self._new_diagnosis, icon=ft.Icons.ADD
                ),
                ft.Divider(),
                w.heading(self.t("ui.zone.actions")),
                self.status_filter.control,
                self.actions_list,
                w.secondary_button(ctx, self.t("ui.zone.new_action"), self._new_action, icon=ft.Icons.ADD),
                *w.menu_rows(ctx, "/zone"),
            ],
            spacing=10,
        )
        return ft.Column(
            [
                self.zone_picker.control,
                self.no_zone,
                w.secondary_button(
                    ctx,
                    self.t("ui.zone.new_zone"),
                    lambda: ctx.go("/zone/new"),
                    icon=ft.Icons.ADD_LOCATION_ALT,
                ),
                self.content,
            ],
            spacing=12,
        )

    @property
    def zone_id(self) -> str | None:
        return self.zone_picker.value

    async def load(self) -> None:
        ctx = self.ctx
        self.zones = await ctx.call(zone_service.list_zones, ctx.store)
        self.zone_picker.set_options([(z.id, z.name) for z in self.zones])
        remembered = await ctx.setting(META_ZONE)
        ids = [z.id for z in self.zones]
        if self.zone_picker.value not in ids:
            self.zone_picker.set_value(remembered if remembered in ids else (ids[0] if ids else None))
        self.no_zone.visible = not self.zones
        self.content.visible = bool(self.zones)
        await self._load_lists()

    async def _zone_changed(self, field: w.ChoiceField) -> None:
        await self.ctx.set_setting(META_ZONE, field.value)
        await self._load_lists()

    async def _filter_changed(self, field: w.ChoiceField) -> None:
        await self._load_actions()

    async def _load_lists(self) -> None:
        if not self.zone_id:
            return
        ctx = self.ctx
        zone = next((z for z in self.zones if z.id == self.zone_id), None)
        self.stage_line.value = (
            self.t("ui.zone_edit.stage_line", stage=self.t(f"zone.stage.{zone.stage}")) if zone else ""
        )
        found: list[Diagnosis] = await ctx.call(
            diagnosis_service.list_diagnoses, ctx.store, zone_id=self.zone_id
        )
        self.diagnoses.controls = [
            w.row_tile(
                ctx,
                d.title,
                self._period(d),
                on_click=lambda e, i=d.id: ctx.go(f"/zone/diagnoses/{i}"),
                leading=ft.Icon(ft.Icons.FACT_CHECK),
            )
            for d in found
        ] or [w.empty(self.t("ui.zone.no_diagnoses"))]
        await self._load_actions()

    def _period(self, d: Diagnosis) -> str:
        start = format_date(d.period_start, self.ctx.lang)
        end = format_date(d.period_end, self.ctx.lang) if d.period_end else "…"
        return f"{start} – {end}"

    async def _load_actions(self) -> None:
        ctx = self.ctx
        found: list[NeighbourhoodAction] = await ctx.call(
            action_service.list_actions, ctx.store, status=self.status_filter.value, zone_id=self.zone_id
        )
        pictures = await ctx.call(
            attachment_service.first_pictures, ctx.store, "action", [a.id for a in found]
        )
        self.actions_list.controls = [
            w.row_tile(
                ctx,
                a.title,
                self.t(f"action.kind.{a.kind}"),
                on_click=lambda e, i=a.id: ctx.go(f"/zone/actions/{i}"),
                leading=list_picture(pictures.get(a.id), self.t("ui.files.heading")),
                trailing=status_badge(ctx, a.status),
            )
            for a in found
        ] or [w.empty(self.t("ui.zone.no_actions"))]

    def _new_diagnosis(self) -> None:
        self.ctx.go(f"/zone/diagnoses/new?zone={self.zone_id}")

    def _new_action(self) -> None:
        self.ctx.go(f"/zone/actions/new?zone={self.zone_id}")


@screen("/zone/new")
class NewZoneScreen(Screen):
    title_key = "ui.zone.new_zone"

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        name = f.add("name", w.text_field(self.t("ui.zone.name")))
        self.kind = f.add(
            "kind",
            w.ChoiceField(
                ctx,
                self.t("ui.zone.kind"),
                w.vocabulary_options(ctx, "zone.kind", ZoneKind),
                value=ZoneKind.SAS.value,
            ),
        )
        branch = f.add("library_branch", w.text_field(self.t("ui.zone.library_branch")))
        notes = f.add("notes", w.text_field(self.t("ui.zone.notes"), multiline=True))
        return ft.Column(
            [
                f.banner,
                name,
                self.kind.control,
                branch,
                notes,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=12,
        )

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        data = {
            "name": f.text("name"),
            "kind": self.kind.value,
            "notes": f.text("notes"),
            "library_branch": f.text("library_branch") or None,
        }
        zone = await f.submit(zone_service.create_zone, self.ctx.store, data)
        if zone is None:
            return
        await self.ctx.set_setting(META_ZONE, zone.id)
        self.ctx.toast(self.t("ui.common.saved"))
        await self.ctx.back()
