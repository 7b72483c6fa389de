"""The map (flet-map) of a zone's contacts, resources and recent visits, with a list fallback.

``MapPanel`` is a self-contained builder (a ``.control`` to put in a layout) used by the map
screen (``map_screen``). Markers show the kind of each place (contacts and resources by kind,
visits by outcome), with the zone's outline and the user's position, on tiles from the configured
server or, offline, from the area's MBTiles file served on the device. Without tiles — none loaded,
no signal, server down — it draws a schematic map on the device (``schematic_map``: the outline,
the places coloured by status, the position and a scale), never an empty grey map; the same places
are a tap away as a list with distances and directions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import flet as ft
import flet_map as ftm

from fieldapp.geo.distance import Point
from fieldapp.geo.gps import Fix
from fieldapp.geo.mapdata import MapData, MapItem
from fieldapp.geo.settings import TileSettings
from fieldapp.geo.tiles import probe_tiles
from fieldapp.i18n.format import format_date, format_distance_direction
from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext
from fieldapp.ui.schematic_map import schematic_map

log = logging.getLogger(__name__)


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


def kind_text(t: Callable[..., str], item: MapItem) -> str:
    key = {"contact": "contact.kind", "resource": "resource.kind", "visit": "visit.outcome"}[item.record_type]
    text = t(f"{key}.{item.kind}")
    return text if not text.startswith(key) else item.kind


def detail_text(item: MapItem, lang: str) -> str:
    """What else the list and the sheet say of a place: its address or note, or a visit's day."""
    return item.detail or format_date(item.day, lang)


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


#: The boundary being drawn (white marks on it stand out on any tile).
DRAFT_COLOR = "#B3261E"


class MapPanel:
    """The map with its markers, or — when tiles cannot load — the list of the same places.

    Put ``.control`` in the layout, then call ``show(data, tiles_ok=…)``. ``on_open(item)`` runs
    when a marker or list row is tapped; ``on_tap(lat, lon)`` when the map itself is tapped.
    """

    def __init__(
        self,
        ctx: UiContext,
        tiles: TileSettings | None,
        *,
        on_open: Callable[[MapItem], Any] | None = None,
        on_tap: Callable[[float, float], Any] | None = None,
    ) -> None:
        self.ctx = ctx
        self.tiles = tiles
        self.on_open = on_open
        self.on_tap = on_tap
        self.data = MapData()
        #: Corners of a boundary being drawn (``MapScreen``'s drawing mode), shown as a line.
        self.draft: list[Point] = []
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
        """Draw ``data``; without tiles (``tiles_ok`` False, or no tile source) the map is the
        schematic drawing made on the device."""
        self.data = data
        self.position = position
        self.tiles_ok = tiles_ok and self.tiles is not None
        self._render()

    def show_draft(self, points: list[Point]) -> None:
        """The corners of a boundary being drawn (drawn over the map)."""
        self.draft = list(points)
        self._render()

    def _render(self) -> None:
        t = self.ctx.t
        data = self.data
        self.notice.visible = not self.tiles_ok and self.mode == "map"
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
        """Switch between map and list; back to the map, check the tile server again (the
        schematic drawing stands in when it still does not answer)."""
        if self.mode == "list" and not self.tiles_ok and self.tiles is not None:
            center = self.position.point if self.position else self.data.center
            self.tiles_ok = await self.ctx.call(probe_tiles, self.tiles, *center)
        self.mode = "map" if self.mode == "list" else "list"
        self._render()
        self.ctx.page.update()

    def _map(self) -> ft.Control:
        data = self.data
        if not self.tiles_ok or self.tiles is None:
            return ft.Column(
                [
                    schematic_map(
                        data, self.position, lambda item: marker_style(item)[1], self.ctx.t, self.ctx.lang
                    )
                ],
                scroll=ft.ScrollMode.AUTO,
                expand=True,
            )
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
        if self.draft:
            corners = [_latlng(p) for p in self.draft]
            layers.append(
                ftm.PolylineLayer(
                    polylines=[
                        ftm.PolylineMarker(
                            coordinates=corners + corners[:1] if len(corners) > 2 else corners,
                            color=DRAFT_COLOR,
                            border_color=DRAFT_COLOR,
                            stroke_width=4,
                        )
                    ]
                )
            )
            layers.append(
                ftm.CircleLayer(
                    circles=[
                        ftm.CircleMarker(
                            radius=7,
                            coordinates=c,
                            color=DRAFT_COLOR,
                            border_color=ft.Colors.WHITE,
                            border_stroke_width=2,
                        )
                        for c in corners
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
            where = format_distance_direction(item.distance_m, item.direction, lang)
            subtitle = " · ".join(
                part for part in (where, kind_text(t, item), detail_text(item, lang)) if part
            )
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
        log.info("map tiles cannot load; drawing the schematic map")
        self.show(self.data, tiles_ok=False, position=self.position)
        self.ctx.page.update()
