"""Synchronizacja: enroll the device, see what is waiting, sync now, errors in plain words.

The sync engine (``fieldapp.sync``) is imported lazily through ``AppServices`` so the app runs (and
keeps working offline) in a build without it. Its blocking calls run in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any
from urllib.parse import quote, urlsplit

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.i18n import error_text
from fieldapp.i18n.format import format_date
from fieldapp.services import attachments as attachment_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext
from fieldapp.ui.qr_photo import decode_qr, pick_qr_photo
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen

log = logging.getLogger(__name__)

#: Refused changes listed one by one in the receipt (the rest are counted by reason).
RECEIPT_DETAILS = 20
#: Codes of a server address the user typed: shown beside the address field.
_ADDRESS_CODES = frozenset({"server_invalid", "server_insecure", "server_required"})


def enrollment_text(code_or_qr: str, server_url: str) -> str:
    """What to hand to ``SyncEngine.enroll``: the QR content as is, or a code plus a typed server URL."""
    text = code_or_qr.strip()
    if text.lower().startswith("teren://") or not server_url.strip():
        return text
    return f"teren://enroll?server={quote(server_url.strip(), safe='')}&code={quote(text, safe='')}"


def sync_error_message(ctx: UiContext, code: str | None) -> str:
    """The plain-words message of a sync error code (``sync.error.<code>``), never a trace."""
    if not code:
        return ""
    key = f"sync.error.{code}"
    if code == "app_too_old":  # names the version to install
        return ctx.t(key, min_version=ctx.store.meta("sync.min_app_version") or "?")  # meta.K_MIN_APP
    text = ctx.t(key)
    return ctx.t("ui.sync.error_generic", code=code) if text == key else text


def clock_amount(ctx: UiContext, off_ms: int) -> str:
    """How far the phone's clock is off, in plain units (minutes, hours or days)."""
    minutes = round(abs(off_ms) / 60_000)
    if minutes < 120:
        return ctx.t("ui.sync.clock.minutes", value=minutes)
    if minutes < 48 * 60:
        return ctx.t("ui.sync.clock.hours", value=round(minutes / 60))
    return ctx.t("ui.sync.clock.days", value=round(minutes / (24 * 60)))


def clock_warning(ctx: UiContext, status: Any, *, short: bool = False) -> str:
    """The warning about the phone's clock (``SyncStatus.clock_off_ms``), or "" when it is right."""
    off = getattr(status, "clock_off_ms", None)
    if not off:
        return ""
    amount = clock_amount(ctx, off)
    if short:
        return ctx.t("ui.sync.clock.short_behind" if off > 0 else "ui.sync.clock.short_ahead", amount=amount)
    said = ctx.t("ui.sync.clock.behind" if off > 0 else "ui.sync.clock.ahead", amount=amount)
    return f"{said} {ctx.t('ui.sync.clock.fix')}"


def rejection_lines(ctx: UiContext, rejected: list[Any], name_of: Any = None) -> list[str]:
    """Each refused change in plain words: which record, which field, why (``error.<code>``).
    ``name_of(record_type, id)``: a record's name to show, if the device holds one."""
    lines = []
    for item in rejected[:RECEIPT_DETAILS]:
        record = record_label(ctx, item.record_type, name_of(item.record_type, item.id) if name_of else None)
        problems = getattr(item, "errors", ()) or ()
        if not problems:
            reason = sync_error_message(ctx, item.code)
            lines.append(ctx.t("ui.sync.receipt.problem_record", record=record, reason=reason))
        for problem in problems:
            reason = error_text(FieldError(problem.field, problem.code, dict(problem.params)), ctx.lang)
            field_key = f"ui.sync.field.{problem.field}"
            label = ctx.t(field_key) if problem.field else field_key
            if label == field_key:  # the whole record, or a field without a label: no raw name
                lines.append(ctx.t("ui.sync.receipt.problem_record", record=record, reason=reason))
            else:
                lines.append(ctx.t("ui.sync.receipt.problem", record=record, field=label, reason=reason))
    return lines


def record_label(ctx: UiContext, record_type: str, name: str | None = None) -> str:
    key = f"ui.sync.record.{record_type}"
    kind = ctx.t(key)
    if kind == key:  # a record type this app version does not name
        kind = ctx.t("ui.sync.record.other")
    return ctx.t("ui.sync.record.named", kind=kind, name=name) if name else kind


#: Errors meaning the server could not be reached (no network, no answer in time).
UNREACHABLE = frozenset({"offline", "timeout"})


def connection_key(status: Any) -> str:
    """The catalog key of the connection line: enrolled or not, and whether the last try reached the
    server (an enrolled phone without a network is not "connected")."""
    if not getattr(status, "enrolled", False):
        return "ui.sync.not_enrolled"
    if getattr(status, "last_error_code", None) in UNREACHABLE:
        return "ui.sync.enrolled_offline"
    return "ui.sync.enrolled"


async def sync_status(ctx: UiContext) -> Any:
    engine = ctx.services.sync_engine()
    if engine is None:
        return None
    return await ctx.call(engine.status)


async def sync_summary(ctx: UiContext) -> str:
    """One line for the home and Więcej screens: what is waiting and when the last sync was."""
    pending = await ctx.call(ctx.store.pending_changes)
    try:
        status = await sync_status(ctx)
    except Exception:
        log.exception("sync status failed")
        status = None
    parts = [ctx.t("ui.sync.pending", count=pending)]
    if status is None or not getattr(status, "enrolled", False):
        parts.append(ctx.t("ui.sync.not_enrolled"))
    else:
        last = getattr(status, "last_success_at", None)
        parts.append(
            ctx.t("ui.sync.last", when=format_date(last, ctx.lang)) if last else ctx.t("ui.sync.never")
        )
        if getattr(status, "last_error_code", None):
            parts.append(sync_error_message(ctx, status.last_error_code))
    clock = clock_warning(ctx, status, short=True)
    if clock:
        parts.append(clock)
    return " · ".join(parts)


@screen("/more/sync")
class SyncScreen(Screen):
    title_key = "ui.sync.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.status_box = ft.Column(spacing=8)
        self.error = ft.Text("", color=theme.DANGER, size=16, weight=ft.FontWeight.W_600, visible=False)
        self.progress = ft.ProgressBar(visible=False, color=theme.PRIMARY, bar_height=8)
        self.progress_text = w.muted("")
        self.receipt = ft.Column(spacing=4)
        self.sync_button = w.primary_button(
            ctx, self.t("ui.sync.now"), self.sync_now, icon=ft.Icons.SYNC, height=56
        )
        self.code = w.text_field(self.t("ui.sync.code"), hint=self.t("ui.sync.code_hint"))
        self.server = w.text_field(self.t("ui.sync.server"), hint="https://", keyboard=ft.KeyboardType.URL)
        self.enroll_box = ft.Column(
            [
                w.heading(self.t("ui.sync.enroll")),
                w.muted(self.t("ui.sync.enroll_help")),
                self.code,
                w.secondary_button(ctx, self.t("ui.sync.paste"), self.paste, icon=ft.Icons.CONTENT_PASTE),
                w.secondary_button(
                    ctx, self.t("ui.sync.qr_photo"), self.read_photo, icon=ft.Icons.QR_CODE_SCANNER
                ),
                self.server,
                w.primary_button(ctx, self.t("ui.sync.enroll_button"), self.enroll, icon=ft.Icons.LINK),
            ],
            spacing=10,
            visible=False,
        )
        self.unavailable = w.notice(self.t("ui.sync.unavailable"))
        self.unavailable.visible = False
        return ft.Column(
            [
                self.status_box,
                self.error,
                self.unavailable,
                self.sync_button,
                self.progress,
                self.progress_text,
                self.receipt,
                ft.Divider(),
                self.enroll_box,
            ],
            spacing=12,
        )

    async def load(self) -> None:
        code, server = self.query.pop("code", ""), self.query.pop("server", "")
        link = enrollment_text(code, server) if code else ""
        if link and not self.code.value:  # opened by a teren://enroll link (the phone's deep link)
            self.code.value = link
        pending = await self.ctx.call(self.ctx.store.pending_changes)
        status = await sync_status(self.ctx)
        rows: list[ft.Control] = [w.labelled(self.t("ui.sync.pending_label"), str(pending))]
        files = await self.ctx.call(attachment_service.waiting_uploads, self.ctx.store)
        if files:  # photos go on their own lane, after the records
            rows.append(w.muted(self.ctx.tn("sync.files.pending", files)))
        if status is None:
            self.unavailable.visible = True
            self.sync_button.visible = False
            self.enroll_box.visible = False
        else:
            enrolled = bool(getattr(status, "enrolled", False))
            last = getattr(status, "last_success_at", None)
            rows += [
                w.labelled(self.t("ui.sync.state"), self.t(connection_key(status))),
                w.labelled(self.t("ui.sync.server"), getattr(status, "server_url", "") or "—"),
                w.labelled(
                    self.t("ui.sync.last_label"),
                    format_date(last, self.ctx.lang) if last else self.t("ui.sync.never"),
                ),
            ]
            checked = getattr(status, "checksum_state", None)
            if enrolled and checked:
                proof = self.t(f"ui.phones.checksum.{checked}")
                rows.append(w.labelled(self.t("ui.sync.checksum_label"), proof))
            error_code = getattr(status, "last_error_code", None)
            if error_code:
                rows.append(w.notice(sync_error_message(self.ctx, error_code), icon=ft.Icons.ERROR_OUTLINE))
            clock = clock_warning(self.ctx, status)
            if clock:
                rows.append(w.notice(clock, icon=ft.Icons.SCHEDULE))
            self.sync_button.visible = enrolled
            self.enroll_box.visible = not enrolled
            if status.server_url and not self.server.value:
                self.server.value = status.server_url
        self.status_box.controls = rows

    async def paste(self) -> None:
        try:
            text = await ft.Clipboard().get()
        except RuntimeError:  # the platform refused (no permission, nothing readable): say so
            self.code.error = self.t("ui.sync.paste_failed")
            return
        if text:
            self.code.value = text.strip()

    async def read_photo(self) -> None:
        """The enrollment link read from a photo of the coordinator's QR code."""
        picture = await pick_qr_photo()
        if picture is None:
            return
        text = await self.ctx.call(decode_qr, picture)
        if not text or not text.lower().startswith("teren://enroll"):
            self.code.error = self.t("ui.sync.qr_not_found")
            return
        self.code.error = None
        self.code.value = text

    async def enroll(self) -> None:
        engine = self.ctx.services.sync_engine()
        if engine is None:
            return
        self.code.error = None
        text = enrollment_text(self.code.value or "", self.server.value or "")
        if not text:
            self.code.error = self.t("ui.sync.code_required")
            return
        if not text.lower().startswith("teren://") and not (self.server.value or "").strip():
            self.server.error = self.t("ui.sync.server_required")
            return
        self.server.error = None
        status = await self._guarded(engine.enroll, text)
        if not status:
            return
        self.code.value = ""
        host = urlsplit(getattr(status, "server_url", "") or "").netloc
        self.ctx.toast(self.t("ui.sync.connected_to", host=host) if host else self.t("ui.sync.enrolled_ok"))
        self.ctx.services.start_auto_sync()
        await self.load()

    async def sync_now(self) -> None:
        engine = self.ctx.services.sync_engine()
        if engine is None:
            return
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:  # called from the worker thread
            loop.call_soon_threadsafe(self._show_progress, done, total)

        self.sync_button.disabled = True
        self.progress.visible = True
        self.progress.value = None
        self.progress_text.value = self.t("ui.sync.running")
        self.update()
        try:
            receipt = await self._guarded(engine.sync, progress)
        finally:
            self.sync_button.disabled = False
            self.progress.visible = False
            self.progress_text.value = ""
        if receipt:
            self._show_receipt(receipt)
        await self.load()

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.value = (done / total) if total else None
        self.progress_text.value = self.t("ui.sync.progress", done=done, total=total)
        try:
            self.update()
        except Exception:
            log.debug("progress update after the screen closed", exc_info=True)

    def _show_receipt(self, receipt: Any) -> None:
        lines: list[ft.Control] = [w.body(self.t("ui.sync.done"), weight=ft.FontWeight.W_600)]
        for name in ("pushed", "applied", "merged", "rejected", "pulled", "still_pending"):
            value = getattr(receipt, name, None)
            if isinstance(value, list | tuple | set | dict):
                value = len(value)
            if value is not None:
                lines.append(w.body(self.t(f"ui.sync.receipt.{name}", count=value)))
            if name == "rejected":
                lines.extend(self._rejection_reasons(getattr(receipt, "rejected", None) or []))
        self.receipt.controls = lines

    def _rejection_reasons(self, rejected: list[Any]) -> list[ft.Control]:
        """Why changes were refused, in plain words: each record (which field, why), then the
        rest counted by reason, most frequent first."""
        said = rejection_lines(self.ctx, rejected, self._name_of)
        lines: list[ft.Control] = [w.body(line) for line in said]
        reasons = Counter(getattr(item, "code", "") for item in rejected[RECEIPT_DETAILS:])
        key = "ui.sync.receipt.rejected_why"
        return lines + [
            w.body(self.t(key, count=count, reason=sync_error_message(self.ctx, code)))
            for code, count in reasons.most_common()
        ]

    def _name_of(self, record_type: str, record_id: str) -> str | None:
        """A contact's name as this device holds it (other records are named by their kind)."""
        if record_type != "contact":
            return None
        from fieldapp.model import Contact

        contact = self.ctx.store.get(Contact, record_id)
        return contact.name if contact is not None and contact.name else None

    async def _guarded(self, fn: Any, *args: Any) -> Any:
        """Run a blocking sync call; a SyncError becomes its plain-words message on screen."""
        from fieldapp.sync import SyncError

        self.error.visible = False
        try:
            return await self.ctx.call(fn, *args)
        except SyncError as exc:
            code = getattr(exc, "code", "unknown")
            self.error.value = sync_error_message(self.ctx, code)
            self.error.visible = True
            if code in _ADDRESS_CODES:
                self.server.error = self.error.value
            return None
