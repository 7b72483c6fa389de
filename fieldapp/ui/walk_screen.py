"""Trasa po drzwiach (/zone/walk, listed on Strefa): today's walk through the zone's doors, nearest first.

Doors marked done stay done for the day (kept on the device); the next distance is measured from
the last door done.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import flet as ft

from fieldapp.geo.background import start_geocoding
from fieldapp.geo.gps import manual_fix
from fieldapp.geo.walk import WalkList, WalkStop, build_walk_list
from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.ui import widgets as w
from fieldapp.ui.place_screen import PlaceScreen
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.walk_panel import WalkPanel

#: Doors done on today's walk: {"date": ISO date, "zone_id": …, "keys": [door keys]}.
META_WALK_DONE = "geo.walk.done"


@screen("/zone/walk", menu=MenuEntry("/zone", "geo.walk.title", ft.Icons.DIRECTIONS_WALK, order=11))
class WalkScreen(PlaceScreen):
    title_key = "geo.walk.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self._build_zone_picker()
        self.walk: WalkList | None = None
        self.done: set[str] = set()
        self.residents_only = ft.Switch(
            label=self.t("geo.walk.residents_only"), value=True, on_change=ctx.handler(self.refresh)
        )
        self.panel = WalkPanel(ctx, on_done=self._done, on_visit=self._visit)
        return ft.Column(
            [
                self.zone_picker.control,
                self.residents_only,
                ft.Row(
                    [
                        w.secondary_button(
                            ctx, self.t("geo.gps.locate"), self._locate_tapped, icon=ft.Icons.MY_LOCATION
                        ),
                        w.secondary_button(ctx, self.t("geo.walk.replan"), self.refresh, icon=ft.Icons.ROUTE),
                    ],
                    wrap=True,
                ),
                self.gps_note,
                self.panel.control,
            ],
            spacing=10,
        )

    async def load(self) -> None:
        await self.ctx.call(start_geocoding, self.ctx.store)
        await self._load_zones()
        await self._load_done()
        await self.refresh()

    async def refresh(self, *_: Any) -> None:
        ctx = self.ctx
        if self.zone_id is None:
            self.walk = WalkList(None, [])
        else:
            kinds = sorted(NATURAL_PERSON_KINDS) if self.residents_only.value else None
            start = self.position.point if self.position else None
            self.walk = await ctx.call(build_walk_list, ctx.store, self.zone_id, start, kinds=kinds)
        self.panel.show(self.walk, self.done, self.position)
        self.update()

    async def _load_done(self) -> None:
        saved = await self.ctx.json_setting(META_WALK_DONE)
        if saved.get("date") == date.today().isoformat():
            self.done = set(saved.get("keys") or [])

    async def _done(self, stop: WalkStop) -> None:
        self.done.add(stop.door.key)
        await self.ctx.set_json_setting(
            META_WALK_DONE, {"date": date.today().isoformat(), "keys": sorted(self.done)}
        )
        # We stand at that door now: the next distance is measured from it (a GPS fix taken
        # before the walk started would be stale by now).
        self.position = manual_fix(*stop.door.point)
        assert self.walk is not None
        self.panel.show(self.walk, self.done, self.position)
        self.update()

    async def _visit(self, stop: WalkStop) -> None:
        contact = stop.door.contact_ids[0] if stop.door.contact_ids else None
        self.ctx.go(f"/doors?contact={contact}" if contact else "/doors")
