"""Dziennik audytu: who in the program viewed, exported, erased or reviewed what, and what
coordinators did on the server (read from the service; supervisors and admins only).

Entries hold ids only; the screen shows the action, when, the actor's role (or "you") and the
target's kind with a short id. Newest first, an "older entries" button pages back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import flet as ft

from fieldapp.i18n.format import format_date
from fieldapp.services import reviews as review_service
from fieldapp.ui import widgets as w
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen
from fieldapp.ui.sync_screen import sync_error_message

PAGE = 50


def _known(ctx: Any, key: str, fallback: str) -> str:
    text = ctx.t(key)
    return fallback if text == key else text


def entry_texts(ctx: Any, entry: dict[str, Any]) -> tuple[str, str]:
    """(title, details) of one entry of the service's audit log."""
    action = _known(ctx, f"audit.action.{entry['action']}", entry["action"])
    when = format_date(datetime.fromisoformat(entry["at"]), ctx.lang)
    if entry["actor_id"] == ctx.store.user_id:
        who = ctx.t("ui.audit.you")
    else:
        who = f"{_known(ctx, 'role.' + entry['actor_role'], entry['actor_role'])} {entry['actor_id'][:8]}"
    target = _known(ctx, f"ui.audit.target.{entry['target_type']}", entry["target_type"])
    where = ctx.t(f"ui.audit.source.{entry['source']}")
    return action, " · ".join((when, who, f"{target} {entry['target_id'][:8]}", where))


@screen("/more/audit", menu=MenuEntry("/more", "ui.audit.title", ft.Icons.POLICY, order=7))
class AuditLogScreen(Screen):
    title_key = "ui.audit.title"
    scrolls = False

    def build(self) -> ft.Control:
        self.list = ft.ListView(spacing=4, expand=True)
        older = self.t("ui.audit.older")
        self.older = w.secondary_button(self.ctx, older, self._older, icon=ft.Icons.HISTORY)
        self.older.visible = False
        self.cursor: int | None = None
        return ft.Column([w.muted(self.t("ui.audit.intro")), self.list, self.older], spacing=8, expand=True)

    async def load(self) -> None:
        self.cursor = None
        self.list.controls = []
        await self._page()

    async def _older(self) -> None:
        await self._page()
        self.update()

    async def _page(self) -> None:
        ctx = self.ctx
        engine = ctx.services.sync_engine()
        if engine is None or not await ctx.call(review_service.can_review, ctx.store):
            self.list.controls = [w.empty(self.t("ui.audit.supervisors_only"))]
            return
        from fieldapp.sync import SyncError
        from fieldapp.sync.audit import fetch_audit

        try:
            # ``?target=<contact id>``: who looked at one person (from the person's card).
            page = await ctx.call(
                fetch_audit, engine, before=self.cursor, limit=PAGE, target_id=self.query.get("target")
            )
        except SyncError as exc:
            self.list.controls = [w.notice(sync_error_message(ctx, exc.code), icon=ft.Icons.ERROR_OUTLINE)]
            self.older.visible = False
            return
        for entry in page["entries"]:
            title, details = entry_texts(ctx, entry)
            self.list.controls.append(w.row_tile(ctx, title, details))
        if not self.list.controls:
            self.list.controls = [w.empty(self.t("ui.audit.none"))]
        self.cursor = page["cursor"]
        self.older.visible = bool(page["has_more"])
