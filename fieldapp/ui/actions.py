"""Neighbourhood actions: create (from a need or from scratch), move through the lifecycle,
record participants, the micro-grant and a short report."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.i18n import error_text
from fieldapp.i18n.format import CURRENCY, format_date, format_money_figure
from fieldapp.model import Diagnosis, Need, NeighbourhoodAction, Zone
from fieldapp.model.enums import ACTION_TRANSITIONS, ActionKind
from fieldapp.services import actions as action_service
from fieldapp.services import applications as application_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.action_people import ImplementerPicker
from fieldapp.ui.application_panel import ApplicationPanel
from fieldapp.ui.attachments import AttachmentsPanel
from fieldapp.ui.context import UiContext
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen
from fieldapp.ui.zone import status_badge


def _money_field(ctx: UiContext, label_key: str) -> ft.TextField:
    """An amount typed in złoty (read back with ``Form.money_gr``); the suffix names the currency."""
    return w.text_field(ctx.t(label_key), keyboard=ft.KeyboardType.NUMBER, suffix=CURRENCY[ctx.lang])


def _kind_options(ctx) -> list[tuple[str, str]]:
    return w.vocabulary_options(ctx, "action.kind", ActionKind)


@screen("/zone/actions/new")
class NewActionScreen(Screen):
    title_key = "ui.action.new"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.need: Need | None = None
        f = self.form = Form(ctx)
        self.origin = w.muted("")
        title = f.add("title", w.text_field(self.t("ui.action.name")))
        self.kind = f.add(
            "kind",
            w.ChoiceField(ctx, self.t("ui.action.kind"), _kind_options(ctx), value=ActionKind.OTHER.value),
        )
        description = f.add("description", w.text_field(self.t("ui.action.description"), multiline=True))
        starts = f.add(
            "starts_on", w.text_field(self.t("ui.action.starts_on"), hint=self.t("ui.common.date_hint"))
        )
        place = f.add("place", w.text_field(self.t("ui.action.place")))
        grant = f.add("grant_requested_gr", _money_field(ctx, "ui.action.grant_requested"))
        return ft.Column(
            [
                self.origin,
                f.banner,
                title,
                self.kind.control,
                description,
                starts,
                place,
                grant,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=12,
        )

    async def load(self) -> None:
        ctx = self.ctx
        need_id = self.query.get("need")
        if need_id:
            self.need = await ctx.call(ctx.store.get, Need, need_id)
        if self.need is not None:
            self.origin.value = self.t(
                "ui.action.from_need", need=self.need.category, count=self.need.people_count
            )
            if not self.form.text("title"):
                self.form["title"].value = self.need.category
            if not self.form.text("description"):
                self.form["description"].value = self.need.description

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        data: dict[str, Any] = {
            "title": f.text("title"),
            "kind": self.kind.value,
            "description": f.text("description"),
            "starts_on": f.date("starts_on", errors),
            "place": f.text("place"),
            "grant_requested_gr": f.money_gr("grant_requested_gr", errors),
        }
        if errors:
            f.show_errors(errors)
            return
        if self.need is not None:
            create, args = action_service.create_action_from_need, (self.need.id, data)
        else:
            data["zone_id"] = self.query.get("zone") or None
            create, args = action_service.create_action, (data,)
        action = await f.submit(create, self.ctx.store, *args)
        if action is None:
            return
        self.ctx.toast(self.t("ui.action.created"))
        await self.ctx.replace(f"/zone/actions/{action.id}")


@screen("/zone/actions/:action_id")
class ActionScreen(Screen):
    title_key = "ui.action.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.action: NeighbourhoodAction | None = None
        f = self.form = Form(ctx)
        self.header = ft.Column(spacing=6)
        self.moves = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.warnings = ft.Column(spacing=6)
        self.kind = w.ChoiceField(ctx, self.t("ui.action.kind"), _kind_options(ctx))
        f.add("kind", self.kind)
        self.people = ImplementerPicker(ctx, self._saved)
        self.application = ApplicationPanel(ctx, self._saved)
        details = {
            "title": w.text_field(self.t("ui.action.name")),
            "description": w.text_field(self.t("ui.action.description"), multiline=True),
        }
        for name, control in details.items():
            f.add(name, control)
        fields = {
            "starts_on": w.text_field(self.t("ui.action.starts_on"), hint=self.t("ui.common.date_hint")),
            "place": w.text_field(self.t("ui.action.place")),
            "place_position": w.text_field(
                self.t("ui.edit.position"), hint=self.t("ui.zone_edit.boundary_hint")
            ),
            "participants": w.text_field(self.t("ui.action.participants"), keyboard=ft.KeyboardType.NUMBER),
            "grant_requested_gr": _money_field(self.ctx, "ui.action.grant_requested"),
            "grant_granted_gr": _money_field(self.ctx, "ui.action.grant_granted"),
            "report": w.text_field(
                self.t("ui.action.report"), multiline=True, hint=self.t("ui.action.report_hint")
            ),
        }
        for name, control in fields.items():
            f.add(name, control)
        #: Report photos and event pictures (``ui.attachments``).
        self.photos = AttachmentsPanel(ctx, "action", self.action_id)
        return ft.Column(
            [
                self.header,
                w.heading(self.t("ui.action.move"), size=18),
                self.moves,
                ft.Divider(),
                f.banner,
                *fields.values(),
                w.body(self.t("ui.program.details"), size=16),
                details["title"],
                self.kind.control,
                details["description"],
                self.warnings,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
                w.secondary_button(
                    ctx,
                    self.t("participants.ui.title"),
                    lambda: ctx.go(f"/zone/participants/action/{self.action_id}"),
                    icon=ft.Icons.DIVERSITY_3,
                ),
                ft.Divider(),
                self.people.control,
                ft.Divider(),
                self.application.control,
                ft.Divider(),
                self.photos.control,
            ],
            spacing=12,
        )

    def _position(self, errors: list[FieldError]) -> tuple[float | None, float | None]:
        """The place's "latitude, longitude" as typed (both None when blank)."""
        text = self.form.text("place_position")
        parts = text.replace(";", " ").replace(",", " ").split()
        if not parts:
            return None, None
        try:
            lat, lon = (float(v) for v in parts)
        except ValueError:
            errors.append(self.form.field_error("place_position", "ui.zone_edit.bad_point", line=text))
            return None, None
        return lat, lon

    async def _saved(self, _action: NeighbourhoodAction) -> None:
        await self.load()

    @property
    def action_id(self) -> str:
        return self.params["action_id"]

    async def load(self) -> None:
        ctx = self.ctx
        a = await ctx.call(ctx.store.get, NeighbourhoodAction, self.action_id)
        if a is None or a.deleted:
            self.header.controls = [w.empty(self.t("ui.error.not_found"))]
            return
        self.action = a
        zone = await ctx.call(ctx.store.get, Zone, a.zone_id) if a.zone_id else None
        needs = [await ctx.call(ctx.store.get, Need, nid) for nid in a.need_ids]
        header: list[ft.Control] = [
            w.heading(a.title, size=22),
            ft.Row([status_badge(ctx, a.status), w.muted(self.t(f"action.kind.{a.kind}"))], spacing=10),
        ]
        if zone:
            header.append(w.muted(zone.name))
        if a.description:
            header.append(w.body(a.description))
        for need in needs:
            if need is not None:
                diagnosis = await ctx.call(ctx.store.get, Diagnosis, need.diagnosis_id)
                header.append(
                    w.row_tile(
                        ctx,
                        self.t("ui.action.need", need=need.category),
                        self.t("ui.need.people_count", count=need.people_count),
                        on_click=(lambda e, d=diagnosis.id: ctx.go(f"/zone/diagnoses/{d}"))
                        if diagnosis
                        else None,
                        leading=ft.Icon(ft.Icons.LIGHTBULB_OUTLINE),
                    )
                )
        self.header.controls = header
        self.moves.controls = [
            w.primary_button(
                ctx,
                self.t(f"ui.action.to.{target}"),
                lambda e, s=target: self.advance(s),
                bgcolor=theme.ACTION_STATUS_COLORS.get(target, theme.PRIMARY),
            )
            for target in ACTION_TRANSITIONS.get(a.status, ())
        ] or [w.muted(self.t("ui.action.final"))]
        f = self.form
        f["title"].value = a.title
        f["description"].value = a.description
        self.kind.set_value(a.kind)
        f["starts_on"].value = format_date(a.starts_on, ctx.lang)
        f["place"].value = a.place
        has_point = a.place_lat is not None and a.place_lon is not None
        f["place_position"].value = f"{a.place_lat:.6f}, {a.place_lon:.6f}" if has_point else ""
        f["participants"].value = str(a.participants or 0)
        f["grant_requested_gr"].value = format_money_figure(a.grant_requested_gr, ctx.lang)
        f["grant_granted_gr"].value = format_money_figure(a.grant_granted_gr, ctx.lang)
        f["report"].value = a.report
        await self.people.show(a)
        await self.application.show(a)
        place = await ctx.call(application_service.place_warnings, ctx.store, a)
        self._show_warnings(a, place)
        await self.photos.load()

    def _show_warnings(self, action: NeighbourhoodAction, place: list[FieldError]) -> None:
        warnings = [*action_service.grant_warnings(action), *place]
        self.warnings.controls = [
            w.notice(error_text(e, self.ctx.lang), icon=ft.Icons.WARNING_AMBER) for e in warnings
        ]

    async def advance(self, to_status: str) -> None:
        saved = await self.form.submit(
            action_service.advance_action, self.ctx.store, self.action_id, to_status
        )
        if saved is None:
            return
        await self.load()  # the screen is current before the message says so
        self.ctx.toast(self.t("ui.action.moved", status=self.t(f"action.status.{to_status}")))

    async def save(self) -> None:
        if self.action is None:
            return
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        values: dict[str, Any] = {
            "title": f.text("title"),
            "kind": self.kind.value,
            "description": f.text("description"),
            "starts_on": f.date("starts_on", errors),
            "place": f.text("place"),
            "participants": f.integer("participants", errors, default=0),
            "grant_requested_gr": f.money_gr("grant_requested_gr", errors),
            "grant_granted_gr": f.money_gr("grant_granted_gr", errors),
            "report": f.text("report"),
        }
        values["place_lat"], values["place_lon"] = self._position(errors)
        if errors:
            f.show_errors(errors)
            return
        changes = {k: v for k, v in values.items() if getattr(self.action, k) != v}
        if changes:
            saved = await f.submit(action_service.update_action, self.ctx.store, self.action_id, changes)
            if saved is None:
                return
            self.action = saved
        await self.load()
        self.ctx.toast(self.t("ui.common.saved"))
