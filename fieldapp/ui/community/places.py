"""Community places: the list and a new place."""

from __future__ import annotations

import flet as ft

from fieldapp.model.places import PlaceKind
from fieldapp.services import places as svc
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext
from fieldapp.ui.cooperation.common import current_zone, options, zone_options
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen


def stage_text(ctx: UiContext, place) -> str:
    """ "Etap: Wdrożenie (od 05.03.2026)"; a program's own stage by its name."""
    stage = (
        place.stage_name
        if place.stage == "own" and place.stage_name
        else ctx.t(f"places.stage.{place.stage}")
    )
    return ctx.t("places.ui.stage_line", stage=stage, since=w.format_date(place.stage_since, ctx.lang) or "—")


@screen("/zone/places", menu=MenuEntry("/zone", "places.ui.title", ft.Icons.HOME_WORK, order=30))
class PlacesScreen(Screen):
    title_key = "places.ui.title"

    def build(self) -> ft.Control:
        self.list = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=0)
        return ft.Column([self.list], spacing=8)

    def fab(self) -> ft.FloatingActionButton:
        return w.fab(self.ctx, self.t("places.ui.add"), lambda: self.ctx.go("/zone/places/new"))

    async def load(self) -> None:
        ctx = self.ctx
        rows: list[ft.Control] = [
            w.row_tile(
                ctx,
                place.name,
                ctx.t(f"places.kind.{place.kind}") + " · " + stage_text(ctx, place),
                on_click=lambda e, pid=place.id: ctx.go(f"/zone/places/{pid}"),
                leading=ft.Icon(ft.Icons.HOME_WORK, color=theme.PRIMARY),
            )
            for place in await ctx.call(svc.list_places, ctx.store, zone_id=self.query.get("zone"))
        ]
        self.list.controls = rows or [w.empty(self.t("places.ui.empty"))]


@screen("/zone/places/new")
class NewPlaceScreen(Screen):
    title_key = "places.ui.new"

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        f.add("name", w.text_field(self.t("places.ui.name")))
        self.kind = f.add(
            "kind",
            w.ChoiceField(ctx, self.t("places.ui.kind"), options(ctx, "places.kind", PlaceKind), value="cal"),
        )
        f.add("address", w.text_field(self.t("places.ui.address")))
        self.zone = f.add(
            "zone_id",
            w.ChoiceField(ctx, self.t("ui.contact.zone"), [], allow_empty=self.t("network.ui.all_zones")),
        )
        return ft.Column(
            [
                f.banner,
                f["name"],
                self.kind.control,
                f["address"],
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
        data = {
            "name": f.text("name"),
            "kind": self.kind.value,
            "address": f.text("address"),
            "zone_id": self.zone.value,
        }
        place = await f.submit(svc.create_place, self.ctx.store, data)
        if place is not None:
            await self.ctx.replace(f"/zone/places/{place.id}")
