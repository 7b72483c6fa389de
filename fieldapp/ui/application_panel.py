"""The micro-grant application on an action's screen: the letter of intent, submission and
withdrawal for everyone; taking it into evaluation and deciding it for coordinators only (the
services and the sync service refuse others)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.i18n.format import CURRENCY, format_date, format_money_figure
from fieldapp.model import NeighbourhoodAction
from fieldapp.model.enums import APPLICATION_TRANSITIONS, ApplicationStatus
from fieldapp.services import applications
from fieldapp.services.roles import is_supervisor
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext
from fieldapp.ui.forms import Form

#: Badge colours of the application's stages (white text ≥ 4.5:1).
STAGE_COLORS = {
    "none": "#455A64",
    "draft": "#455A64",
    "submitted": "#0B4A8F",
    "under_evaluation": "#7A4100",
    "accepted": "#1B5E20",
    "rejected": "#A50E0E",
    "withdrawn": "#5D4037",
    "realised": "#1B5E20",
    "reported": "#004D40",
}


class ApplicationPanel:
    """``on_saved(action)`` runs after every change the panel writes."""

    def __init__(self, ctx: UiContext, on_saved: Callable[[NeighbourhoodAction], Awaitable[Any]]) -> None:
        self.ctx = ctx
        self.on_saved = on_saved
        self.action: NeighbourhoodAction | None = None
        t = ctx.t
        f = self.form = Form(ctx)
        self.stage = ft.Row(spacing=8)
        self.loi = f.add("loi_signed", ft.Checkbox(label=t("ui.program.loi_signed"), value=False))
        self.loi_on = f.add(
            "loi_signed_on", w.text_field(t("ui.program.loi_signed_on"), hint=t("ui.common.date_hint"))
        )
        self.submitted_on = f.add(
            "submitted_on", w.text_field(t("ui.program.submitted_on"), hint=t("ui.common.date_hint"))
        )
        self.applicant_moves = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.notes = f.add("evaluation_notes", w.text_field(t("ui.program.evaluation_notes"), multiline=True))
        self.score = f.add(
            "evaluation_score",
            w.text_field(t("ui.program.score"), keyboard=ft.KeyboardType.NUMBER, width=160),
        )
        self.granted = f.add(
            "grant_granted_gr",
            w.text_field(t("ui.program.granted"), keyboard=ft.KeyboardType.NUMBER, suffix=CURRENCY[ctx.lang]),
        )
        self.reason = f.add("decision_reason", w.text_field(t("ui.program.reason"), multiline=True))
        self.decision_moves = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.evaluation = ft.Column(
            [
                w.body(t("ui.program.evaluation"), size=16),
                self.notes,
                self.score,
                self.granted,
                self.reason,
                self.decision_moves,
            ],
            spacing=8,
            visible=False,
        )
        self.decided = ft.Column(spacing=4)
        self.control = ft.Column(
            [
                w.heading(t("ui.program.application"), size=18),
                self.stage,
                f.banner,
                self.loi,
                self.loi_on,
                self.submitted_on,
                self.applicant_moves,
                self.decided,
                self.evaluation,
            ],
            spacing=8,
        )

    async def show(self, action: NeighbourhoodAction) -> None:
        ctx, t = self.ctx, self.ctx.t
        self.action = action
        coordinator = await ctx.call(is_supervisor, ctx.store)
        stage = applications.application_stage(action)
        self.stage.controls = [
            w.badge(t(f"application.status.{stage}"), STAGE_COLORS.get(stage, theme.MUTED))
        ]
        state = action.application_status
        self.loi.value = action.loi_signed
        self.loi_on.value = format_date(action.loi_signed_on, ctx.lang)
        self.submitted_on.value = format_date(action.submitted_on, ctx.lang)
        editable = state in (ApplicationStatus.NONE, ApplicationStatus.DRAFT)
        for control in (self.loi, self.loi_on, self.submitted_on):
            control.disabled = not editable
        moves = APPLICATION_TRANSITIONS.get(state, ())
        buttons: list[ft.Control] = []
        if ApplicationStatus.SUBMITTED in moves:
            buttons.append(w.primary_button(ctx, t("ui.program.submit"), self.submit, icon=ft.Icons.SEND))
        if ApplicationStatus.WITHDRAWN in moves and action.status not in ("done", "reported"):
            buttons.append(
                w.secondary_button(
                    ctx, t("ui.program.withdraw"), self.withdraw, icon=ft.Icons.UNDO, color=theme.DANGER
                )
            )
        self.applicant_moves.controls = buttons
        self.decided.controls = []
        if state in (ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED):
            lines = [t("ui.program.decided_on", day=format_date(action.decided_on, ctx.lang))]
            if action.evaluation_score is not None:
                lines.append(t("ui.program.score_is", score=action.evaluation_score))
            if action.decision_reason:
                lines.append(t("ui.program.reason_is", reason=action.decision_reason))
            if action.evaluation_notes:
                lines.append(action.evaluation_notes)
            self.decided.controls = [w.muted(line) for line in lines]
        deciding = coordinator and state in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_EVALUATION)
        self.evaluation.visible = deciding
        if deciding:
            self.notes.value = action.evaluation_notes
            self.score.value = "" if action.evaluation_score is None else str(action.evaluation_score)
            self.granted.value = format_money_figure(
                action.grant_granted_gr or action.grant_requested_gr, ctx.lang
            )
            self.reason.value = action.decision_reason
            decisions: list[ft.Control] = []
            if state == ApplicationStatus.SUBMITTED:
                decisions.append(
                    w.secondary_button(ctx, t("ui.program.start_evaluation"), self.start_evaluation)
                )
            decisions += [
                w.primary_button(
                    ctx, t("ui.program.accept"), lambda: self.decide("accepted"), bgcolor="#1B5E20"
                ),
                w.primary_button(
                    ctx, t("ui.program.reject"), lambda: self.decide("rejected"), bgcolor=theme.DANGER
                ),
            ]
            self.decision_moves.controls = decisions

    async def _done(self, saved: NeighbourhoodAction | None, message_key: str) -> None:
        if saved is None:
            return
        await self.on_saved(saved)
        self.ctx.toast(self.ctx.t(message_key))

    async def submit(self) -> None:
        if self.action is None:
            return
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        data: dict[str, Any] = {
            "loi_signed": bool(self.loi.value),
            "loi_signed_on": f.date("loi_signed_on", errors),
            "submitted_on": f.date("submitted_on", errors),
        }
        if errors:
            f.show_errors(errors)
            return
        data = {k: v for k, v in data.items() if v is not None}
        saved = await f.submit(applications.submit_application, self.ctx.store, self.action.id, data)
        await self._done(saved, "ui.program.submitted")

    async def withdraw(self) -> None:
        if self.action is not None:
            saved = await self.form.submit(applications.withdraw_application, self.ctx.store, self.action.id)
            await self._done(saved, "ui.program.withdrawn")

    async def start_evaluation(self) -> None:
        if self.action is not None:
            saved = await self.form.submit(applications.start_evaluation, self.ctx.store, self.action.id)
            await self._done(saved, "ui.program.evaluating")

    async def decide(self, decision: str) -> None:
        if self.action is None:
            return
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        data: dict[str, Any] = {
            "evaluation_notes": f.text("evaluation_notes"),
            "evaluation_score": f.integer("evaluation_score", errors, default=None),
            "decision_reason": f.text("decision_reason"),
        }
        if decision == ApplicationStatus.ACCEPTED:
            data["grant_granted_gr"] = f.money_gr("grant_granted_gr", errors)
        if errors:
            f.show_errors(errors)
            return
        saved = await f.submit(
            applications.decide_application, self.ctx.store, self.action.id, decision, data
        )
        await self._done(saved, f"ui.program.decided.{decision}")
