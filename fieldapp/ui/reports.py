"""Raporty: a supervisor's figures for a period and a set of zones, two charts, and exports.

The figures come from ``fieldapp.reports`` (SQL over the device store, which on a supervisor's
device holds the whole program after sync); exports are written into the data folder, whose path is
shown (a browser session cannot simply download a file).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import flet as ft
import flet_charts as fch

from fieldapp.i18n.format import format_date
from fieldapp.model import Zone
from fieldapp.reports import Report, build_report
from fieldapp.reports.export import cell_text, write_report
from fieldapp.reports.tables import Table, label, period_text, tables
from fieldapp.services import zones as zone_service
from fieldapp.services.roles import is_supervisor
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen

PERIODS = ("this_month", "last_month", "custom")
EXPORT_FOLDER = "raporty"


def month_period(kind: str, today: date) -> tuple[date, date]:
    """This or last calendar month, as (first day, last day)."""
    first = today.replace(day=1)
    if kind == "last_month":
        last = first - timedelta(days=1)
        return last.replace(day=1), last
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _bar_chart(items: list[tuple[str, int, str]], max_label: int = 10) -> fch.BarChart:
    """A simple bar chart: one bar per (label, value, colour), the label under it."""
    top = max([value for _l, value, _c in items] + [1])
    step = max(1, math.ceil(top / 4))
    return fch.BarChart(
        groups=[
            fch.BarChartGroup(
                x=i,
                rods=[
                    fch.BarChartRod(
                        to_y=value, width=22, color=color, tooltip=f"{text}: {value}", border_radius=4
                    )
                ],
            )
            for i, (text, value, color) in enumerate(items)
        ],
        bottom_axis=fch.ChartAxis(
            labels=[
                fch.ChartAxisLabel(
                    value=i,
                    label=ft.Text(text if len(text) <= max_label else text[: max_label - 1] + "…", size=11),
                )
                for i, (text, _v, _c) in enumerate(items)
            ],
            label_size=28,
        ),
        left_axis=fch.ChartAxis(label_size=34, label_spacing=step),
        max_y=step * math.ceil(top / step),
        horizontal_grid_lines=fch.ChartGridLines(color="#DDDDDD", width=1),
        interactive=True,
        height=220,
        expand=False,
    )


@screen("/more/reports", menu=MenuEntry("/more", "report.menu", ft.Icons.INSIGHTS, order=6))
class ReportsScreen(Screen):
    title_key = "report.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.report: Report | None = None
        self.zones: list[Zone] = []
        self.period = "this_month"
        self.period_buttons = ft.SegmentedButton(
            segments=[
                ft.Segment(value=p, label=ft.Text(self.t(f"report.period.{p}"), size=15)) for p in PERIODS
            ],
            selected=[self.period],
            on_change=self.on(self._period_changed),
            show_selected_icon=False,
        )
        self.start_field = w.text_field(self.t("report.from"), hint=self.t("report.date_hint"), expand=True)
        self.end_field = w.text_field(self.t("report.to"), hint=self.t("report.date_hint"), expand=True)
        self.custom = ft.Column(
            [
                ft.Row([self.start_field, self.end_field]),
                w.primary_button(ctx, self.t("report.show"), self.refresh, icon=ft.Icons.REFRESH),
            ],
            visible=False,
        )
        self.all_zones = ft.Checkbox(
            label=self.t("report.all_zones"), value=True, on_change=self.on(self._all_changed)
        )
        self.zone_boxes = ft.Column(spacing=0)
        self.period_line = w.body("", weight=ft.FontWeight.W_600)
        self.figures = ft.Column(spacing=14, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.saved = w.body("", visible=False, selectable=True)
        export = ft.Column(
            [
                w.heading(self.t("report.export")),
                w.muted(self.t("report.export_help")),
                ft.Row(
                    [
                        w.secondary_button(
                            ctx,
                            self.t("report.export_csv"),
                            lambda: self.export("csv"),
                            icon=ft.Icons.TABLE_VIEW,
                        ),
                        w.secondary_button(
                            ctx,
                            self.t("report.export_xlsx"),
                            lambda: self.export("xlsx"),
                            icon=ft.Icons.GRID_ON,
                        ),
                        w.secondary_button(
                            ctx,
                            self.t("report.export_html"),
                            lambda: self.export("html"),
                            icon=ft.Icons.PRINT,
                        ),
                    ],
                    wrap=True,
                ),
                self.saved,
            ],
            spacing=10,
        )
        self.scope = w.muted("")
        return ft.Column(
            [
                self.scope,
                w.heading(self.t("report.period"), size=18),
                self.period_buttons,
                self.custom,
                w.heading(self.t("report.zones"), size=18),
                self.all_zones,
                self.zone_boxes,
                ft.Divider(),
                self.period_line,
                self.figures,
                ft.Divider(),
                export,
            ],
            spacing=10,
        )

    # -- choosing ---------------------------------------------------------------------------

    async def load(self) -> None:
        supervisor = await self.ctx.call(is_supervisor, self.ctx.store)
        self.scope.value = self.t("report.scope_supervisor" if supervisor else "report.scope_device")
        self.zones = await self.ctx.call(zone_service.list_zones, self.ctx.store)
        chosen = {box.data for box in self.zone_boxes.controls if box.value}
        fresh = not self.zone_boxes.controls
        self.zone_boxes.controls = [
            ft.Checkbox(
                label=z.name,
                value=True if fresh or self.all_zones.value else z.id in chosen,
                data=z.id,
                on_change=self.on(self._zone_changed),
            )
            for z in self.zones
        ]
        await self.refresh()

    async def _period_changed(self, e: ft.ControlEvent) -> None:
        selected = list(e.control.selected or [])
        if not selected:
            return
        self.period = selected[0]
        self.custom.visible = self.period == "custom"
        if self.period == "custom" and self.report is not None:
            lang = self.ctx.lang
            self.start_field.value = self.start_field.value or format_date(self.report.start, lang)
            self.end_field.value = self.end_field.value or format_date(self.report.end, lang)
            return
        await self.refresh()

    async def _all_changed(self) -> None:
        for box in self.zone_boxes.controls:
            box.value = bool(self.all_zones.value)
        await self.refresh()

    async def _zone_changed(self) -> None:
        self.all_zones.value = all(box.value for box in self.zone_boxes.controls)
        await self.refresh()

    def _dates(self) -> tuple[date, date] | None:
        if self.period != "custom":
            return month_period(self.period, date.today())
        try:
            start = w.parse_date(self.start_field.value or "")
            end = w.parse_date(self.end_field.value or "")
        except ValueError:
            start = end = None
        for field, value in ((self.start_field, start), (self.end_field, end)):
            field.error = None if value else self.t("report.bad_date")
        return (start, end) if start and end else None

    def _zone_ids(self) -> list[str] | None:
        if self.all_zones.value:
            return None
        return [box.data for box in self.zone_boxes.controls if box.value]

    # -- showing ----------------------------------------------------------------------------

    async def refresh(self) -> None:
        period = self._dates()
        if period is None:
            return
        start, end = period
        self.report = await self.ctx.call(
            build_report, self.ctx.store, start=start, end=end, zone_ids=self._zone_ids()
        )
        self.saved.visible = False
        self._show(self.report)

    def _show(self, report: Report) -> None:
        lang = self.ctx.lang
        self.period_line.value = period_text(report, lang)
        found = {table.key: table for table in tables(report, lang)}
        controls: list[ft.Control] = [self._summary(found["summary"])]
        knocks = [
            (
                label("visit.outcome", code, lang),
                n,
                theme.OUTCOME_COLORS.get(code, theme.DEFAULT_OUTCOME_COLOR),
            )
            for code, n in report.knocks_by_outcome.items()
        ]
        controls.append(self._chart(self.t("report.chart.knocks"), knocks))
        statuses = [
            (label("action.status", code, lang), n, theme.ACTION_STATUS_COLORS.get(code, theme.MUTED))
            for code, n in report.actions_by_status.items()
            if n
        ]
        controls.append(self._chart(self.t("report.chart.actions"), statuses))
        for key in ("contacts", "coverage", "leaders", "needs", "carried_out_by"):
            controls.append(self._table(found[key]))
        self.figures.controls = controls

    def _pairs(self, table: Table) -> list[ft.Control]:
        """Rows of a two-column table: the name, and its value on the right."""
        return [
            ft.Row(
                [
                    w.body(str(name), expand=True),
                    w.body(cell_text(value, self.ctx.lang), weight=ft.FontWeight.W_700),
                ],
            )
            for name, value in table.rows
        ]

    def _summary(self, table: Table) -> ft.Control:
        return w.card(w.heading(table.title, size=18), *self._pairs(table))

    def _chart(self, title: str, items: list[tuple[str, int, str]]) -> ft.Control:
        body: ft.Control = _bar_chart(items) if items else w.empty(self.t("report.empty"))
        legend = [w.muted(f"{text}: {value}", size=14) for text, value, _c in items]
        return w.card(w.heading(title, size=17), body, *legend)

    def _table(self, table: Table) -> ft.Control:
        lang = self.ctx.lang
        lines: list[ft.Control] = self._pairs(table) if len(table.headers) == 2 else []
        for row in table.rows if len(table.headers) > 2 else []:
            first, rest = row[0], row[1:]
            detail = " · ".join(
                f"{h}: {cell_text(v, lang)}" for h, v in zip(table.headers[1:], rest, strict=True)
            )
            lines.append(
                ft.Column(
                    [w.body(str(first), weight=ft.FontWeight.W_600), w.muted(detail, size=14)], spacing=2
                )
            )
        if not lines:
            lines.append(w.empty(self.t("report.empty")))
        note = [w.muted(table.note, size=13)] if table.note else []
        return w.card(w.heading(table.title, size=17), *lines, *note)

    # -- exporting --------------------------------------------------------------------------

    async def export(self, fmt: str) -> None:
        if self.report is None:
            return
        folder = self.ctx.store.path.parent / EXPORT_FOLDER
        path = await self.ctx.call(write_report, self.report, folder, fmt, self.ctx.lang)
        self.saved.value = self.t("report.saved", path=str(path))
        self.saved.visible = True
        self.ctx.toast(self.t("report.saved", path=path.name))
