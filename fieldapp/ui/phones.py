"""Telefony: every phone of the program as the service sees it (supervisors and admins): last push
and pull, changes waiting and for how long, app version, whether its data matches the service's,
its clock, erasures it has pulled, a lost phone's wipe; an alert on phones whose queue stalls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import flet as ft

from fieldapp.i18n.format import format_date
from fieldapp.services import reviews as review_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen
from fieldapp.ui.sync_screen import clock_amount, sync_error_message

#: A phone clock off by more than this is named (the phone warns its user from then on too).
CLOCK_NOTICE_MS = 5 * 60 * 1000


def _when(ctx: Any, value: str | None) -> str:
    return format_date(datetime.fromisoformat(value), ctx.lang) if value else ctx.t("ui.phones.never")


def phone_texts(ctx: Any, phone: dict[str, Any]) -> tuple[str, list[str]]:
    """(title, lines) of one phone."""
    role_key = f"role.{phone['role']}"
    role = ctx.t(role_key)
    title = f"{phone['user']} · {phone['role'] if role == role_key else role}"
    lines = []
    if phone["stalled"]:
        lines.append(ctx.t("ui.phones.stalled", hours=(phone["oldest_pending_age_s"] or 0) // 3600))
    if phone["revoked_at"]:
        lines.append(ctx.t("ui.phones.wiped" if phone["wipe_confirmed_at"] else "ui.phones.revoked"))
    lines.append(
        ctx.t(
            "ui.phones.sync",
            push=_when(ctx, phone["last_push_at"]),
            pull=_when(ctx, phone["last_pull_at"]),
        )
    )
    lines.append(ctx.t("ui.phones.pending", count=phone["pending"] or 0))
    state = phone["checksum_state"] or "none"
    lines.append(ctx.t(f"ui.phones.checksum.{state}") if state in _STATES else state)
    lines.append(ctx.t("ui.phones.app", version=phone["app_version"] or "?"))
    offset = phone["clock_offset_ms"]
    if offset is not None and abs(offset) > CLOCK_NOTICE_MS:  # as the phone itself warns
        lines.append(ctx.t("ui.phones.clock", amount=clock_amount(ctx, offset)))
    lines.append(
        ctx.t("ui.phones.erasures", done=phone["erasures_acknowledged"], waiting=phone["erasures_pending"])
    )
    return title, lines


_STATES = frozenset({"ok", "repaired", "mismatch", "unverified", "none"})


@screen("/more/phones", menu=MenuEntry("/more", "ui.phones.title", ft.Icons.PHONE_ANDROID, order=8))
class PhonesScreen(Screen):
    title_key = "ui.phones.title"
    scrolls = False

    def build(self) -> ft.Control:
        self.alert = ft.Text("", color=theme.DANGER, size=16, weight=ft.FontWeight.W_600, visible=False)
        self.list = ft.ListView(spacing=6, expand=True)
        return ft.Column([w.muted(self.t("ui.phones.intro")), self.alert, self.list], spacing=8, expand=True)

    async def load(self) -> None:
        ctx = self.ctx
        self.list.controls = []
        self.alert.visible = False
        engine = ctx.services.sync_engine()
        if engine is None or not await ctx.call(review_service.can_review, ctx.store):
            self.list.controls = [w.empty(self.t("ui.phones.supervisors_only"))]
            return
        from fieldapp.sync import SyncError

        try:
            listed = await ctx.call(engine.phones)
        except SyncError as exc:
            self.list.controls = [w.notice(sync_error_message(ctx, exc.code), icon=ft.Icons.ERROR_OUTLINE)]
            return
        stalled = sum(1 for phone in listed if phone["stalled"])
        if stalled:
            self.alert.value = ctx.t("ui.phones.alert", count=stalled)
            self.alert.visible = True
        for phone in sorted(listed, key=lambda p: (not p["stalled"], p["user"])):
            title, lines = phone_texts(ctx, phone)
            self.list.controls.append(w.row_tile(ctx, title, "\n".join(lines)))
        if not self.list.controls:
            self.list.controls = [w.empty(self.t("ui.phones.none"))]
