"""Sieć współpracy: the zone's cooperation network drawn on a canvas (no map tiles, no network needed),
the best-connected people, who to invite next, and every link as readable text."""

from __future__ import annotations

import math

import flet as ft
import flet.canvas as cv

from fieldapp.cooperation import NetworkGraph, best_connected, layout, network_graph, who_to_invite
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import KIND_COLORS, current_zone, section, zone_options
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen

LINK_COLORS = {"member": "#7A4100", "partner": "#1B5E20", "co_organised": "#6A1B9A", "met": "#78909C"}
#: Above this many nodes the drawing leaves names out (the lists below name everyone).
LABELLED_NODES = 40
SHOWN_LINKS = 60


def _main_kind(edge) -> str:
    return max(edge.kinds.items(), key=lambda item: (item[1], item[0]))[0]


def network_shapes(
    graph: NetworkGraph, width: float, height: float, *, labels: bool = True
) -> list[cv.Shape]:
    """Lines for the links, then a circle (and a name) per node, laid out deterministically."""
    points = layout(graph, aspect=width / height)
    margin = 24.0

    def at(node_id: str) -> tuple[float, float]:
        x, y = points[node_id]
        return margin + x * (width - 2 * margin), margin + y * (height - 2 * margin)

    degree: dict[str, int] = {}
    for a, b in graph.edges:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    shapes: list[cv.Shape] = []
    for (a, b), edge in sorted(graph.edges.items()):
        (x1, y1), (x2, y2) = at(a), at(b)
        shapes.append(
            cv.Line(
                x1,
                y1,
                x2,
                y2,
                paint=ft.Paint(
                    color=LINK_COLORS[_main_kind(edge)], stroke_width=1 + 0.75 * min(edge.weight, 4)
                ),
            )
        )
    show_names = labels and len(graph.nodes) <= LABELLED_NODES
    for node_id in sorted(graph.nodes):
        node = graph.nodes[node_id]
        x, y = at(node_id)
        radius = min(6 + 2 * math.sqrt(degree.get(node_id, 0)), 14)
        shapes.append(
            cv.Circle(x, y, radius, paint=ft.Paint(color=KIND_COLORS[node.kind], style=ft.PaintingStyle.FILL))
        )
        if show_names:
            shapes.append(
                cv.Text(x + radius + 3, y - 8, node.label[:24], style=ft.TextStyle(size=11, color=theme.INK))
            )
    return shapes


@screen("/zone/network", menu=MenuEntry("/zone", "network.ui.title", ft.Icons.HUB, order=20))
class NetworkScreen(Screen):
    title_key = "network.ui.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self._zone_set = False
        self.zone = w.ChoiceField(
            ctx,
            self.t("ui.contact.zone"),
            [],
            allow_empty=self.t("network.ui.all_zones"),
            on_change=self._zone_changed,
        )
        self.summary = w.body("", weight=ft.FontWeight.W_600)
        self.canvas = cv.Canvas(width=360, height=360)
        self.drawing = ft.Semantics(
            label="",
            content=ft.Container(
                ft.InteractiveViewer(
                    self.canvas, min_scale=0.5, max_scale=4, boundary_margin=ft.Margin.all(200)
                ),
                border=ft.Border.all(1, theme.OUTLINE),
                border_radius=8,
                bgcolor=ft.Colors.WHITE,
                clip_behavior=ft.ClipBehavior.HARD_EDGE,
            ),
        )
        legend = ft.Row(
            [self._legend(KIND_COLORS[k], self.t(f"network.ui.node.{k}")) for k in KIND_COLORS]
            + [self._legend(LINK_COLORS[k], self.t(f"network.link.{k}"), line=True) for k in LINK_COLORS],
            wrap=True,
            spacing=12,
            run_spacing=4,
        )
        self.best = ft.Column(spacing=0)
        self.invite = ft.Column(spacing=0)
        self.links = ft.Column(spacing=0)
        go = ctx.go
        return ft.Column(
            [
                ft.Row(
                    [
                        w.secondary_button(
                            ctx,
                            self.t("network.ui.groups"),
                            lambda: go(self._with_zone("/zone/groups")),
                            icon=ft.Icons.DIVERSITY_3,
                        ),
                        w.secondary_button(
                            ctx,
                            self.t("network.ui.meetings"),
                            lambda: go(self._with_zone("/zone/meetings")),
                            icon=ft.Icons.GROUPS_2,
                        ),
                        w.secondary_button(
                            ctx,
                            self.t("network.ui.partnerships"),
                            lambda: go(self._with_zone("/zone/partnerships")),
                            icon=ft.Icons.HANDSHAKE,
                        ),
                    ],
                    wrap=True,
                    spacing=8,
                    run_spacing=8,
                ),
                self.zone.control,
                self.summary,
                self.drawing,
                legend,
                section(self.t("network.ui.best_connected"), self.best),
                section(self.t("network.ui.invite_next"), self.invite),
                section(self.t("network.ui.links"), self.links),
            ],
            spacing=12,
        )

    @staticmethod
    def _legend(color: str, text: str, *, line: bool = False) -> ft.Control:
        mark = ft.Container(width=18, height=4 if line else 12, bgcolor=color, border_radius=2 if line else 6)
        return ft.Row([mark, ft.Text(text, size=13, color=theme.INK)], spacing=4, tight=True)

    def _with_zone(self, route: str) -> str:
        return f"{route}?zone={self.zone.value}" if self.zone.value else route

    async def _zone_changed(self, field: w.ChoiceField) -> None:
        await self.load()

    async def load(self) -> None:
        ctx = self.ctx
        if not self._zone_set:
            self._zone_set = True
            self.zone.set_value(await current_zone(ctx, self.query))
        self.zone.set_options(await zone_options(ctx))
        graph = await ctx.call(network_graph, ctx.store, self.zone.value)
        page_width = ctx.page.width or 412
        width = float(max(300, min(page_width - 24, 1000)))
        height = round(width * (0.9 if width < 600 else 0.6))
        self.canvas.width, self.canvas.height = width, height
        self.canvas.shapes = await ctx.call(network_shapes, graph, width, height)
        counts = {k: sum(1 for n in graph.nodes.values() if n.kind == k) for k in KIND_COLORS}
        summary = self.t(
            "network.ui.summary",
            people=counts["person"],
            organisations=counts["organisation"],
            groups=counts["group"],
            links=len(graph.edges),
        )
        self.summary.value = summary
        self.drawing.label = self.t("network.ui.drawing", summary=summary)
        ranked = best_connected(graph, limit=10)
        self.best.controls = [
            w.row_tile(
                ctx,
                c.node.label,
                self.t("network.ui.connections", count=c.degree),
                on_click=lambda e, cid=c.node.id: ctx.go(f"/zone/network/people/{cid}"),
                leading=ft.Icon(ft.Icons.HUB, color=KIND_COLORS["person"]),
            )
            for c in ranked
        ] or [w.empty(self.t("network.ui.no_links"))]
        invitations = await ctx.call(who_to_invite, ctx.store, graph, limit=15)
        self.invite.controls = [
            w.row_tile(
                ctx,
                i.contact.name or self.t("ui.contacts.unnamed"),
                self._rung_text(i),
                on_click=lambda e, cid=i.contact.id: ctx.go(f"/zone/network/people/{cid}"),
                leading=ft.Icon(ft.Icons.PERSON_ADD_ALT),
            )
            for i in invitations
        ] or [w.empty(self.t("network.ui.nobody_isolated"))]
        self.links.controls = self._link_rows(graph)

    def _rung_text(self, invitation) -> str:
        level = invitation.ladder.level
        if level is None:
            return self.t("network.ui.no_rung")
        day = w.format_date(invitation.last_step_on, self.ctx.lang)
        return f"{self.t(f'network.ladder.rung.{level.code}')} ({day})"

    def _link_rows(self, graph: NetworkGraph) -> list[ft.Control]:
        rows = []
        for (a, b), edge in graph.edges.items():
            first, second = sorted((graph.nodes[a].label, graph.nodes[b].label), key=str.casefold)
            kinds = ", ".join(self.t(f"network.link.{k}") for k in sorted(edge.kinds))
            rows.append((first.casefold(), second.casefold(), f"{first} — {second}", kinds))
        rows.sort()
        shown: list[ft.Control] = [
            ft.Container(
                ft.Column([w.body(title), w.muted(kinds, size=14)], spacing=0),
                padding=ft.Padding.symmetric(vertical=6),
            )
            for _, _, title, kinds in rows[:SHOWN_LINKS]
        ]
        if len(rows) > SHOWN_LINKS:
            shown.append(w.muted(self.t("network.ui.more_links", count=len(rows) - SHOWN_LINKS)))
        return shown or [w.empty(self.t("network.ui.no_links"))]
