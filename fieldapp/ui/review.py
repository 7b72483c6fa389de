"""Przegląd wpisów: supervisors approve or return field logs; animators see and correct what came back.

A supervisor's device (role from enrollment) shows the team's queue with a state filter and, on an
entry, "Zatwierdź" / "Zwróć do poprawy" with a comment. Any other device shows its user's entries
returned for correction; a returned visit is corrected right here (the review becomes "corrected"),
a diagnosis or action opens its own screen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

import flet as ft

from fieldapp.i18n.format import address_of, format_date
from fieldapp.model import Diagnosis, NeighbourhoodAction, Visit
from fieldapp.model.enums import VisitOutcome
from fieldapp.services import reviews as review_service
from fieldapp.services import visits as visit_service
from fieldapp.services import zones as zone_service
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen
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


#: The kinds of entries a supervisor reviews, for the kind filter.
KINDS = ("visit", "diagnosis", "action")


def who_text(ctx: Any, animator_id: str | None) -> str:
    """Who logged an entry: "Ty" for this device's user, else the account's short code (devices
    know no teammate's name)."""
    if not animator_id:
        return ctx.t("ui.review.who_unknown")
    if animator_id == ctx.store.user_id:
        return ctx.t("ui.review.who_me")
    return ctx.t("ui.review.who", who=animator_id[:8])


@screen("/more/review", menu=MenuEntry("/more", "ui.review.title", ft.Icons.FACT_CHECK, order=5))
class ReviewQueueScreen(Screen):
    """The queue: each row says what, where, who, in which zone and when; filters by state, kind,
    zone and animator; rows not yet approved can be ticked and approved together."""

    title_key = "ui.review.title"
    scrolls = False

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.reviewer = False
        self.zones: dict[str, str] = {}
        self.rows: list[review_service.QueueRow] = []
        self.ticked: set[tuple[str, str]] = set()
        self.intro = w.muted("")
        self.filter = w.ChoiceField(
            ctx, self.t("ui.review.filter"), [(key, self.t(f"ui.review.filter.{key}")) for key in FILTERS],
            value="todo", on_change=self._filter_changed,
        )
        self.kind = w.ChoiceField(ctx, self.t("ui.review.kind"),
                                  [(k, self.t(f"review.kind.{k}")) for k in KINDS],
                                  allow_empty=self.t("ui.review.any"), on_change=self._filter_changed)
        self.zone = w.ChoiceField(ctx, self.t("ui.review.zone"), [], allow_empty=self.t("ui.review.any"),
                                  on_change=self._filter_changed)
        self.animator = w.ChoiceField(ctx, self.t("ui.review.animator"), [],
                                      allow_empty=self.t("ui.review.any"), on_change=self._filter_changed)
        self.filters = ft.Row([c.control for c in (self.filter, self.kind, self.zone, self.animator)],
                              wrap=True, visible=False)
        self.bulk = w.primary_button(ctx, "", self._approve_ticked, icon=ft.Icons.DONE_ALL)
        self.tick_all = w.secondary_button(ctx, self.t("ui.review.tick_all"), self._tick_all,
                                           icon=ft.Icons.CHECKLIST)
        self.bulk_row = ft.Row([self.tick_all, self.bulk], wrap=True, visible=False)
        self.list = ft.ListView(spacing=0, expand=True)
        return ft.Column([self.intro, self.filters, self.bulk_row, self.list], spacing=8, expand=True)

    async def load(self) -> None:
        ctx = self.ctx
        self.reviewer = await ctx.call(review_service.can_review, ctx.store)
        self.filters.visible = self.reviewer
        zones = await ctx.call(zone_service.list_zones, ctx.store)
        self.zones = {z.id: z.name for z in zones}
        if self.reviewer:
            self.intro.value = self.t("ui.review.intro_supervisor")
            self.zone.set_options(list(self.zones.items()))
            everyone = await ctx.call(review_service.review_queue, ctx.store, limit=1000)
            people = sorted({r.animator_id for r in everyone if r.animator_id})
            self.animator.set_options([(p, who_text(ctx, p)) for p in people])
            rows = await ctx.call(
                review_service.review_queue, ctx.store, states=FILTERS[self.filter.value or "todo"],
                kinds=[self.kind.value] if self.kind.value else None, zone_id=self.zone.value,
                animator_id=self.animator.value,
            )
        else:
            self.intro.value = self.t("ui.review.intro_animator")
            rows = await ctx.call(
                review_service.review_queue, ctx.store, animator_id=ctx.store.user_id, states=["returned"]
            )
        self.rows = rows
        self.ticked &= {(r.target_type, r.target_id) for r in rows if r.state != "approved"}
        self._show()

    def _show(self) -> None:
        empty_key = "ui.review.empty_supervisor" if self.reviewer else "ui.review.empty_animator"
        self.list.controls = [self._row(row) for row in self.rows] or [w.empty(self.t(empty_key))]
        open_rows = [r for r in self.rows if r.state != "approved"]
        self.bulk_row.visible = self.reviewer and bool(open_rows)
        cast(ft.Text, self.bulk.content).value = self.t("ui.review.approve_ticked", count=len(self.ticked))
        self.bulk.disabled = not self.ticked

    async def _filter_changed(self, _field: w.ChoiceField) -> None:
        await self.load()

    def _row(self, row: review_service.QueueRow) -> ft.Control:
        ctx = self.ctx
        parts = [format_date(row.at, ctx.lang), self.zones.get(row.zone_id or "", ""),
                 who_text(ctx, row.animator_id), row.comment]
        title = entry_title(ctx, row) + (f" — {row.place}" if row.place else "")
        key = (row.target_type, row.target_id)
        tick = None
        if self.reviewer and row.state != "approved":
            tick = ft.Checkbox(
                value=key in self.ticked,
                semantics_label=self.t("ui.review.tick", entry=title),
                on_change=ctx.handler(lambda e, k=key: self._tick(k, e)),
            )
        return w.row_tile(
            ctx,
            title,
            " · ".join(p for p in parts if p),
            on_click=lambda e, r=row: ctx.go(f"/more/review/{r.target_type}/{r.target_id}"),
            leading=tick,
            trailing=state_badge(ctx, row.state),
        )

    def _tick(self, key: tuple[str, str], event: Any) -> None:
        if event.control.value:
            self.ticked.add(key)
        else:
            self.ticked.discard(key)
        cast(ft.Text, self.bulk.content).value = self.t("ui.review.approve_ticked", count=len(self.ticked))
        self.bulk.disabled = not self.ticked

    def _tick_all(self) -> None:
        self.ticked = {(r.target_type, r.target_id) for r in self.rows if r.state != "approved"}
        self._show()

    async def _approve_ticked(self) -> None:
        chosen = sorted(self.ticked)
        if not chosen:
            return
        done = await self.ctx.call(review_service.approve_many, self.ctx.store, chosen)
        self.ticked.clear()
        self.ctx.services.request_sync()
        self.ctx.toast(self.ctx.tn("ui.review.approved_many", len(done)))
        await self.load()


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
        self.approve_button = w.primary_button(
            ctx, self.t("ui.review.approve"), self.approve, icon=ft.Icons.CHECK, height=56
        )
        self.decide = ft.Column(
            [
                self.comment,
                self.approve_button,
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
        self.approve_button.visible = state != "approved"  # nothing to approve twice
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
