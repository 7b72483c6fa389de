"""Przegląd wpisów: supervisors approve or return field logs; animators see and correct what came back.

A supervisor's device (role from enrollment) shows the team's queue with a state filter and, on an
entry, "Zatwierdź" / "Zwróć do poprawy" with a comment. Any other device shows its user's entries
returned for correction; a returned visit is corrected right here (the review becomes "corrected"),
a diagnosis or action opens its own screen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import flet as ft

from fieldapp.i18n.format import address_of, format_date
from fieldapp.model import Diagnosis, NeighbourhoodAction, Visit
from fieldapp.model.enums import VisitOutcome
from fieldapp.services import reviews as review_service
from fieldapp.services import visits as visit_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen
from fieldapp.ui.sync_screen import sync_error_message
from sync.hlc import decode

#: The state filter's choices on a supervisor's device; "todo" = new and corrected entries.
FILTERS: dict[str, list[str] | None] = {
    "todo": ["new", "corrected"],
    "returned": ["returned"],
    "approved": ["approved"],
    "all": None,
}
STATE_COLORS = {
    "new": theme.PRIMARY,
    "returned": theme.DANGER,
    "corrected": "#8A4B00",
    "approved": "#1B5E20",
}


def state_badge(ctx: Any, state: str) -> ft.Control:
    return w.badge(ctx.t(f"ui.review.state.{state}"), STATE_COLORS.get(state, theme.MUTED))


def entry_title(ctx: Any, row: review_service.QueueRow) -> str:
    label = ctx.t(f"visit.outcome.{row.label}") if row.target_type == "visit" else row.label
    return f"{ctx.t(f'review.kind.{row.target_type}')}: {label}"


@screen("/more/review", menu=MenuEntry("/more", "ui.review.title", ft.Icons.FACT_CHECK, order=5))
class ReviewQueueScreen(Screen):
    title_key = "ui.review.title"
    scrolls = False

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.reviewer = False
        self.intro = w.muted("")
        self.filter = w.ChoiceField(
            ctx,
            self.t("ui.review.filter"),
            [(key, self.t(f"ui.review.filter.{key}")) for key in FILTERS],
            value="todo",
            on_change=self._filter_changed,
        )
        self.filter.control.visible = False
        self.list = ft.ListView(spacing=0, expand=True)
        return ft.Column([self.intro, self.filter.control, self.list], spacing=8, expand=True)

    async def load(self) -> None:
        ctx = self.ctx
        self.reviewer = await ctx.call(review_service.can_review, ctx.store)
        self.filter.control.visible = self.reviewer
        if self.reviewer:
            self.intro.value = self.t("ui.review.intro_supervisor")
            states = FILTERS[self.filter.value or "todo"]
            rows = await ctx.call(review_service.review_queue, ctx.store, states=states)
        else:
            self.intro.value = self.t("ui.review.intro_animator")
            rows = await ctx.call(
                review_service.review_queue, ctx.store, animator_id=ctx.store.user_id, states=["returned"]
            )
        empty_key = "ui.review.empty_supervisor" if self.reviewer else "ui.review.empty_animator"
        self.list.controls = [self._row(row) for row in rows] or [w.empty(self.t(empty_key))]

    async def _filter_changed(self, _field: w.ChoiceField) -> None:
        await self.load()

    def _row(self, row: review_service.QueueRow) -> ft.Control:
        ctx = self.ctx
        when = format_date(row.at, ctx.lang)
        subtitle = " · ".join(p for p in (when, row.comment) if p)
        return w.row_tile(
            ctx,
            entry_title(ctx, row),
            subtitle,
            on_click=lambda e, r=row: ctx.go(f"/more/review/{r.target_type}/{r.target_id}"),
            trailing=state_badge(ctx, row.state),
        )


@screen("/more/review/:kind/:target_id")
class ReviewEntryScreen(Screen):
    title_key = "ui.review.entry"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.form = Form(ctx)
        self.details = ft.Column(spacing=8)
        self.state_line = ft.Row(spacing=8)
        self.comment_line = w.body("")
        self.comment = self.form.add("comment", w.text_field(self.t("ui.review.comment"), multiline=True))
        self.decide = ft.Column(
            [
                self.comment,
                w.primary_button(
                    ctx, self.t("ui.review.approve"), self.approve, icon=ft.Icons.CHECK, height=56
                ),
                w.secondary_button(ctx, self.t("ui.review.return"), self.send_back, icon=ft.Icons.UNDO),
            ],
            spacing=10,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            visible=False,
        )
        self.outcome = self.form.add(
            "outcome",
            w.ChoiceField(
                ctx,
                self.t("ui.review.outcome"),
                w.vocabulary_options(ctx, "visit.outcome", VisitOutcome),
            ),
        )
        self.notes = self.form.add("notes", w.text_field(self.t("ui.doors.notes"), multiline=True))
        self.next_step = self.form.add("next_step", w.text_field(self.t("ui.doors.next_step")))
        self.correct = ft.Column(
            [
                w.heading(self.t("ui.review.correct"), size=18),
                self.outcome.control,
                self.notes,
                self.next_step,
                w.primary_button(
                    ctx,
                    self.t("ui.review.save_correction"),
                    self.save_correction,
                    icon=ft.Icons.SAVE,
                    height=56,
                ),
            ],
            spacing=10,
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            visible=False,
        )
        self.open_entry = w.secondary_button(
            ctx, self.t("ui.review.open_entry"), self._open_entry, icon=ft.Icons.EDIT
        )
        self.open_entry.visible = False
        return ft.Column(
            [
                self.details,
                self.state_line,
                self.comment_line,
                self.form.banner,
                self.decide,
                self.correct,
                self.open_entry,
            ],
            spacing=12,
        )

    @property
    def kind(self) -> str:
        return self.params["kind"]

    @property
    def target_id(self) -> str:
        return self.params["target_id"]

    async def load(self) -> None:
        ctx = self.ctx
        model = {"visit": Visit, "diagnosis": Diagnosis, "action": NeighbourhoodAction}.get(self.kind)
        target = await ctx.call(ctx.store.get, model, self.target_id) if model else None
        if target is None or target.deleted:
            self.details.controls = [w.empty(self.t("ui.error.not_found"))]
            return
        review = await ctx.call(review_service.review_of, ctx.store, self.kind, self.target_id)
        state = review.state if review else "new"
        reviewer = await ctx.call(review_service.can_review, ctx.store)
        self.details.controls = self._describe(target)
        self.state_line.controls = [w.muted(self.t("ui.review.state")), state_badge(ctx, state)]
        comment = review.comment if review else ""
        self.comment_line.value = self.t("review.returned_with", comment=comment) if comment else ""
        self.decide.visible = reviewer
        returned = state == "returned" and not reviewer
        self.correct.visible = returned and self.kind == "visit"
        self.open_entry.visible = returned and self.kind != "visit"
        if self.correct.visible and isinstance(target, Visit):
            self.outcome.set_value(target.outcome)
            self.notes.value = target.notes
            self.next_step.value = target.next_step

    def _describe(self, target: Any) -> list[ft.Control]:
        t, lang = self.t, self.ctx.lang
        if isinstance(target, Visit):
            return [
                w.heading(f"{t('review.kind.visit')}: {t(f'visit.outcome.{target.outcome}')}", size=20),
                w.labelled(t("ui.review.place"), address_of(target)),
                w.labelled(t("ui.review.when"), format_date(target.visited_at, lang)),
                w.labelled(t("ui.doors.notes"), target.notes),
                w.labelled(t("ui.doors.next_step"), target.next_step),
            ]
        if isinstance(target, Diagnosis):
            return [
                w.heading(f"{t('review.kind.diagnosis')}: {target.title}", size=20),
                w.labelled(t("ui.review.when"), format_date(target.period_start, lang)),
                w.labelled(t("ui.review.people_reached"), str(target.people_reached)),
                w.labelled(t("ui.review.summary"), target.summary),
            ]
        return [
            w.heading(f"{t('review.kind.action')}: {target.title}", size=20),
            w.labelled(t("ui.review.status"), t(f"action.status.{target.status}")),
            w.labelled(t("ui.review.participants"), str(target.participants)),
            w.labelled(t("ui.review.summary"), target.report),
        ]

    async def _decided(self, fn: Any, *args: Any, message_key: str) -> None:
        self.form.clear_errors()
        if await self.form.submit(fn, self.ctx.store, self.kind, self.target_id, *args) is None:
            return
        self.comment.value = ""
        await self.load()
        self.ctx.toast(self.t(message_key))

    async def approve(self) -> None:
        await self._decided(
            review_service.approve, self.form.text("comment"), message_key="ui.review.approved"
        )

    async def send_back(self) -> None:
        await self._decided(
            review_service.return_entry, self.form.text("comment"), message_key="ui.review.returned"
        )

    async def save_correction(self) -> None:
        self.form.clear_errors()
        changes = {
            "outcome": self.outcome.value,
            "notes": self.form.text("notes"),
            "next_step": self.form.text("next_step"),
        }
        saved = await self.form.submit(
            visit_service.correct_visit, self.ctx.store, self.target_id, changes
        )
        if saved is None:
            return
        self.ctx.services.request_sync()
        await self.load()
        self.ctx.toast(self.t("ui.review.corrected"))

    def _open_entry(self) -> None:
        route = "diagnoses" if self.kind == "diagnosis" else "actions"
        self.ctx.go(f"/zone/{route}/{self.target_id}")


def hlc_time(value: str) -> datetime | None:
    """When an HLC was stamped (its wall-clock part), for people reading the conflict log."""
    try:
        return datetime.fromtimestamp(decode(value).wall_ms / 1000, UTC)
    except (ValueError, IndexError):
        return None


def shown_value(value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@screen("/more/conflicts", menu=MenuEntry("/more", "ui.conflicts.title", ft.Icons.MERGE_TYPE, order=6))
class ConflictsScreen(Screen):
    """The program's conflict log: for each field edited on two devices, the value kept and the one
    that lost, with when and from which device (read from the service; supervisors only)."""

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
        rows = [self._row(c) for c in reversed(answer.conflicts)]
        self.list.controls = rows or [w.empty(self.t("ui.conflicts.none"))]

    def _row(self, conflict: Any) -> ft.Control:
        t, lang = self.t, self.ctx.lang
        kept, lost = hlc_time(conflict.winner_hlc), hlc_time(conflict.loser_hlc)
        return w.card(
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
        )
