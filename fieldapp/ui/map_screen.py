"""Mapa (/zone/map, listed on Strefa): the zone's places on the map, and addresses to place by hand.

Tapping a contact opens it; other places show a short sheet. Addresses the geocoder could not
place (or placed only roughly) are listed behind a button: pick one of the candidates or pin the
place on the map.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.errors import ValidationFailed
from fieldapp.geo.background import start_geocoding
from fieldapp.geo.mapdata import MapItem, load_map_data
from fieldapp.geo.positions import QueueItem, choose_place, needs_attention, set_position
from fieldapp.geo.settings import TileSettings, load_tile_settings
from fieldapp.geo.tiles import probe_tiles
from fieldapp.i18n import error_text
from fieldapp.i18n.format import format_distance_direction
from fieldapp.model import Contact
from fieldapp.services.zones import update_zone
from fieldapp.ui import widgets as w
from fieldapp.ui.map_panel import MapPanel, detail_text, kind_text
from fieldapp.ui.place_screen import PlaceScreen
from fieldapp.ui.registry import MenuEntry, screen


def tile_source(ctx: Any) -> TileSettings | None:
    """Where the map's tiles come from: the area's map on the device first (served on loopback),
    else a tile server the coordinator configured; None: no tiles, the map is drawn on the device."""
    area = ctx.services.area_tiles()
    if area is not None:
        return area
    configured = load_tile_settings(ctx.store)
    return configured if configured.url_template else None


@screen("/zone/map", menu=MenuEntry("/zone", "geo.map.title", ft.Icons.MAP, order=10))
class MapScreen(PlaceScreen):
    title_key = "geo.map.title"
    scrolls = False

    def build(self) -> ft.Control:
        ctx = self.ctx
        self._build_zone_picker()
        self.tiles: TileSettings | None = None
        self.panel = MapPanel(ctx, self.tiles, on_open=self._open, on_tap=self._tapped)
        self.pin_for: QueueItem | None = None
        self.pin_note = w.notice(self.t("geo.pick.tap_map"), icon=ft.Icons.TOUCH_APP)
        self.pin_note.visible = False
        self.attention = w.secondary_button(ctx, "", self._show_attention, icon=ft.Icons.WRONG_LOCATION)
        self.attention.visible = False
        # Drawing a zone's boundary (``?draw=<zone id>``): each tap on the map adds a corner.
        self.drawing: str | None = self.query.get("draw") or None
        self.draft: list[list[float]] = []
        self.draw_note = w.muted(self.t("ui.zone_edit.draw_note", count=0))
        self.draw_bar = ft.Column(
            [
                self.draw_note,
                ft.Row(
                    [
                        w.secondary_button(ctx, self.t("ui.zone_edit.undo_point"), self._undo_point),
                        w.primary_button(ctx, self.t("ui.zone_edit.save_boundary"), self._save_boundary),
                    ],
                    wrap=True,
                ),
            ],
            visible=self.drawing is not None,
        )
        return ft.Column(
            [
                self.zone_picker.control,
                self.draw_bar,
                self.gps_note,
                self.attention,
                self.pin_note,
                self.panel.control,
            ],
            expand=True,
            spacing=8,
        )

    def actions(self) -> list[ft.Control]:
        return [
            w.icon_button(
                self.ctx,
                ft.Icons.MY_LOCATION,
                self.t("geo.gps.locate"),
                self._locate_tapped,
                icon_color=ft.Colors.WHITE,
            )
        ]

    async def load(self) -> None:
        ctx = self.ctx
        await ctx.call(start_geocoding, ctx.store)
        self.tiles = await ctx.call(tile_source, ctx)
        self.panel.tiles = self.tiles
        await self._load_zones()
        await self.refresh()
        self.page_task(self._locate(ask=False))

    def page_task(self, coroutine: Any) -> None:
        async def run() -> None:
            try:
                await coroutine
            except Exception as exc:
                self.ctx.report_unexpected(exc)

        self.ctx.page.run_task(run)

    async def refresh(self) -> None:
        ctx = self.ctx
        position = self.position.point if self.position else None
        data = await ctx.call(load_map_data, ctx.store, zone_id=self.zone_id, position=position)
        center = position or data.origin or data.center
        tiles_ok = self.tiles is not None and await ctx.call(probe_tiles, self.tiles, *center)
        self.panel.show(data, tiles_ok=tiles_ok, position=self.position)
        await self._refresh_attention()
        self.update()

    async def _refresh_attention(self) -> None:
        self.needing = await self.ctx.call(needs_attention, self.ctx.store)
        self.attention.content.value = self.t("geo.pick.count", count=len(self.needing))
        self.attention.visible = bool(self.needing)

    # -- taps ----------------------------------------------------------------------------------

    async def _open(self, item: MapItem) -> None:
        if item.record_type == "contact":
            self.ctx.go(f"/contacts/{item.id}")
            return
        where = format_distance_direction(item.distance_m, item.direction, self.ctx.lang)
        sheet = ft.BottomSheet(
            ft.Container(
                ft.Column(
                    [
                        w.heading(item.label or kind_text(self.t, item)),
                        w.body(kind_text(self.t, item)),
                        w.muted(" · ".join(p for p in (where, detail_text(item, self.ctx.lang)) if p)),
                        w.secondary_button(self.ctx, self.t("geo.close"), lambda: self.ctx.page.pop_dialog()),
                    ],
                    tight=True,
                    spacing=8,
                ),
                padding=20,
            )
        )
        self.ctx.page.show_dialog(sheet)

    async def _tapped(self, lat: float, lon: float) -> None:
        if self.drawing is not None:
            if not self.draft or self.draft[-1] != [lat, lon]:  # a double tap is one corner
                self.draft.append([lat, lon])
            self._show_draft()
            return
        if self.pin_for is None:
            return
        item, self.pin_for = self.pin_for, None
        self.pin_note.visible = False
        await self.ctx.call(set_position, self.ctx.store, item.record_type, item.record_id, lat, lon)
        self.ctx.toast(self.t("geo.pick.pinned"))
        await self.refresh()

    def _show_draft(self) -> None:
        self.draw_note.value = self.t("ui.zone_edit.draw_note", count=len(self.draft))
        self.panel.show_draft([(lat, lon) for lat, lon in self.draft])
        self.update()

    async def _undo_point(self) -> None:
        if self.draft:
            self.draft.pop()
        self._show_draft()

    async def _save_boundary(self) -> None:
        if self.drawing is None:
            return
        try:
            await self.ctx.call(update_zone, self.ctx.store, self.drawing, {"polygon": self.draft})
        except ValidationFailed as exc:
            self.ctx.toast(error_text(exc.errors[0], self.ctx.lang))
            return
        self.drawing, self.draw_bar.visible = None, False
        self.draft = []
        self.panel.show_draft([])
        self.ctx.toast(self.t("ui.zone_edit.boundary_saved"))
        await self.refresh()

    async def _show_attention(self) -> None:
        t = self.t
        contacts = {
            item.record_id: await self.ctx.call(self.ctx.store.get, Contact, item.record_id)
            for item in self.needing
        }
        rows: list[ft.Control] = [w.heading(t("geo.pick.title"))]
        for item in self.needing:
            contact = contacts.get(item.record_id)
            who = contact.name if contact and contact.name else item.query
            rows.append(w.body(f"{who} — {item.query}", weight=ft.FontWeight.W_600))
            rows.append(
                w.muted(
                    t(f"geo.pick.{item.state}")
                    + (f" ({t('geo.pick.approximate')})" if item.last_error == "approximate" else "")
                )
            )
            for place in item.candidates:
                rows.append(
                    w.secondary_button(
                        self.ctx,
                        place.label or f"{place.lat:.5f}, {place.lon:.5f}",
                        lambda i=item, p=place: self._choose(i, p),
                        icon=ft.Icons.PLACE,
                    )
                )
            rows.append(
                w.secondary_button(
                    self.ctx, t("geo.pick.pin"), lambda i=item: self._start_pin(i), icon=ft.Icons.PUSH_PIN
                )
            )
        sheet = ft.BottomSheet(
            ft.Container(ft.Column(rows, tight=True, spacing=8, scroll=ft.ScrollMode.AUTO), padding=20),
            scrollable=True,
        )
        self.ctx.page.show_dialog(sheet)

    async def _choose(self, item: QueueItem, place: Any) -> None:
        self.ctx.page.pop_dialog()
        await self.ctx.call(choose_place, self.ctx.store, item.record_type, item.record_id, place)
        self.ctx.toast(self.t("geo.pick.saved"))
        await self.refresh()

    async def _start_pin(self, item: QueueItem) -> None:
        self.ctx.page.pop_dialog()
        self.pin_for = item
        self.pin_note.visible = True
        if self.panel.mode != "map" and self.panel.tiles_ok:
            await self.panel._toggle()
        self.update()
