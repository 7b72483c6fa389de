"""The coordinator's breach register (RODO art. 33(5)): every personal data breach, newest first,
with its kind, device, when it was noticed, who reported it, whether the phone was revoked, and the
72 hours to notify the PUODO (art. 33(1)) — hours left, overdue, or when it was notified. A lost
phone is reported from Telefony; any other breach is registered here."""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from typing import Any

import flet as ft

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.i18n.format import format_date
from fieldapp.model import utcnow
from fieldapp.services import reviews as review_service
from fieldapp.services.rodo.breaches import BreachView, list_breaches, mark_notified, register_breach
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen

ROUTE = "/more/breaches"
#: Fewer hours left than this: the deadline is shown as nearly due.
SOON_HOURS = 24


def noticed_at_of(text: str, today: date | None = None) -> datetime:
    """When a breach typed as a date was noticed: now for today, the start of an earlier day (the
    72 hours then run from the earliest moment it may have been known). Raises ValidationFailed."""
    try:
        day = w.parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise ValidationFailed([FieldError("noticed_at", "invalid_date")])
    today = today or date.today()
    if day > today:
        raise ValidationFailed([FieldError("noticed_at", "date_in_future", {"value": text.strip()})])
    if day == today:
        return utcnow()
    return datetime.combine(day, time.min).astimezone()


@screen(ROUTE, menu=MenuEntry("/more", "ui.breaches.title", ft.Icons.REPORT_GMAILERRORRED, order=8))
class BreachRegisterScreen(Screen):
    title_key = "ui.breaches.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.list = ft.Column(spacing=8)
        self.description = w.text_field(self.t("ui.breaches.description"), multiline=True)
        self.noticed = w.text_field(
            self.t("ui.breaches.noticed_on"), value=date.today().isoformat(), hint="2026-05-14"
        )
        self.error = ft.Text("", color=theme.DANGER, size=15, visible=False)
        self.form = ft.Column(
            [
                ft.Divider(),
                w.heading(self.t("ui.breaches.other_title")),
                w.muted(self.t("ui.breaches.other_help")),
                self.description,
                self.noticed,
                self.error,
                w.primary_button(ctx, self.t("ui.breaches.register"), self._register, icon=ft.Icons.ADD),
            ],
            spacing=8,
            visible=False,
        )
        return ft.Column([w.muted(self.t("ui.breaches.intro")), self.list, self.form], spacing=10)

    async def load(self) -> None:
        ctx = self.ctx
        if not await ctx.call(review_service.can_review, ctx.store):
            self.list.controls = [w.empty(self.t("ui.breaches.supervisors_only"))]
            self.form.visible = False
            return
        self.form.visible = True
        found = await ctx.call(list_breaches, ctx.store)
        names = await self._names() if found else {}
        self.list.controls = [self._card(view, names) for view in found] or [
            w.empty(self.t("ui.breaches.none"))
        ]

    async def _names(self) -> dict[str, str]:
        """The service's names of devices and users, to show instead of ids (ids when offline)."""
        engine = self.ctx.services.sync_engine()
        if engine is None:
            return {}
        from fieldapp.sync import SyncError

        try:
            phones: list[dict[str, Any]] = await self.ctx.call(engine.phones)
        except SyncError:
            return {}
        names: dict[str, str] = {}
        for phone in phones:
            names[phone["id"]] = f"{phone['user']} · {phone['name']}" if phone.get("name") else phone["user"]
            names[phone["user_id"]] = phone["user"]
        return names

    def _card(self, view: BreachView, names: dict[str, str]) -> ft.Control:
        ctx, breach = self.ctx, view.breach
        deadline = format_date(view.notify_by, ctx.lang)
        if breach.authority_notified_at is not None:
            when = format_date(breach.authority_notified_at, ctx.lang)
            state, colour = self.t("ui.breaches.notified_on", when=when), theme.OK
        elif breach.closed_at is not None:
            state, colour = (
                self.t("ui.breaches.closed_on", when=format_date(breach.closed_at, ctx.lang)),
                theme.OK,
            )
        elif view.hours_left is not None and view.hours_left < 0:
            state, colour = self.t("ui.breaches.overdue", deadline=deadline), theme.DANGER
        else:
            hours = int(view.hours_left or 0)
            state = (
                self.t("ui.breaches.deadline", deadline=deadline)
                + " · "
                + ctx.tn("ui.breaches.hours_left", hours)
            )
            colour = theme.DANGER if hours < SOON_HOURS else theme.INK
        lines: list[ft.Control] = [
            w.heading(self.t(f"ui.breaches.kind.{breach.kind}"), size=17),
            w.muted(self.t("ui.breaches.noticed", when=format_date(breach.noticed_at, ctx.lang))),
        ]
        if breach.device_ref:
            lines.append(
                w.muted(self.t("ui.breaches.device", device=names.get(breach.device_ref, breach.device_ref)))
            )
        if breach.reported_by:
            lines.append(
                w.muted(
                    self.t("ui.breaches.reported_by", who=names.get(breach.reported_by, breach.reported_by))
                )
            )
        if breach.description:
            lines.append(w.body(breach.description))
        if breach.kind == "lost_device":
            if breach.revoked_at is not None:
                lines.append(
                    w.body(
                        self.t("ui.breaches.revoked", when=format_date(breach.revoked_at, ctx.lang)),
                        color=theme.OK,
                    )
                )
            else:
                lines.append(w.body(self.t("ui.breaches.not_revoked"), color=theme.DANGER))
        lines.append(w.body(state, color=colour, weight=ft.FontWeight.W_600))
        if view.hours_left is not None:
            lines.append(
                ft.Row(
                    [
                        w.secondary_button(
                            ctx,
                            self.t("ui.breaches.mark_notified"),
                            functools.partial(self._notified, breach.id),
                        )
                    ],
                    wrap=True,
                )
            )
        return w.card(*lines)

    def _show_errors(self, failed: ValidationFailed) -> None:
        self.error.value = "\n".join(error_text(e, self.ctx.lang) for e in failed.errors)
        self.error.visible = True

    async def _notified(self, breach_id: str) -> None:
        try:
            await self.ctx.call(mark_notified, self.ctx.store, breach_id)
        except ValidationFailed as failed:
            self.ctx.toast("\n".join(error_text(e, self.ctx.lang) for e in failed.errors))
            return
        self.ctx.services.request_sync()
        self.ctx.toast(self.t("ui.breaches.marked"))
        await self.load()
        self.update()

    async def _register(self) -> None:
        ctx = self.ctx
        description = (self.description.value or "").strip()
        try:
            if not description:
                raise ValidationFailed([FieldError("description", "required")])
            noticed = noticed_at_of(self.noticed.value or "")
            await ctx.call(
                register_breach,
                ctx.store,
                {"kind": "other", "description": description, "noticed_at": noticed},
            )
        except ValidationFailed as failed:
            self._show_errors(failed)
            self.update()
            return
        self.error.visible = False
        self.description.value = ""
        ctx.services.request_sync()
        ctx.toast(self.t("ui.breaches.registered"))
        await self.load()
        self.update()
