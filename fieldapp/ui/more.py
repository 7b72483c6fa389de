"""Więcej: sync status, language, the user's name, the data folder, a JSON backup, about."""

from __future__ import annotations

import logging
from importlib import metadata

import flet as ft

from fieldapp.i18n import LANGUAGES
from fieldapp.services.backup import export_bytes, write_export
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import META_USER_NAME
from fieldapp.ui.logfile import log_path
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen
from fieldapp.ui.sync_screen import sync_summary

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"pl": "Polski", "en": "English"}


def app_version() -> str:
    try:
        return metadata.version("teren")
    except metadata.PackageNotFoundError:
        return "dev"


@screen("/more")
class MoreScreen(Screen):
    title_key = "ui.more.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.sync_line = w.muted(self.t("ui.common.loading"))
        self.user_name = w.text_field(
            self.t("ui.more.user_name"),
            hint=self.t("ui.more.user_name_hint"),
            on_submit=self.on(self.save_name),
        )
        self.export_result = w.body("", visible=False)
        folder = str(ctx.store.path.parent)
        languages = ft.SegmentedButton(
            segments=[
                ft.Segment(value=code, label=ft.Text(LANGUAGE_NAMES[code], size=16)) for code in LANGUAGES
            ],
            selected=[ctx.lang],
            on_change=self.on(self.change_language),
            height=theme.TOUCH,
            show_selected_icon=True,
        )
        return ft.Column(
            [
                w.row_tile(
                    ctx,
                    self.t("ui.sync.title"),
                    on_click=lambda: ctx.go("/more/sync"),
                    leading=ft.Icon(ft.Icons.SYNC),
                    trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                ),
                ft.Container(self.sync_line, padding=ft.Padding.only(left=16)),
                *w.menu_rows(ctx, "/more"),
                ft.Divider(),
                w.heading(self.t("ui.more.language")),
                languages,
                ft.Divider(),
                w.heading(self.t("ui.more.you")),
                self.user_name,
                w.secondary_button(ctx, self.t("ui.more.save_name"), self.save_name, icon=ft.Icons.SAVE),
                ft.Divider(),
                w.heading(self.t("ui.more.data")),
                w.labelled(self.t("ui.more.data_folder"), folder),
                w.secondary_button(ctx, self.t("ui.more.copy_folder"), self.copy_folder, icon=ft.Icons.COPY),
                w.muted(self.t("ui.more.export_help")),
                ft.Row(
                    [
                        w.primary_button(ctx, self.t("ui.more.export"), self.export, icon=ft.Icons.DOWNLOAD),
                        w.secondary_button(
                            ctx, self.t("ui.more.export_save_as"), self.export_save_as, icon=ft.Icons.SAVE_ALT
                        ),
                    ],
                    wrap=True,
                ),
                self.export_result,
                ft.Divider(),
                w.heading(self.t("ui.more.about")),
                w.body(self.t("ui.more.about_text")),
                w.labelled(self.t("ui.more.version"), app_version()),
                w.labelled(self.t("ui.more.device"), ctx.store.device_id),
                w.labelled(self.t("ui.more.log_file"), str(log_path(ctx.store.path.parent))),
            ],
            spacing=10,
        )

    async def load(self) -> None:
        name = await self.ctx.setting(META_USER_NAME)
        if name and not self.user_name.value:
            self.user_name.value = name
        self.sync_line.value = await sync_summary(self.ctx)

    async def change_language(self, e: ft.ControlEvent) -> None:
        selected = list(e.control.selected or [])
        if selected:
            await self.ctx.set_language(selected[0])

    async def save_name(self) -> None:
        await self.ctx.set_setting(META_USER_NAME, (self.user_name.value or "").strip() or None)
        self.ctx.toast(self.t("ui.common.saved"))

    async def copy_folder(self) -> None:
        await ft.Clipboard().set(str(self.ctx.store.path.parent))
        self.ctx.toast(self.t("ui.more.copied"))

    async def export(self) -> None:
        folder = self.ctx.store.path.parent / "exports"
        path, counts = await self.ctx.call(write_export, self.ctx.store, folder)
        self.export_result.value = self.t("ui.more.exported", path=str(path), count=sum(counts.values()))
        self.export_result.visible = True
        self.ctx.toast(self.t("ui.more.export_done"))

    async def export_save_as(self) -> None:
        name, data, _counts = await self.ctx.call(export_bytes, self.ctx.store)
        await ft.FilePicker().save_file(
            dialog_title=self.t("ui.more.export_save_as"),
            file_name=name,
            src_bytes=data,
            file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=["json"],
        )
