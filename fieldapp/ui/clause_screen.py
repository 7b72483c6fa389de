"""The program's information clause (RODO art. 13), set by the coordinator: a new version with its
full text, the short version said at the door, the controller and the DPO's contact. It syncs to
every team; each consent records the version given. The current one is shown for reference."""

from __future__ import annotations

import flet as ft

from fieldapp.services import reviews as review_service
from fieldapp.services.clause import current_clause, publish_clause
from fieldapp.services.rodo.processing import processing_record_html
from fieldapp.ui import widgets as w
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen


@screen("/more/clause", menu=MenuEntry("/more", "ui.clause.menu", ft.Icons.ARTICLE, order=9))
class ClauseScreen(Screen):
    title_key = "ui.clause.menu"

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        self.current = w.muted("")
        self.editor = ft.Column(
            [
                f.add("version", w.text_field(self.t("ui.clause.field.version"), hint="2027-01")),
                f.add("controller", w.text_field(self.t("ui.clause.field.controller"))),
                f.add("dpo_contact", w.text_field(self.t("ui.clause.field.dpo"))),
                f.add("short_text", w.text_field(self.t("ui.clause.field.short"), multiline=True)),
                f.add("full_text", w.text_field(self.t("ui.clause.field.full"), multiline=True)),
                w.primary_button(ctx, self.t("ui.clause.publish"), self.publish, icon=ft.Icons.PUBLISH),
            ],
            spacing=10,
        )
        self.record = w.secondary_button(
            ctx, self.t("ui.processing.download"), self.download_record, icon=ft.Icons.DOWNLOAD
        )
        return ft.Column([f.banner, self.current, self.editor, self.record], spacing=12)

    async def download_record(self) -> None:
        """The record of processing activities (art. 30) as an HTML page, through the save dialog."""
        ctx = self.ctx
        name, data = await ctx.call(processing_record_html, ctx.store, ctx.lang)
        await ft.FilePicker().save_file(
            dialog_title=self.t("ui.processing.download"),
            file_name=name,
            src_bytes=data,
            file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=["html"],
        )
        ctx.toast(self.t("ui.access.handed_over", name=name))

    async def load(self) -> None:
        ctx = self.ctx
        clause = await ctx.call(current_clause, ctx.store, ctx.lang)
        self.current.value = self.t("ui.clause.version", version=clause.version)
        allowed = await ctx.call(review_service.can_review, ctx.store)
        self.editor.visible = self.record.visible = allowed
        if allowed and not self.form.text("full_text"):
            for name in ("controller", "dpo_contact", "short_text", "full_text"):
                self.form[name].value = getattr(clause, name)

    async def publish(self) -> None:
        f = self.form
        f.clear_errors()
        names = ("version", "controller", "dpo_contact", "short_text", "full_text")
        data = {name: f.text(name) for name in names}
        saved = await f.submit(publish_clause, self.ctx.store, data)
        if saved is None:
            return
        self.ctx.services.request_sync()
        self.ctx.toast(self.t("ui.clause.published", version=saved.version))
        await self.load()
