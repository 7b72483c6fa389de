"""Telefony: every phone of the program as the service sees it (supervisors and admins): last push
and pull, changes waiting and for how long, app version, whether its data matches the service's,
its clock, erasures it has pulled, a lost phone's wipe; an alert on phones whose queue stalls."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import flet as ft

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.i18n.format import format_date
from fieldapp.services import reviews as review_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.breach_register import ROUTE as BREACH_REGISTER
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
            if not phone["revoked_at"] and phone["client_device_id"] != ctx.store.device_id:
                self.list.controls.append(
                    ft.Container(
                        w.secondary_button(
                            ctx,
                            self.t("ui.breaches.report_lost"),
                            functools.partial(self._confirm_lost, phone["id"], title),
                            icon=ft.Icons.REPORT_GMAILERRORRED,
                        ),
                        padding=ft.Padding.only(left=8, bottom=8),
                    )
                )
        if not self.list.controls:
            self.list.controls = [w.empty(self.t("ui.phones.none"))]

    def _confirm_lost(self, device_id: str, name: str) -> None:
        """Art. 33: a lost or stolen phone is revoked on the service (it wipes itself at its next
        contact) and entered in the breach register, after the coordinator confirms."""
        ctx = self.ctx
        description = w.text_field(self.t("ui.breaches.lost_description"), multiline=True)
        error = ft.Text("", color=theme.DANGER, visible=False)

        async def report() -> None:
            from fieldapp.sync.breach import report_lost_device

            engine = ctx.services.sync_engine()
            if engine is None:
                return
            try:
                breach = await ctx.call(
                    report_lost_device, engine, device_id, description=(description.value or "").strip()
                )
            except ValidationFailed as failed:
                error.value = "\n".join(error_text(e, ctx.lang) for e in failed.errors)
                error.visible = True
                error.update()
                return
            ctx.page.pop_dialog()
            ctx.services.request_sync()
            ctx.toast(self.t("ui.breaches.reported" if breach.revoked_at else "ui.breaches.reported_offline"))
            await self.load()
            self.update()
            ctx.go(BREACH_REGISTER)

        ctx.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(self.t("ui.breaches.report_lost")),
                content=ft.Column(
                    [
                        ft.Text(self.t("ui.breaches.report_lost_text", phone=name), size=16),
                        description,
                        error,
                    ],
                    tight=True,
                ),
                actions=[
                    w.secondary_button(ctx, self.t("ui.common.cancel"), lambda: ctx.page.pop_dialog()),
                    w.primary_button(ctx, self.t("ui.breaches.report_confirm"), report, bgcolor=theme.DANGER),
                ],
            )
        )
