"""Konflikty: the program's conflict log (supervisors and admins), read from the service: for each
field edited on two devices, the value kept and the one that lost, with when and from which device;
and the supervisor's decision on it: keep the current value, restore the lost one, or enter another
(``fieldapp.services.conflicts``: an ordinary edit that syncs). Settled ones say so."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.i18n.format import format_date
from fieldapp.services import conflicts as conflict_service
from fieldapp.services import reviews as review_service
from fieldapp.ui import widgets as w
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.review import hlc_time, shown_value
from fieldapp.ui.screen import Screen
from fieldapp.ui.sync_screen import sync_error_message


@screen("/more/conflicts", menu=MenuEntry("/more", "ui.conflicts.title", ft.Icons.MERGE_TYPE, order=6))
class ConflictsScreen(Screen):
    """The conflict log with a decision per conflict (supervisors only)."""

    title_key = "ui.conflicts.title"
    scrolls = False

    def build(self) -> ft.Control:
        self.intro = w.muted(self.t("ui.conflicts.intro"))
        self.list = ft.ListView(spacing=4, expand=True)
        return ft.Column([self.intro, self.list], spacing=8, expand=True)

    async def load(self) -> None:
        ctx = self.ctx
        engine = ctx.services.sync_engine()
        if engine is None or not await ctx.call(review_service.can_review, ctx.store):
            self.list.controls = [w.empty(self.t("ui.conflicts.supervisors_only"))]
            return
        from fieldapp.sync import SyncError

        try:
            answer = await ctx.call(engine.conflicts)
        except SyncError as exc:
            self.list.controls = [w.notice(sync_error_message(ctx, exc.code), icon=ft.Icons.ERROR_OUTLINE)]
            return
        rows = []
        for conflict in reversed(answer.conflicts):
            settled = await ctx.call(conflict_service.is_resolved, ctx.store, conflict)
            rows.append(self._row(conflict, settled))
        self.list.controls = rows or [w.empty(self.t("ui.conflicts.none"))]

    def _row(self, conflict: Any, settled: bool) -> ft.Control:
        t, lang = self.t, self.ctx.lang
        kept, lost = hlc_time(conflict.winner_hlc), hlc_time(conflict.loser_hlc)
        parts: list[ft.Control] = [
            w.body(f"{conflict.record_type} · {conflict.field}", weight=ft.FontWeight.W_600),
            w.labelled(
                t("ui.conflicts.kept", when=format_date(kept, lang)), shown_value(conflict.winner_value)
            ),
            w.labelled(
                t(
                    "ui.conflicts.lost",
                    when=format_date(lost, lang),
                    device=(conflict.loser_device or "?")[:8],
                ),
                shown_value(conflict.loser_value),
            ),
        ]
        if settled:
            parts.append(w.muted(t("ui.conflicts.resolved")))
        else:
            parts.append(self._decision(conflict))
        return w.card(*parts)

    def _decision(self, conflict: Any) -> ft.Control:
        """Keep theirs, keep mine, or a value of one's own (a field and its save button)."""
        ctx, t = self.ctx, self.t
        current = conflict.winner_value if isinstance(conflict.winner_value, str) else ""
        entry = w.text_field(t("ui.conflicts.new_value"), value=current)
        save = w.secondary_button(ctx, t("ui.conflicts.save_value"), None)
        editing = ft.Column([entry, save], spacing=6, visible=False)

        def choose(choice: str) -> Any:
            async def decide() -> None:
                value = entry.value if choice == conflict_service.EDIT else None
                await ctx.call(conflict_service.resolve_conflict, ctx.store, conflict, choice, value)
                ctx.services.request_sync()
                ctx.toast(t("ui.conflicts.saved"))
                await self.load()

            return decide

        async def edit() -> None:
            editing.visible = True

        save.on_click = ctx.handler(choose(conflict_service.EDIT), exclusive=True)
        buttons = ft.Row(
            [
                w.secondary_button(ctx, t("ui.conflicts.keep_theirs"), choose(conflict_service.KEEP_THEIRS)),
                w.secondary_button(ctx, t("ui.conflicts.keep_mine"), choose(conflict_service.KEEP_MINE)),
                w.secondary_button(ctx, t("ui.conflicts.edit"), edit),
            ],
            wrap=True,
            spacing=8,
            run_spacing=8,
        )
        return ft.Column([buttons, editing], spacing=8)
