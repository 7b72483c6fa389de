"""Photos and scans of a record, as a strip of thumbnails with an "Add a photo" button.

The system's picker (Flet's ``FilePicker``) offers the gallery and, on a phone, the camera; the
picked bytes are attached through ``services.attachments`` (checked and kept in one step) and go
to the service on the file lane at the next sync. Thumbnails come from Pillow where the device has
it, else the picture itself is scaled down here; a file still on its way shows as a placeholder.
"""

from __future__ import annotations

import flet as ft

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.model import Attachment
from fieldapp.model.attachment import FileMime
from fieldapp.services import attachments as attachment_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext

#: A thumbnail's side on screen (logical pixels).
TILE = 96


def list_picture(picture: attachment_service.Picture | None, label: str) -> ft.Control | None:
    """A list row's small picture (its record's first photo), or None."""
    if picture is None or picture.data is None:
        return None
    return ft.Image(
        src=picture.data, width=48, height=48, fit=ft.BoxFit.COVER, border_radius=6, semantics_label=label
    )


class AttachmentsPanel:
    """The files of one record (``owner_type``, ``owner_id``); ``control`` goes into a screen,
    ``load`` fills it (call it from the screen's own ``load``)."""

    def __init__(self, ctx: UiContext, owner_type: str, owner_id: str, *, scans: bool = False) -> None:
        """``scans``: a scanned form (a photo or a PDF, from the files) instead of photos (the
        gallery or the camera)."""
        self.ctx = ctx
        self.owner_type = owner_type
        self.owner_id = owner_id
        self.scans = scans
        self.tiles = ft.Row(wrap=True, spacing=8, run_spacing=8)
        add = w.secondary_button(
            ctx, ctx.t("ui.files.add_scan" if scans else "ui.files.add"), self.pick,
            icon=ft.Icons.DOCUMENT_SCANNER if scans else ft.Icons.ADD_A_PHOTO,
        )
        heading = ctx.t("ui.files.scans" if scans else "ui.files.heading")
        self.control = ft.Column([w.heading(heading, size=18), self.tiles, add], spacing=8)

    async def load(self) -> None:
        ctx = self.ctx
        found = await ctx.call(attachment_service.attachments_of, ctx.store, self.owner_type, self.owner_id)
        tiles: list[ft.Control] = []
        for attachment in found:
            picture = await ctx.call(attachment_service.thumbnail, ctx.store, attachment)
            tiles.append(self._tile(attachment, picture))
        self.tiles.controls = tiles or [w.muted(ctx.t("ui.files.none"))]

    def _tile(self, attachment: Attachment, picture: attachment_service.Picture) -> ft.Control:
        ctx = self.ctx
        if picture.data is not None:
            content: ft.Control = ft.Image(
                src=picture.data, width=TILE, height=TILE, fit=ft.BoxFit.COVER,
                semantics_label=attachment.caption or ctx.t("ui.files.heading"),
            )
        else:
            pdf = attachment.mime == FileMime.PDF
            key = "ui.files.pdf" if pdf else "ui.files.photo" if picture.here else "ui.files.waiting"
            icon = ft.Icons.IMAGE if picture.here else ft.Icons.CLOUD_DOWNLOAD
            if pdf:
                icon = ft.Icons.PICTURE_AS_PDF
            label = ctx.t(key)
            content = ft.Column(
                [ft.Icon(icon, color=theme.PRIMARY),
                 ft.Text(label, size=12, text_align=ft.TextAlign.CENTER)],
                alignment=ft.MainAxisAlignment.CENTER,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            )
        remove = w.icon_button(
            ctx, ft.Icons.DELETE_OUTLINE, ctx.t("ui.files.remove"), lambda e, a=attachment.id: self.remove(a)
        )
        frame = ft.Container(content, width=TILE, height=TILE, border_radius=8, bgcolor=theme.SURFACE_LOW)
        return ft.Column(
            [frame, remove],
            spacing=0,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        )

    async def pick(self) -> None:
        """Pick (or take) photos and attach them; one refused file is said, the others attached."""
        ctx = self.ctx
        # Photos: the phone's gallery (its picker offers the camera too); scans: files, PDF included.
        if self.scans:
            picked = await ft.FilePicker().pick_files(
                file_type=ft.FilePickerFileType.CUSTOM,
                allowed_extensions=list(attachment_service.ALLOWED_SUFFIXES),
                allow_multiple=True,
                with_data=True,
            )
        else:
            picked = await ft.FilePicker().pick_files(
                file_type=ft.FilePickerFileType.IMAGE, allow_multiple=True, with_data=True
            )
        added = 0
        for chosen in picked or []:
            data = bytes(chosen.bytes) if chosen.bytes else None
            if data is None and chosen.path:
                with open(chosen.path, "rb") as source:
                    data = source.read()
            if data is None:
                continue
            try:
                await ctx.call(
                    attachment_service.attach_file, ctx.store, self.owner_type, self.owner_id, data,
                    mime=attachment_service.mime_of_name(chosen.name),
                )
                added += 1
            except ValidationFailed as exc:
                ctx.toast(f"{chosen.name}: {error_text(exc.errors[0], ctx.lang)}")
        if added:
            ctx.toast(ctx.tn("ui.files.added", added))
        await self.load()

    async def remove(self, attachment_id: str) -> None:
        await self.ctx.call(attachment_service.remove_attachment, self.ctx.store, attachment_id)
        self.ctx.toast(self.ctx.t("ui.files.removed"))
        await self.load()
