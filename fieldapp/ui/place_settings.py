"""Mapa i adresy (/more/places): where addresses are looked up and map tiles come from."""

from __future__ import annotations

from dataclasses import asdict, replace

import flet as ft

from fieldapp.geo.background import restart_geocoding
from fieldapp.geo.geocoding import Geocoding
from fieldapp.geo.mapdata import POLAND
from fieldapp.geo.settings import (
    GeocoderSettings,
    TileSettings,
    load_geocoder_settings,
    load_tile_settings,
    save_geocoder_settings,
    save_tile_settings,
)
from fieldapp.geo.tiles import probe_tiles
from fieldapp.geo.zones import center_of
from fieldapp.services.zones import list_zones
from fieldapp.store import Store
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen


@screen("/more/places", menu=MenuEntry("/more", "geo.settings.title", ft.Icons.TRAVEL_EXPLORE, order=60))
class PlaceSettingsScreen(Screen):
    """Where addresses are looked up and map tiles come from (a city's own servers, offline tiles)."""

    title_key = "geo.settings.title"

    def build(self) -> ft.Control:
        ctx, t = self.ctx, self.t
        self.form = Form(ctx)
        f = self.form
        f.aliases.update({"domain": "geocoder_url", "scheme": "geocoder_url", "provider": "geocoder_url"})
        self.check_result = ft.Text("", size=15, color=theme.INK, visible=False)
        return ft.Column(
            [
                w.muted(t("geo.settings.help")),
                f.add(
                    "geocoder_url", w.text_field(t("geo.settings.geocoder_url"), keyboard=ft.KeyboardType.URL)
                ),
                f.add("user_agent", w.text_field(t("geo.settings.user_agent"))),
                f.add("default_city", w.text_field(t("geo.settings.default_city"))),
                f.add(
                    "url_template",
                    w.text_field(
                        t("geo.settings.tile_url"),
                        keyboard=ft.KeyboardType.URL,
                        hint="https://…/{z}/{x}/{y}.png",
                    ),
                ),
                f.banner,
                w.primary_button(ctx, t("geo.settings.save"), self._save, icon=ft.Icons.SAVE),
                w.secondary_button(ctx, t("geo.settings.check"), self._check, icon=ft.Icons.NETWORK_CHECK),
                self.check_result,
            ],
            spacing=12,
        )

    async def load(self) -> None:
        ctx = self.ctx
        geocoder = await ctx.call(load_geocoder_settings, ctx.store)
        tiles = await ctx.call(load_tile_settings, ctx.store)
        self.form["geocoder_url"].value = geocoder.base_url
        self.form["user_agent"].value = geocoder.user_agent
        self.form["default_city"].value = geocoder.default_city
        self.form["url_template"].value = tiles.url_template

    def _read(self) -> tuple[GeocoderSettings, TileSettings]:
        f = self.form
        stored_geo, stored_tiles = self._stored
        url = f.text("geocoder_url") or stored_geo.base_url
        geocoder = GeocoderSettings.from_base_url(
            url, **{k: v for k, v in asdict(stored_geo).items() if k not in ("domain", "scheme")}
        )
        geocoder = replace(geocoder, user_agent=f.text("user_agent"), default_city=f.text("default_city"))
        tiles = replace(stored_tiles, url_template=f.text("url_template"))
        return geocoder, tiles

    async def _stored_settings(self) -> None:
        ctx = self.ctx
        self._stored = (
            await ctx.call(load_geocoder_settings, ctx.store),
            await ctx.call(load_tile_settings, ctx.store),
        )

    async def _valid_settings(self) -> tuple[GeocoderSettings, TileSettings] | None:
        """The settings as typed, or None after showing what is wrong beside the fields."""
        await self._stored_settings()
        geocoder, tiles = self._read()
        errors = geocoder.errors() + tiles.errors()
        if errors:
            self.form.show_errors(errors)
            self.update()
            return None
        return geocoder, tiles

    async def _save(self) -> None:
        if (valid := await self._valid_settings()) is None:
            return
        geocoder, tiles = valid
        self.form.clear_errors()
        await self.ctx.call(save_geocoder_settings, self.ctx.store, geocoder)
        await self.ctx.call(save_tile_settings, self.ctx.store, tiles)
        await self.ctx.call(restart_geocoding, self.ctx.store)
        self.ctx.toast(self.t("geo.settings.saved"))
        self.update()

    async def _check(self) -> None:
        """Ask both servers once (the user's tap: one request each, within the usage policies)."""
        if (valid := await self._valid_settings()) is None:
            return
        geocoder, tiles = valid
        self.check_result.value = self.t("geo.settings.checking")
        self.check_result.visible = True
        self.update()
        # Where the user works: an offline tile file or a city's server may cover only that area.
        center = await self.ctx.call(work_area_center, self.ctx.store)
        tiles_ok = await self.ctx.call(probe_tiles, tiles, *center, 14)
        result = await self.ctx.call(
            lambda: Geocoding(self.ctx.store, geocoder).reverse(*center, use_cache=False)
        )
        lines = [self.t("geo.settings.tiles_ok") if tiles_ok else self.t("geo.settings.tiles_failed")]
        if result.status in ("ok", "not_found"):
            lines.append(self.t("geo.settings.geocoder_ok"))
        else:
            lines.append(self.t(f"geo.error.{result.error}"))
        self.check_result.value = "\n".join(lines)
        self.update()


def work_area_center(store: Store) -> tuple[float, float]:
    """The centre of the first zone with a shape, else the middle of Poland."""
    for zone in list_zones(store):
        point = center_of(zone)
        if point is not None:
            return point
    return POLAND
