"""What the map and walk screens share: the zone picker and reading the device's position."""

from __future__ import annotations

import asyncio
import logging

import flet as ft

from fieldapp.geo.gps import Fix, GpsReader, GpsReading, geolocation_available
from fieldapp.i18n.format import format_distance
from fieldapp.model import Zone
from fieldapp.services.zones import list_zones
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import META_ZONE
from fieldapp.ui.screen import Screen

log = logging.getLogger(__name__)


class PlaceScreen(Screen):
    """What the map and walk screens share: the zone picker and the device's position."""

    def _build_zone_picker(self) -> w.ChoiceField:
        self.zones: list[Zone] = []
        self.zone_picker = w.ChoiceField(
            self.ctx, self.t("geo.zone"), [], on_change=self._zone_changed, allow_empty=self.t("geo.no_zone")
        )
        self.position: Fix | None = None
        self.gps_note = ft.Text("", size=15, color=theme.MUTED, visible=False)
        self._reader: GpsReader | None = None
        return self.zone_picker

    @property
    def zone_id(self) -> str | None:
        return self.zone_picker.value

    async def _load_zones(self) -> None:
        ctx = self.ctx
        self.zones = await ctx.call(list_zones, ctx.store)
        self.zone_picker.set_options([(z.id, z.name) for z in self.zones])
        wanted = self.query.get("zone") or await ctx.setting(META_ZONE)
        ids = [z.id for z in self.zones]
        if self.zone_picker.value not in ids:
            self.zone_picker.set_value(wanted if wanted in ids else (ids[0] if ids else None))

    async def _zone_changed(self, field: w.ChoiceField) -> None:
        await self.ctx.set_setting(META_ZONE, field.value)
        await self.refresh()

    async def refresh(self) -> None:
        raise NotImplementedError

    def _gps_reader(self) -> GpsReader | None:
        if self._reader is None and geolocation_available(self.ctx.page):
            try:
                from flet_geolocator import Geolocator

                self._reader = GpsReader(Geolocator(), web=bool(self.ctx.page.web))
            except Exception:
                log.info("geolocation unavailable", exc_info=True)
        return self._reader

    async def _locate_tapped(self) -> None:
        await self._locate(ask=True)

    async def _locate(self, *, ask: bool = True) -> None:
        """Read the position; with ``ask=False`` only when permission was already given."""
        reader = self._gps_reader()
        if reader is None:
            self._say(self.t("geo.gps.unsupported"))
            return
        if not ask:
            try:
                from flet_geolocator import GeolocatorPermissionStatus as Permission

                status = await asyncio.wait_for(reader.geolocator.get_permission_status(), 5)
                if status not in (Permission.WHILE_IN_USE, Permission.ALWAYS):
                    return
            except Exception:
                return
        self._say(self.t("geo.gps.reading"))
        reading: GpsReading = await reader.read()
        if reading.fix is not None:
            self.position = reading.fix
            accuracy = reading.fix.accuracy_m
            text = self.t("geo.gps.ok", accuracy=format_distance(accuracy, self.ctx.lang)) if accuracy else ""
            self._say(text)
            await self.refresh()
            return
        self._say(self.t(f"geo.gps.{reading.status}"))
        if reading.can_open_settings and not self.ctx.page.web:
            self.ctx.toast(
                self.t(f"geo.gps.{reading.status}"),
                action=self.t("geo.gps.open_settings"),
                on_action=lambda: reader.open_settings(reading),
            )

    def _say(self, text: str) -> None:
        self.gps_note.value = text
        self.gps_note.visible = bool(text)
        self.update()
