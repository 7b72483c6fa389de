"""Raporty: a supervisor's figures for a period and a set of zones, section by section, with
charts, and exports that reach the person who asked.

The figures come from ``fieldapp.reports`` (SQL over the device store, which on a supervisor's
device holds the whole program after sync). An export is made in memory and handed to Flet's
``FilePicker.save_file`` with its bytes: in a browser that is a download, on a phone the system's
save dialog, on a desktop a save dialog — never a file left in the app's private folder.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import flet as ft

from fieldapp.i18n.format import format_date
from fieldapp.model import Zone
from fieldapp.reports import Report, build_report
from fieldapp.reports.export import cell_text, render
from fieldapp.reports.section import Chart
from fieldapp.reports.tables import Table, period_text
from fieldapp.services import zones as zone_service
from fieldapp.services.roles import is_supervisor
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen

PERIODS = ("this_month", "last_month", "custom")
#: The export buttons: format, label key, icon.
EXPORTS = (
    ("xlsx", "report.export_xlsx", ft.Icons.GRID_ON),
    ("csv", "report.export_csv", ft.Icons.TABLE_VIEW),
    ("pdf", "report.export_pdf", ft.Icons.PICTURE_AS_PDF),
    ("html", "report.export_html", ft.Icons.PRINT),
)
#: The widest bar of a chart, in pixels: leaves room for its value on a 360 px screen.
BAR_MAX = 150


def month_period(kind: str, today: date) -> tuple[date, date]:
    """This or last calendar month, as (first day, last day)."""
    first = today.replace(day=1)
    if kind == "last_month":
        last = first - timedelta(days=1)
        return last.replace(day=1), last
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def bar_chart(chart: Chart, lang: str) -> ft.Control:
    """Horizontal bars, one per label: the label above its bar (it wraps, never overlaps), the value
    beside the bar — readable at 360 px whatever the number of bars. A screen reader reads each
    bar as "label: value"."""
    top = max([float(v) for v in chart.values] + [0.0])
    rows: list[ft.Control] = []
    for i, (text, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        colour = chart.colors[i] if i < len(chart.colors) else theme.PRIMARY
        width = max(2.0, BAR_MAX * float(value) / top) if top and value else 2.0
        figure = cell_text(value, lang)
        bar = ft.Column(
            [
                ft.Text(text, size=14, color=theme.INK),
                ft.Row(
                    [
                        ft.Container(width=width, height=16, bgcolor=colour, border_radius=3),
                        ft.Text(figure, size=14, weight=ft.FontWeight.W_700, color=theme.INK),
                    ],
                    spacing=8,
                ),
            ],
            spacing=2,
        )
        label = f"{text}: {figure}"
        rows.append(ft.Semantics(content=bar, label=label, container=True, exclude_semantics=True))
    return ft.Column(rows, spacing=8)


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
        self.plain_csv = ft.Checkbox(label=self.t("report.csv_plain"), value=False)
        # On a phone the file can also go straight to the share sheet (mail, messenger, Drive).
        page = ctx.page
        phone = not page.web and page.platform is not None and page.platform.is_mobile()
        self.share = ft.Checkbox(label=self.t("report.share_instead"), value=False, visible=phone)
        export = ft.Column(
            [
                w.heading(self.t("report.export")),
                w.muted(self.t("report.export_help")),
                ft.Row(
                    [
                        w.secondary_button(ctx, self.t(key), partial(self.export, fmt), icon=icon)
                        for fmt, key, icon in EXPORTS
                    ],
                    wrap=True,
                ),
                self.plain_csv,
                self.share,
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
        controls: list[ft.Control] = []
        for part in report.parts(lang):
            # The section's first table (its key figures), then its charts, then the details.
            first, rest = part.tables[:1], part.tables[1:]
            controls.append(w.heading(part.title, size=20))
            controls += [self._table(table) for table in first]
            controls += [self._chart(chart) for chart in part.charts]
            controls += [self._table(table) for table in rest]
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

    def _chart(self, chart: Chart) -> ft.Control:
        body: ft.Control = w.empty(self.t("report.empty")) if chart.empty else bar_chart(chart, self.ctx.lang)
        return w.card(w.heading(chart.title, size=17), body)

    def _table(self, table: Table) -> ft.Control:
        lang = self.ctx.lang
        lines: list[ft.Control] = self._pairs(table) if len(table.headers) == 2 else []
        for row in table.rows if len(table.headers) > 2 else []:
            first, rest = row[0], row[1:]
            detail = " · ".join(
                f"{h}: {cell_text(v, lang)}"
                for h, v in zip(table.headers[1:], rest, strict=True)
                if v is not None
            )
            lines.append(
                ft.Column(
                    [w.body(cell_text(first, lang), weight=ft.FontWeight.W_600), w.muted(detail, size=14)],
                    spacing=2,
                )
            )
        if not lines:
            lines.append(w.empty(self.t("report.empty")))
        note = [w.muted(table.note, size=13)] if table.note else []
        return w.card(w.heading(table.title, size=17), *lines, *note)

    # -- exporting --------------------------------------------------------------------------

    async def export(self, fmt: str) -> None:
        """Make the file in memory and hand it to the browser (a download), the system's save dialog
        (a phone, a desktop) or, on a phone when asked, the share sheet."""
        if self.report is None:
            return
        plain = bool(self.plain_csv.value)
        made = await self.ctx.call(render, self.report, fmt, self.ctx.lang, plain_csv=plain)
        if self.share.visible and self.share.value:
            file = ft.ShareFile.from_bytes(made.data, mime_type=made.media_type, name=made.name)
            await ft.Share().share_files([file], title=made.name)
            return
        await ft.FilePicker().save_file(
            dialog_title=self.t("report.export"),
            file_name=made.name,
            src_bytes=made.data,
            file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=[fmt],
        )
        self.saved.value = self.t("report.downloaded", name=made.name)
        self.saved.visible = True
        self.ctx.toast(self.t("report.downloaded", name=made.name))
