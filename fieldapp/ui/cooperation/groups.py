"""Local Activity Groups: the list, a new group built from suggested people, and one group."""

from __future__ import annotations

from typing import Any

import flet as ft

from fieldapp.cooperation import Suggestion, suggest_for, suggest_members
from fieldapp.errors import ValidationFailed
from fieldapp.model import Contact, LocalActivityGroup
from fieldapp.model.cooperation import GroupBond, GroupStatus, MemberRole
from fieldapp.services import cooperation as net
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import (
    PeopleFinder,
    contact_name,
    current_zone,
    options,
    section,
    zone_options,
)
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen

STATUS_COLORS = {"forming": "#7A4100", "active": theme.OK, "dormant": "#455A64"}


def reasons_text(ctx, suggestion: Suggestion) -> str:
    return " · ".join(
        ctx.t(f"network.reason.{r.source}", words=", ".join(r.words)) for r in suggestion.reasons
    )


def group_subtitle(ctx, group: LocalActivityGroup, members: int | None = None) -> str:
    parts = [
        ctx.t(f"network.group.status.{group.status}"),
        f"{ctx.t(f'network.group.bond.{group.bond}')}: {group.theme}",
    ]
    if members is not None:
        parts.append(ctx.t("network.ui.members_count", count=members))
    return " · ".join(parts)


@screen("/zone/groups")
class GroupsScreen(Screen):
    title_key = "network.ui.groups"

    def build(self) -> ft.Control:
        self.list = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=0)
        return ft.Column([w.muted(self.t("network.ui.groups_intro")), self.list], spacing=8)

    def fab(self) -> ft.FloatingActionButton:
        return w.fab(self.ctx, self.t("network.ui.group_new"), lambda: self.ctx.go("/zone/groups/new"))

    async def load(self) -> None:
        ctx = self.ctx
        zone = self.query.get("zone")
        groups = await ctx.call(net.list_groups, ctx.store, zone_id=zone)
        rows = []
        for group in groups:
            summary = await ctx.call(net.group_summary, ctx.store, group.id)
            rows.append(
                w.row_tile(
                    ctx,
                    group.name,
                    group_subtitle(ctx, group, summary.member_count),
                    on_click=lambda e, gid=group.id: ctx.go(f"/zone/groups/{gid}"),
                    leading=ft.Icon(ft.Icons.DIVERSITY_3, color=STATUS_COLORS.get(group.status, theme.MUTED)),
                )
            )
        self.list.controls = rows or [w.empty(self.t("network.ui.groups_empty"))]


@screen("/zone/groups/new")
class NewGroupScreen(Screen):
    """Name the group and what joins it, see who could join, tick them, create it in one go."""

    title_key = "network.ui.group_new"

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        self.picked: dict[str, ft.Checkbox] = {}
        f.add("name", w.text_field(self.t("network.ui.group_name")))
        self.bond = f.add(
            "bond",
            w.ChoiceField(
                ctx,
                self.t("network.ui.bond"),
                options(ctx, "network.group.bond", GroupBond),
                value=GroupBond.THEME.value,
            ),
        )
        f.add("theme", w.text_field(self.t("network.ui.theme"), hint=self.t("network.ui.theme_hint")))
        self.zone = f.add(
            "zone_id",
            w.ChoiceField(ctx, self.t("ui.contact.zone"), [], allow_empty=self.t("network.ui.all_zones")),
        )
        f.add("description", w.text_field(self.t("network.ui.description"), multiline=True))
        self.found = ft.Column(spacing=0)
        self.create = w.primary_button(
            ctx, self.t("network.ui.group_create"), self.save, icon=ft.Icons.SAVE, height=56
        )
        return ft.Column(
            [
                f.banner,
                f["name"],
                self.bond.control,
                f["theme"],
                self.zone.control,
                f["description"],
                w.secondary_button(
                    ctx, self.t("network.ui.find_people"), self.find, icon=ft.Icons.PERSON_SEARCH
                ),
                self.found,
                self.create,
            ],
            spacing=12,
        )

    async def load(self) -> None:
        self.zone.set_options(await zone_options(self.ctx))
        if self.zone.value is None:
            self.zone.set_value(await current_zone(self.ctx, self.query))

    def _data(self) -> dict[str, Any]:
        f = self.form
        return {
            "name": f.text("name"),
            "bond": self.bond.value,
            "theme": f.text("theme"),
            "zone_id": self.zone.value,
            "description": f.text("description"),
        }

    async def find(self) -> None:
        data = self._data()
        self.form.clear_errors()
        if not data["theme"]:
            self.form["theme"].error = self.t("error.network.required")
            return
        draft = LocalActivityGroup(**{k: v for k, v in data.items() if k != "description"})
        found = await self.ctx.call(suggest_for, self.ctx.store, draft, limit=30)
        self.picked = {
            s.contact.id: ft.Checkbox(
                label=f"{contact_name(self.ctx, s.contact)} — {reasons_text(self.ctx, s)}", value=False
            )
            for s in found
        }
        heading = (
            self.t("network.ui.suggested", count=len(found)) if found else self.t("network.ui.no_suggestions")
        )
        self.found.controls = [w.heading(heading, size=18), *self.picked.values()]

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        members = [cid for cid, box in self.picked.items() if box.value]
        try:
            group = await self.ctx.call(net.create_group, self.ctx.store, self._data(), members)
        except ValidationFailed as exc:
            f.show_errors(exc)
            return
        self.ctx.toast(self.t("network.ui.group_created", count=len(members)))
        await self.ctx.replace(f"/zone/groups/{group.id}")


@screen("/zone/groups/:group_id")
class GroupScreen(Screen):
    title_key = "network.ui.group"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.header = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=6)
        self.statuses = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.members = ft.Column(spacing=0)
        self.suggestions = ft.Column(spacing=0)
        self.actions_list = ft.Column(spacing=0)
        self.member_ids: set[str] = set()
        self.finder = PeopleFinder(
            ctx, self.t("network.ui.add_member"), self._add, exclude=lambda: self.member_ids
        )
        self.link = w.ChoiceField(ctx, self.t("network.ui.link_action"), [], on_change=self._link)
        return ft.Column(
            [
                self.header,
                self.statuses,
                section(self.t("network.ui.members"), self.members, self.finder.control),
                section(self.t("network.ui.suggestions"), self.suggestions),
                section(self.t("network.ui.group_actions"), self.actions_list, self.link.control),
            ],
            spacing=14,
        )

    @property
    def group_id(self) -> str:
        return self.params["group_id"]

    async def load(self) -> None:
        ctx = self.ctx
        summary = await ctx.call(net.group_summary, ctx.store, self.group_id)
        group = summary.group
        self.header.controls = [
            w.heading(group.name, size=22),
            w.body(group_subtitle(ctx, group, summary.member_count)),
        ]
        if group.description:
            self.header.controls.append(w.muted(group.description))
        self.statuses.controls = [
            w.secondary_button(
                ctx,
                self.t("network.ui.set_status", status=self.t(f"network.group.status.{s}")),
                lambda e, s=s.value: self._status(s),
            )
            for s in GroupStatus
            if s != group.status
        ]
        self.member_ids = {member.contact_id for member, _ in summary.members}
        rows: list[ft.Control] = [self._member_row(member, contact) for member, contact in summary.members]
        if summary.anonymous_members:
            rows.append(w.muted(self.t("network.ui.anonymous_members", count=summary.anonymous_members)))
        self.members.controls = rows or [w.empty(self.t("network.ui.no_members"))]
        found = await ctx.call(suggest_members, ctx.store, self.group_id, limit=10)
        self.suggestions.controls = [
            w.row_tile(
                ctx,
                contact_name(ctx, s.contact),
                reasons_text(ctx, s),
                trailing=w.icon_button(
                    ctx,
                    ft.Icons.PERSON_ADD,
                    self.t("network.ui.add_named", name=contact_name(ctx, s.contact)),
                    lambda e, c=s.contact: self._add(c),
                ),
            )
            for s in found
        ] or [w.empty(self.t("network.ui.no_suggestions"))]
        self.actions_list.controls = [
            w.row_tile(
                ctx,
                a.title,
                self.t(f"action.status.{a.status}"),
                on_click=lambda e, aid=a.id: ctx.go(f"/zone/actions/{aid}"),
                leading=ft.Icon(ft.Icons.CELEBRATION),
            )
            for a in summary.actions
        ] or [w.empty(self.t("network.ui.no_actions"))]
        candidates = await ctx.call(net.linkable_actions, ctx.store, self.group_id)
        self.link.set_options([(a.id, a.title) for a in candidates])
        self.link.visible = bool(self.link.options)

    def _member_row(self, member, contact: Contact) -> ft.Control:
        ctx = self.ctx
        name = contact_name(ctx, contact)
        leader = member.role == MemberRole.LEADER
        role = self.t(f"network.member.role.{member.role}")
        toggle = MemberRole.MEMBER if leader else MemberRole.LEADER
        return w.row_tile(
            ctx,
            name,
            role,
            on_click=lambda e: ctx.go(f"/zone/network/people/{contact.id}"),
            leading=ft.Icon(ft.Icons.STAR if leader else ft.Icons.PERSON, color=theme.PRIMARY),
            trailing=ft.Row(
                [
                    w.icon_button(
                        ctx,
                        ft.Icons.STAR_OUTLINE if not leader else ft.Icons.STAR_HALF,
                        self.t(f"network.ui.make_{toggle.value}", name=name),
                        lambda e: self._role(member.id, toggle.value),
                    ),
                    w.icon_button(
                        ctx,
                        ft.Icons.LOGOUT,
                        self.t("network.ui.leave_group", name=name),
                        lambda e: self._leave(member.id),
                    ),
                ],
                tight=True,
                spacing=0,
            ),
        )

    async def _refresh(self, message: str) -> None:
        self.ctx.toast(message)
        await self.load()
        self.update()

    async def _add(self, contact: Contact) -> None:
        await self.ctx.call(net.add_members, self.ctx.store, self.group_id, [contact.id])
        await self._refresh(self.t("network.ui.member_added", name=contact_name(self.ctx, contact)))

    async def _role(self, member_id: str, role: str) -> None:
        await self.ctx.call(net.set_member_role, self.ctx.store, member_id, role)
        await self._refresh(self.t("ui.common.saved"))

    async def _leave(self, member_id: str) -> None:
        await self.ctx.call(net.end_membership, self.ctx.store, member_id)
        await self._refresh(self.t("network.ui.member_left"))

    async def _status(self, status: str) -> None:
        await self.ctx.call(net.update_group, self.ctx.store, self.group_id, {"status": status})
        await self._refresh(self.t("ui.common.saved"))

    async def _link(self, field: w.ChoiceField) -> None:
        if field.value:
            await self.ctx.call(net.link_action, self.ctx.store, self.group_id, field.value)
            field.set_value(None)
            await self._refresh(self.t("ui.common.saved"))
