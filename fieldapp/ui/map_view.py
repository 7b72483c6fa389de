"""The map (flet-map) and the walk list: where the contacts, resources and doors are.

``MapPanel`` and ``WalkPanel`` are self-contained builders (a ``.control`` to put in a layout);
``MapScreen`` (/zone/map) and ``WalkScreen`` (/zone/walk) mount them in the app's shell and are
listed on the Strefa screen. The map shows contacts, resources and recent visits as markers by
kind, the zone's outline and the user's position, on tiles from the configured server (an offline
MBTiles file served on the device works too). When tiles cannot load — no signal, server down —
it shows the same places as a list with distances and directions instead of an empty grey map.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date
from typing import Any

import flet as ft
import flet_map as ftm
from sqlmodel import select

from fieldapp.geo.background import restart_geocoding, start_geocoding
from fieldapp.geo.distance import Point
from fieldapp.geo.geocoding import Geocoding
from fieldapp.geo.gps import Fix, GpsReader, GpsReading, geolocation_available, manual_fix
from fieldapp.geo.mapdata import MapData, MapItem, load_map_data
from fieldapp.geo.positions import QueueItem, choose_place, needs_attention, set_position
from fieldapp.geo.settings import (
    GeocoderSettings,
    TileSettings,
    load_geocoder_settings,
    load_tile_settings,
    save_geocoder_settings,
    save_tile_settings,
)
from fieldapp.geo.tiles import probe_tiles
from fieldapp.geo.walk import WalkList, WalkStop, build_walk_list
from fieldapp.geo.zones import center_of
from fieldapp.model import Contact, Zone
from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.services.zones import list_zones
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen

log = logging.getLogger(__name__)

#: The zone chosen on the Strefa screen (the same key as ``fieldapp.ui.zone``).
META_ZONE = "ui.zone"
#: Doors done on today's walk: {"date": ISO date, "zone_id": …, "keys": [door keys]}.
META_WALK_DONE = "geo.walk.done"
#: Seconds between re-checks of the tile server after tile errors.
TILE_RECHECK_S = 10.0

_VISIT_COLORS = {**theme.OUTCOME_COLORS}
_RESOURCE_ICONS = {
    "person": ft.Icons.PERSON_PIN,
    "place": ft.Icons.PLACE,
    "organisation": ft.Icons.CORPORATE_FARE,
    "skill": ft.Icons.HANDYMAN,
    "equipment": ft.Icons.BUILD,
}
_CONTACT_ICONS = {
    "resident": ft.Icons.PERSON,
    "leader": ft.Icons.RECORD_VOICE_OVER,
    "informal_group": ft.Icons.GROUPS,
    "ngo": ft.Icons.VOLUNTEER_ACTIVISM,
    "culture": ft.Icons.LOCAL_LIBRARY,
    "education": ft.Icons.SCHOOL,
    "day_support": ft.Icons.CHILD_CARE,
    "social_economy": ft.Icons.HANDSHAKE,
    "business": ft.Icons.STOREFRONT,
    "local_government": ft.Icons.ACCOUNT_BALANCE,
}
CONTACT_COLOR = "#0B4A8F"
INSTITUTION_COLOR = "#00695C"
RESOURCE_COLOR = "#6A1B9A"
POSITION_COLOR = "#1565C0"


# -- text helpers -------------------------------------------------------------------------------


def format_distance(meters: float | None, lang: str) -> str:
    """ "85 m", "1,2 km" (Polish decimal comma) / "1.2 km"."""
    if meters is None:
        return "—"
    if meters < 1_000:
        return f"{round(meters / 5) * 5:.0f} m" if meters >= 20 else f"{meters:.0f} m"
    text = f"{meters / 1000:.1f} km"
    return text.replace(".", ",") if lang == "pl" else text


def distance_and_direction(
    t: Callable[..., str], lang: str, meters: float | None, direction: str | None
) -> str:
    if meters is None:
        return ""
    if direction is None or meters < 5:
        return t("geo.here") if meters < 5 else format_distance(meters, lang)
    return t(
        "geo.distance_direction", distance=format_distance(meters, lang), direction=t(f"geo.dir.{direction}")
    )


def kind_text(t: Callable[..., str], item: MapItem) -> str:
    key = {"contact": "contact.kind", "resource": "resource.kind", "visit": "visit.outcome"}[item.record_type]
    text = t(f"{key}.{item.kind}")
    return text if not text.startswith(key) else item.kind


def marker_style(item: MapItem) -> tuple[ft.IconData, str]:
    """Icon and colour of a marker: contacts by kind, resources by kind, visits by outcome."""
    if item.record_type == "contact":
        color = CONTACT_COLOR if item.kind in NATURAL_PERSON_KINDS else INSTITUTION_COLOR
        return _CONTACT_ICONS.get(item.kind, ft.Icons.PERSON_OUTLINE), color
    if item.record_type == "resource":
        return _RESOURCE_ICONS.get(item.kind, ft.Icons.STAR), RESOURCE_COLOR
    return ft.Icons.DOOR_FRONT_DOOR, _VISIT_COLORS.get(item.kind, theme.DEFAULT_OUTCOME_COLOR)


def _latlng(point: Point) -> ftm.MapLatitudeLongitude:
    return ftm.MapLatitudeLongitude(point[0], point[1])


# -- the map ------------------------------------------------------------------------------------


class MapPanel:
    """The map with its markers, or — when tiles cannot load — the list of the same places.

    Put ``.control`` in the layout, then call ``show(data, tiles_ok=…)``. ``on_open(item)`` runs
    when a marker or list row is tapped; ``on_tap(lat, lon)`` when the map itself is tapped.
    """

    def __init__(
        self,
        ctx: UiContext,
        tiles: TileSettings,
        *,
        on_open: Callable[[MapItem], Any] | None = None,
        on_tap: Callable[[float, float], Any] | None = None,
    ) -> None:
        self.ctx = ctx
        self.tiles = tiles
        self.on_open = on_open
        self.on_tap = on_tap
        self.data = MapData()
        self.position: Fix | None = None
        self.mode = "map"
        self.tiles_ok = True
        self._last_recheck = 0.0
        self.summary = ft.Text("", size=15, color=theme.MUTED)
        self.notice = w.notice(ctx.t("geo.map.tiles_failed"), icon=ft.Icons.CLOUD_OFF)
        self.notice.visible = False
        self.toggle = w.secondary_button(ctx, ctx.t("geo.map.show_list"), self._toggle, icon=ft.Icons.LIST)
        self.body = ft.Container(expand=True)
        self.control = ft.Column(
            [ft.Row([self.toggle], wrap=True), self.notice, self.summary, self.body], expand=True, spacing=8
        )

    # -- showing -----------------------------------------------------------------------------

    def show(self, data: MapData, *, tiles_ok: bool, position: Fix | None = None) -> None:
        self.data = data
        self.position = position
        self.tiles_ok = tiles_ok
        if not tiles_ok:
            self.mode = "list"
        self._render()

    def _render(self) -> None:
        t = self.ctx.t
        data = self.data
        self.notice.visible = not self.tiles_ok
        counts = t(
            "geo.map.counts",
            contacts=data.count("contact"),
            resources=data.count("resource"),
            visits=data.count("visit"),
        )
        origin = t("geo.map.from_position") if data.origin_is_position else t("geo.map.from_zone")
        self.summary.value = f"{data.zone_name + ' · ' if data.zone_name else ''}{counts}"
        if self.mode == "list" and data.origin is not None:
            self.summary.value += f" · {origin}"
        showing_list = self.mode == "list"
        self.toggle.content.value = t("geo.map.show_map") if showing_list else t("geo.map.show_list")
        self.toggle.icon = ft.Icons.MAP if showing_list else ft.Icons.LIST
        self.body.content = self._list() if showing_list else self._map()

    async def _toggle(self) -> None:
        """Switch between map and list; from the fallback list, check the tile server first."""
        if self.mode == "list" and not self.tiles_ok:
            center = self.position.point if self.position else self.data.center
            if not await self.ctx.call(probe_tiles, self.tiles, *center):
                self.ctx.toast(self.ctx.t("geo.map.still_no_tiles"))
                self.ctx.page.update()
                return
            self.tiles_ok = True
        self.mode = "map" if self.mode == "list" else "list"
        self._render()
        self.ctx.page.update()

    def _map(self) -> ft.Control:
        data = self.data
        layers: list[ftm.MapLayer] = [
            ftm.TileLayer(
                url_template=self.tiles.url_template,
                user_agent_package_name=self.tiles.user_agent_package_name,
                max_native_zoom=self.tiles.max_native_zoom,
                on_image_error=self.ctx.handler(self._tile_error),
            )
        ]
        if data.outline:
            layers.append(
                ftm.PolygonLayer(
                    polygons=[
                        ftm.PolygonMarker(
                            coordinates=[_latlng(p) for p in data.outline],
                            color="#1A0B4A8F",
                            border_color=theme.PRIMARY,
                            border_stroke_width=3,
                        )
                    ]
                )
            )
        if self.position is not None and self.position.accuracy_m:
            layers.append(
                ftm.CircleLayer(
                    circles=[
                        ftm.CircleMarker(
                            radius=self.position.accuracy_m,
                            coordinates=_latlng(self.position.point),
                            color="#331565C0",
                            border_color=POSITION_COLOR,
                            border_stroke_width=1,
                            use_radius_in_meter=True,
                        )
                    ]
                )
            )
        markers = [self._marker(item) for item in data.items]
        if self.position is not None:
            markers.append(self._position_marker(self.position))
        layers.append(ftm.MarkerLayer(markers=markers))
        layers.append(ftm.SimpleAttribution(text=self.tiles.attribution))
        points = [item.point for item in data.items] + data.outline
        if self.position is not None:
            points.append(self.position.point)
        fit = None
        if len(points) >= 2:
            fit = ftm.CameraFit(
                bounds=ftm.MapLatitudeLongitudeBounds(
                    ftm.MapLatitudeLongitude(min(p[0] for p in points), min(p[1] for p in points)),
                    ftm.MapLatitudeLongitude(max(p[0] for p in points), max(p[1] for p in points)),
                ),
                padding=ft.Padding.all(36),
                max_zoom=18,
            )
        return ft.Semantics(
            identifier="geo-map",
            label=self.ctx.t("geo.map.title"),
            container=True,
            content=ftm.Map(
                layers=layers,
                initial_center=_latlng(data.center),
                initial_zoom=16 if data.items or self.position else 6,
                initial_camera_fit=fit,
                max_zoom=19,
                on_tap=self.ctx.handler(self._map_tapped) if self.on_tap else None,
                expand=True,
            ),
            expand=True,
        )

    def _marker(self, item: MapItem) -> ftm.Marker:
        icon, color = marker_style(item)
        label = f"{kind_text(self.ctx.t, item)}: {item.label}"
        return ftm.Marker(
            coordinates=_latlng(item.point),
            width=44,
            height=44,
            content=ft.Semantics(
                identifier=f"marker-{item.record_type}",
                label=label,
                button=True,
                content=ft.Container(
                    ft.Icon(icon, color=ft.Colors.WHITE, size=22),
                    bgcolor=color,
                    border=ft.Border.all(2, ft.Colors.WHITE),
                    border_radius=22,
                    alignment=ft.Alignment.CENTER,
                    tooltip=label,
                    on_click=self.ctx.handler(lambda: self._open(item)),
                ),
            ),
        )

    def _position_marker(self, fix: Fix) -> ftm.Marker:
        label = self.ctx.t("geo.map.you")
        return ftm.Marker(
            coordinates=_latlng(fix.point),
            width=28,
            height=28,
            content=ft.Semantics(
                identifier="marker-position",
                label=label,
                content=ft.Container(
                    bgcolor=POSITION_COLOR,
                    border=ft.Border.all(4, ft.Colors.WHITE),
                    border_radius=14,
                    tooltip=label,
                ),
            ),
        )

    def _list(self) -> ft.Control:
        t, lang = self.ctx.t, self.ctx.lang
        if not self.data.items:
            return w.empty(t("geo.map.no_items"))
        rows = []
        for item in self.data.items:
            icon, color = marker_style(item)
            where = distance_and_direction(t, lang, item.distance_m, item.direction)
            subtitle = " · ".join(part for part in (where, kind_text(t, item), item.detail) if part)
            rows.append(
                w.row_tile(
                    self.ctx,
                    item.label or kind_text(t, item),
                    subtitle,
                    leading=ft.Icon(icon, color=color, size=28),
                    on_click=lambda item=item: self._open(item),
                )
            )
        return ft.Semantics(
            identifier="geo-map-list",
            container=True,
            content=ft.ListView(rows, expand=True, spacing=0),
            expand=True,
        )

    # -- events ------------------------------------------------------------------------------

    async def _open(self, item: MapItem) -> None:
        if self.on_open is not None:
            result = self.on_open(item)
            if asyncio.iscoroutine(result):
                await result

    async def _map_tapped(self, e: Any) -> None:
        if self.on_tap is not None and getattr(e, "coordinates", None) is not None:
            result = self.on_tap(e.coordinates.latitude, e.coordinates.longitude)
            if asyncio.iscoroutine(result):
                await result

    async def _tile_error(self, e: Any) -> None:
        """A tile failed: check the server (at most every few seconds); fall back if it is gone."""
        now = asyncio.get_running_loop().time()
        if not self.tiles_ok or now - self._last_recheck < TILE_RECHECK_S:
            return
        self._last_recheck = now
        center = self.position.point if self.position else self.data.center
        if await self.ctx.call(probe_tiles, self.tiles, *center):
            return  # a missing tile at the edge of the area, not a dead server
        log.info("map tiles cannot load; showing the list")
        self.show(self.data, tiles_ok=False, position=self.position)
        self.ctx.page.update()


# -- the walk list ------------------------------------------------------------------------------


class WalkPanel:
    """Today's walk: the next door (distance and direction) big, then the whole route."""

    def __init__(
        self, ctx: UiContext, *, on_done: Callable[[WalkStop], Any], on_visit: Callable[[WalkStop], Any]
    ) -> None:
        self.ctx = ctx
        self.on_done = on_done
        self.on_visit = on_visit
        self.walk: WalkList | None = None
        self.done: set[str] = set()
        self.position: Fix | None = None
        self.next_card = ft.Column(spacing=8)
        self.summary = ft.Text("", size=15, color=theme.MUTED)
        self.stops = ft.Column(spacing=0)
        self.extra = ft.Column(spacing=4)
        self.control = ft.Column(
            [
                self.next_card,
                self.summary,
                w.heading(ctx.t("geo.walk.route"), size=18),
                self.stops,
                self.extra,
            ],
            spacing=10,
        )

    def show(self, walk: WalkList, done: set[str], position: Fix | None) -> None:
        self.walk, self.done, self.position = walk, done, position
        t, lang = self.ctx.t, self.ctx.lang
        remaining = [s for s in walk.stops if s.door.key not in done]
        self.summary.value = t(
            "geo.walk.summary",
            doors=len(walk.stops),
            left=len(remaining),
            distance=format_distance(walk.total_m, lang),
        )
        self.next_card.controls = [self._next_card()]
        self.stops.controls = [self._stop_row(i, stop) for i, stop in enumerate(walk.stops)] or [
            w.empty(t("geo.walk.empty"))
        ]
        extra: list[ft.Control] = []
        if walk.skipped:
            extra.append(w.heading(t("geo.walk.skipped", count=len(walk.skipped)), size=16))
            extra += [w.muted(f"{s.label} — {t(f'geo.walk.reason.{s.reason}')}") for s in walk.skipped]
        if walk.unlocated:
            extra.append(w.heading(t("geo.walk.unlocated", count=len(walk.unlocated)), size=16))
            extra += [w.muted(c.address or c.name) for c in walk.unlocated]
        self.extra.controls = extra

    def _next_card(self) -> ft.Control:
        t, lang = self.ctx.t, self.ctx.lang
        assert self.walk is not None
        nxt = self.walk.next_door(self.position.point if self.position else None, self.done)
        if nxt is None:
            return w.notice(
                t("geo.walk.all_done") if self.walk.stops else t("geo.walk.empty"),
                color=theme.PRIMARY_CONTAINER,
                icon=ft.Icons.CHECK_CIRCLE,
            )
        door = nxt.stop.door
        if nxt.distance_m is None:
            where = t("geo.walk.no_position")
        else:
            where = distance_and_direction(t, lang, nxt.distance_m, nxt.direction)
        lines: list[ft.Control] = [
            w.muted(t("geo.walk.next_door")),
            ft.Semantics(
                identifier="walk-next",
                container=True,
                content=ft.Column(
                    [
                        w.heading(door.label, size=24),
                        ft.Text(where, size=22, weight=ft.FontWeight.W_700, color=theme.PRIMARY),
                    ],
                    spacing=4,
                ),
            ),
        ]
        if door.flats:
            lines.append(w.body(t("geo.walk.flats", flats=", ".join(door.flats))))
        lines.append(
            ft.Row(
                [
                    w.primary_button(
                        self.ctx,
                        t("geo.walk.log_visit"),
                        lambda: self.on_visit(nxt.stop),
                        icon=ft.Icons.EDIT_NOTE,
                        expand=True,
                    ),
                    w.secondary_button(
                        self.ctx,
                        t("geo.walk.done"),
                        lambda: self.on_done(nxt.stop),
                        icon=ft.Icons.CHECK,
                        expand=True,
                    ),
                ]
            )
        )
        return w.card(*lines)

    def _stop_row(self, index: int, stop: WalkStop) -> ft.Control:
        t, lang = self.ctx.t, self.ctx.lang
        done = stop.door.key in self.done
        if index == 0 and self.walk is not None and self.walk.start is None:
            leg = t("geo.walk.first")
        else:
            leg = distance_and_direction(t, lang, stop.leg_m, stop.direction)
        subtitle = t("geo.walk.done_mark") if done else leg
        return w.row_tile(
            self.ctx,
            f"{index + 1}. {stop.door.label}",
            subtitle,
            leading=ft.Icon(
                ft.Icons.CHECK_CIRCLE if done else ft.Icons.RADIO_BUTTON_UNCHECKED,
                color=theme.OK if done else theme.MUTED,
            ),
        )


# -- shared screen plumbing ---------------------------------------------------------------------


def _live_zones(store) -> list[Zone]:
    with store.read() as session:
        return list(session.exec(select(Zone).where(Zone.deleted == False).order_by(Zone.name)))  # noqa: E712


class _PlaceScreen(Screen):
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
        self.zones = await ctx.call(_live_zones, ctx.store)
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
            self._say(self.t("geo.gps.ok", accuracy=f"{accuracy:.0f}") if accuracy else "")
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


# -- the screens --------------------------------------------------------------------------------


@screen("/zone/map", menu=MenuEntry("/zone", "geo.map.title", ft.Icons.MAP, order=10))
class MapScreen(_PlaceScreen):
    title_key = "geo.map.title"
    scrolls = False

    def build(self) -> ft.Control:
        ctx = self.ctx
        self._build_zone_picker()
        self.tiles = TileSettings()
        self.panel = MapPanel(ctx, self.tiles, on_open=self._open, on_tap=self._tapped)
        self.pin_for: QueueItem | None = None
        self.pin_note = w.notice(self.t("geo.pick.tap_map"), icon=ft.Icons.TOUCH_APP)
        self.pin_note.visible = False
        self.attention = w.secondary_button(ctx, "", self._show_attention, icon=ft.Icons.WRONG_LOCATION)
        self.attention.visible = False
        return ft.Column(
            [self.zone_picker.control, self.gps_note, self.attention, self.pin_note, self.panel.control],
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
        self.tiles = await ctx.call(load_tile_settings, ctx.store)
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
        tiles_ok = await ctx.call(probe_tiles, self.tiles, *center)
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
        where = distance_and_direction(self.t, self.ctx.lang, item.distance_m, item.direction)
        sheet = ft.BottomSheet(
            ft.Container(
                ft.Column(
                    [
                        w.heading(item.label or kind_text(self.t, item)),
                        w.body(kind_text(self.t, item)),
                        w.muted(" · ".join(p for p in (where, item.detail) if p)),
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
        if self.pin_for is None:
            return
        item, self.pin_for = self.pin_for, None
        self.pin_note.visible = False
        await self.ctx.call(set_position, self.ctx.store, item.record_type, item.record_id, lat, lon)
        self.ctx.toast(self.t("geo.pick.pinned"))
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


@screen("/zone/walk", menu=MenuEntry("/zone", "geo.walk.title", ft.Icons.DIRECTIONS_WALK, order=11))
class WalkScreen(_PlaceScreen):
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


#: A point to check servers at when the device knows no place yet (the centre of Poland).
FALLBACK_CENTER = (52.07, 19.48)


def work_area_center(store: Any) -> tuple[float, float]:
    """The centre of the first zone with a shape, else the fallback point."""
    for zone in list_zones(store):
        point = center_of(zone)
        if point is not None:
            return point
    return FALLBACK_CENTER


__all__ = [
    "MapPanel",
    "MapScreen",
    "WalkPanel",
    "WalkScreen",
    "distance_and_direction",
    "format_distance",
    "kind_text",
    "marker_style",
]
