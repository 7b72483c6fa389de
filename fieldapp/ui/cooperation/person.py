"""A person in the network: their engagement ladder (with the date of each rung), groups, meetings, tasks."""

from __future__ import annotations

import flet as ft

from fieldapp.cooperation import Rung, engagement_ladder
from fieldapp.model import Contact
from fieldapp.services import cooperation as net
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import contact_name, section
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen

RUNG_ICONS = {
    Rung.MET: ft.Icons.DOOR_FRONT_DOOR,
    Rung.MEETING: ft.Icons.GROUPS_2,
    Rung.ACTION: ft.Icons.CELEBRATION,
    Rung.CO_ORGANISED: ft.Icons.CAMPAIGN,
    Rung.LEADS_GROUP: ft.Icons.STAR,
}


def ladder_rows(ctx, ladder) -> list[ft.Control]:
    """The five rungs, highest first, each with the day it was reached (or "not yet")."""
    rows: list[ft.Control] = []
    for step in reversed(ladder.steps):
        reached = step.reached_on is not None
        label = ctx.t(f"network.ladder.rung.{step.rung.code}")
        when = w.format_date(step.reached_on, ctx.lang) if reached else ctx.t("network.ui.not_yet")
        rows.append(
            ft.Semantics(
                label=f"{label}: {when}",
                content=ft.Container(
                    ft.Row(
                        [
                            ft.Icon(RUNG_ICONS[step.rung], color=ft.Colors.WHITE if reached else theme.MUTED),
                            ft.Text(
                                label,
                                size=16,
                                weight=ft.FontWeight.W_600,
                                expand=True,
                                color=ft.Colors.WHITE if reached else theme.INK,
                            ),
                            ft.Text(when, size=15, color=ft.Colors.WHITE if reached else theme.MUTED),
                        ],
                    ),
                    bgcolor=theme.PRIMARY if reached else theme.SURFACE_LOW,
                    border_radius=10,
                    padding=ft.Padding.symmetric(horizontal=12, vertical=10),
                ),
            )
        )
    return rows


@screen("/zone/network/people/:contact_id")
class PersonNetworkScreen(Screen):
    title_key = "network.ui.person"

    def build(self) -> ft.Control:
        self.header = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=6)
        self.ladder = ft.Column(spacing=6)
        self.groups = ft.Column(spacing=0)
        self.meetings = ft.Column(spacing=0)
        self.tasks = ft.Column(spacing=0)
        return ft.Column(
            [
                self.header,
                section(self.t("network.ui.ladder"), self.ladder),
                section(self.t("network.ui.person_groups"), self.groups),
                section(self.t("network.ui.person_meetings"), self.meetings),
                section(self.t("network.ui.tasks"), self.tasks),
                w.secondary_button(
                    self.ctx,
                    self.t("network.ui.volunteering"),
                    lambda: self.ctx.go(f"/zone/network/people/{self.params['contact_id']}/volunteering"),
                    icon=ft.Icons.VOLUNTEER_ACTIVISM,
                ),
            ],
            spacing=14,
        )

    async def load(self) -> None:
        ctx = self.ctx
        cid = self.params["contact_id"]
        contact: Contact | None = await ctx.call(ctx.store.get, Contact, cid)
        if contact is None or contact.deleted:
            self.header.controls = [w.empty(self.t("ui.error.not_found"))]
            return
        ladder = await ctx.call(engagement_ladder, ctx.store, cid)
        level = (
            self.t(f"network.ladder.rung.{ladder.level.code}")
            if ladder.level
            else self.t("network.ui.no_rung")
        )
        self.header.controls = [
            w.heading(contact_name(ctx, contact), size=22),
            w.body(self.t("network.ui.level", level=level), weight=ft.FontWeight.W_600),
        ]
        self.ladder.controls = ladder_rows(ctx, ladder)
        groups = await ctx.call(net.groups_of_contact, ctx.store, cid)
        self.groups.controls = [
            w.row_tile(
                ctx,
                g.name,
                self.t(f"network.member.role.{m.role}")
                + (
                    " · " + self.t("network.ui.left_on", day=w.format_date(m.left_on, ctx.lang))
                    if m.left_on
                    else ""
                ),
                on_click=lambda e, gid=g.id: ctx.go(f"/zone/groups/{gid}"),
                leading=ft.Icon(ft.Icons.DIVERSITY_3),
            )
            for g, m in groups
        ] or [w.empty(self.t("network.ui.no_groups"))]
        meetings = await ctx.call(net.meetings_of_contact, ctx.store, cid)
        self.meetings.controls = [
            w.row_tile(
                ctx,
                m.topic,
                w.format_date(m.held_on, ctx.lang) + " · " + self.t(f"network.attendance.role.{a.role}"),
                on_click=lambda e, mid=m.id: ctx.go(f"/zone/meetings/{mid}"),
                leading=ft.Icon(ft.Icons.GROUPS_2),
            )
            for m, a in meetings
        ] or [w.empty(self.t("network.ui.no_meetings"))]
        tasks = await ctx.call(net.tasks_of_contact, ctx.store, cid, include_done=True)
        self.tasks.controls = [
            w.row_tile(
                ctx,
                t.title,
                w.format_date(t.due_on, ctx.lang),
                leading=ft.Icon(ft.Icons.TASK_ALT if t.done_on else ft.Icons.RADIO_BUTTON_UNCHECKED),
            )
            for t in tasks
        ] or [w.empty(self.t("network.ui.no_tasks"))]


@screen("/contacts/:contact_id/network")
class ContactNetworkScreen(PersonNetworkScreen):
    """The same, opened from a contact (under the Kontakty tab)."""
