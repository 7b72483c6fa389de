"""The coordinator's register of data subjects' requests (RODO art. 12(3)): each request with its
kind, person, receipt and due date (one month, extendable by two), soonest due first; the overdue
and nearly due stand out. A request is registered from the person's card."""

from __future__ import annotations

from functools import partial

import flet as ft

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.i18n.format import format_date
from fieldapp.model import Contact
from fieldapp.services import reviews as review_service
from fieldapp.services.rodo.requests import (
    RequestView,
    check_identity,
    complete_request,
    extend_request,
    list_requests,
)
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.contacts import contact_title
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen

#: Fewer days left than this: the request is shown as nearly due.
SOON_DAYS = 7


@screen("/more/rights", menu=MenuEntry("/more", "ui.rights.title", ft.Icons.ASSIGNMENT_IND, order=8))
class RightsRegisterScreen(Screen):
    title_key = "ui.rights.title"

    def build(self) -> ft.Control:
        self.list = ft.Column(spacing=8)
        return ft.Column([w.muted(self.t("ui.rights.intro")), self.list], spacing=10)

    async def load(self) -> None:
        ctx = self.ctx
        if not await ctx.call(review_service.can_review, ctx.store):
            self.list.controls = [w.empty(self.t("ui.rights.supervisors_only"))]
            return
        found = await ctx.call(list_requests, ctx.store)
        self.list.controls = [await self._card(view) for view in found] or [w.empty(self.t("ui.rights.none"))]

    async def _card(self, view: RequestView) -> ft.Control:
        ctx, request = self.ctx, view.request
        person = await ctx.call(ctx.store.get, Contact, request.contact_id) if request.contact_id else None
        who = contact_title(ctx, person) if person is not None else "—"
        due = format_date(request.due_on, ctx.lang)
        if view.days_left is None:
            state, colour = self.t("ui.rights.done", when=format_date(request.done_on, ctx.lang)), theme.OK
        elif view.overdue:
            state, colour = self.t("ui.rights.overdue", due=due), theme.DANGER
        else:
            state = self.t("ui.rights.due", due=due) + " · " + ctx.tn("ui.rights.days_left", view.days_left)
            colour = theme.DANGER if view.days_left < SOON_DAYS else theme.INK
        lines: list[ft.Control] = [
            w.heading(f"{self.t(f'rights.kind.{request.kind}')} — {who}", size=17),
            w.muted(self.t("ui.rights.received", when=format_date(request.received_on, ctx.lang))),
            w.body(state, color=colour, weight=ft.FontWeight.W_600),
        ]
        if request.identity_checked_on:
            lines.append(w.muted(self.t("ui.rights.identity_on", when=format_date(request.identity_checked_on,
                                                                                ctx.lang))))
        if request.extended:
            lines.append(w.muted(self.t("ui.rights.extended")))
        buttons: list[ft.Control] = []
        if request.contact_id:  # a restricted person is on no list: the card opens from here
            buttons.append(w.secondary_button(ctx, self.t("ui.rights.open_person"),
                                              partial(ctx.go, f"/contacts/{request.contact_id}")))
        if request.done_on is None:
            if request.identity_checked_on is None:
                buttons.append(w.secondary_button(ctx, self.t("ui.rights.check_identity"),
                                                  partial(self._act, check_identity, request.id)))
            if not request.extended:
                buttons.append(w.secondary_button(ctx, self.t("ui.rights.extend"),
                                                  partial(self._act, extend_request, request.id)))
            buttons.append(w.secondary_button(ctx, self.t("ui.rights.complete"),
                                              partial(self._act, complete_request, request.id)))
        lines.append(ft.Row(buttons, wrap=True, spacing=6))
        return w.card(*lines)

    async def _act(self, action, request_id: str) -> None:
        try:
            await self.ctx.call(action, self.ctx.store, request_id)
        except ValidationFailed as failed:
            self.ctx.toast("\n".join(error_text(e, self.ctx.lang) for e in failed.errors))
            return
        self.ctx.services.request_sync()
        await self.load()
        self.update()
