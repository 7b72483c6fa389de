"""Program editions (/more/editions): the editions with the base each carried, and a new edition
started from a previous one's base (people by name only with the later-editions consent)."""

from __future__ import annotations

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.model.editions import BaseItem
from fieldapp.services import editions as svc
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import section
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen


@screen("/more/editions", menu=MenuEntry("/more", "edition.ui.title", ft.Icons.REPEAT, order=8))
class EditionsScreen(Screen):
    title_key = "edition.ui.title"

    def build(self) -> ft.Control:
        ctx, t = self.ctx, self.t
        f = self.form = Form(ctx)
        f.add("name", w.text_field(t("edition.ui.name")))
        f.add("starts_on", w.text_field(t("edition.ui.starts_on"), hint=t("ui.common.date_hint")))
        f.add("ends_on", w.text_field(t("edition.ui.ends_on"), hint=t("ui.common.date_hint")))
        self.previous = f.add(
            "previous_id", w.ChoiceField(ctx, t("edition.ui.previous"), [], allow_empty=t("edition.ui.none"))
        )
        self.list = ft.Column([w.muted(t("ui.common.loading"))], spacing=8)
        return ft.Column(
            [
                self.list,
                section(
                    t("edition.ui.start"),
                    f.banner,
                    f["name"],
                    f["starts_on"],
                    f["ends_on"],
                    self.previous.control,
                    w.primary_button(ctx, t("edition.ui.start"), self.start, icon=ft.Icons.PLAY_ARROW),
                ),
            ],
            spacing=16,
        )

    async def load(self) -> None:
        ctx, t = self.ctx, self.t
        editions = await ctx.call(svc.list_editions, ctx.store)
        self.previous.set_options([(e.id, e.name) for e in editions])
        cards: list[ft.Control] = []
        for edition in editions:
            base = await ctx.call(svc.edition_base, ctx.store, edition.id)
            names = await ctx.call(svc.carried_names, ctx.store, edition.id)
            dates = t(
                "edition.ui.dates",
                start=w.format_date(edition.starts_on, ctx.lang),
                end=w.format_date(edition.ends_on, ctx.lang) or "…",
            )
            lines: list[ft.Control] = [w.body(edition.name, weight=ft.FontWeight.W_600), w.muted(dates)]
            for item in BaseItem:
                if base.total(item):
                    lines.append(
                        w.body(
                            t(
                                "edition.ui.base_line",
                                item=t(f"edition.item.{item.value}"),
                                named=len(base.named.get(item, [])),
                                anonymous=base.anonymous.get(item, 0),
                            )
                        )
                    )
            if names:
                lines.append(
                    w.muted(t("edition.ui.carried", names=", ".join(c.name for c in names if c.name)))
                )
            cards.append(w.card(*lines, bgcolor=theme.SURFACE_LOW))
        self.list.controls = cards or [w.empty(t("edition.ui.empty"))]

    async def start(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        data = {
            "name": f.text("name"),
            "starts_on": f.date("starts_on", errors),
            "ends_on": f.date("ends_on", errors),
        }
        if errors:
            f.show_errors(errors)
            return
        data = {k: v for k, v in data.items() if v not in (None, "") or k == "name"}
        if await f.submit(svc.start_edition, self.ctx.store, data, self.previous.value) is None:
            return
        for name in ("name", "starts_on", "ends_on"):
            f[name].value = ""
        self.ctx.toast(self.t("edition.ui.started"))
        await self.load()
        self.update()
