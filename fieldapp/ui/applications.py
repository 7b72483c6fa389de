"""Micro-grant applications of the program: the coordinator's list to evaluate and decide from
(each opens its action's screen), and the program's excluded streets (a setting: a place on them
gets a warning, never a refusal)."""

from __future__ import annotations

import flet as ft

from fieldapp.model import NeighbourhoodAction
from fieldapp.model.enums import ApplicationStatus
from fieldapp.services import applications
from fieldapp.ui import widgets as w
from fieldapp.ui.application_panel import STAGE_COLORS
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen

#: The states offered as a filter (drafts and applications not yet decided first).
FILTERS = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_EVALUATION,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.DRAFT,
)


@screen(
    "/zone/applications", menu=MenuEntry("/zone", "ui.applications.title", ft.Icons.REQUEST_QUOTE, order=9)
)
class ApplicationsScreen(Screen):
    title_key = "ui.applications.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.state = w.ChoiceField(
            ctx,
            self.t("ui.applications.show"),
            w.vocabulary_options(ctx, "application.status", FILTERS),
            allow_empty=self.t("ui.applications.all"),
            on_change=lambda _f: self.load(),
        )
        self.rows = ft.Column(spacing=0)
        self.streets = w.text_field(
            self.t("ui.applications.excluded_streets"), hint=self.t("ui.applications.excluded_hint")
        )
        return ft.Column(
            [
                self.state.control,
                self.rows,
                ft.Divider(),
                w.heading(self.t("ui.applications.settings"), size=18),
                self.streets,
                w.secondary_button(
                    ctx, self.t("ui.applications.save_streets"), self.save_streets, icon=ft.Icons.SAVE
                ),
            ],
            spacing=10,
        )

    async def load(self) -> None:
        ctx = self.ctx
        found: list[NeighbourhoodAction] = await ctx.call(
            applications.list_applications, ctx.store, self.state.value
        )
        rows: list[ft.Control] = []
        for a in found:
            stage = applications.application_stage(a)
            rows.append(
                w.row_tile(
                    ctx,
                    a.title,
                    self.t(f"application.status.{stage}"),
                    on_click=lambda e, i=a.id: ctx.go(f"/zone/actions/{i}"),
                    trailing=w.badge(
                        self.t(f"application.status.{stage}"), STAGE_COLORS.get(stage, "#455A64")
                    ),
                )
            )
        self.rows.controls = rows or [w.empty(self.t("ui.applications.none"))]
        self.streets.value = ", ".join(await ctx.call(applications.excluded_streets, ctx.store))

    async def save_streets(self) -> None:
        streets = [s for s in (self.streets.value or "").split(",") if s.strip()]
        await self.ctx.call(applications.set_excluded_streets, self.ctx.store, streets)
        self.ctx.toast(self.t("ui.common.saved"))
