"""Meetings: the list, one meeting with its attendance list, head-count and tasks, and the quick add
of a new person met there (with the consent question first). A new meeting: ``meeting_new``."""

from __future__ import annotations

import flet as ft

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.model.cooperation import AttendanceRole
from fieldapp.model.enums import ContactKind
from fieldapp.services import cooperation as net
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.attachments import AttachmentsPanel
from fieldapp.ui.context import META_USER_NAME
from fieldapp.ui.cooperation.common import (
    PeopleFinder,
    contact_name,
    section,
)
from fieldapp.ui.cooperation.volunteering import hours_text
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


def meeting_line(ctx, meeting) -> str:
    when = w.format_date(meeting.held_on, ctx.lang) + (f" {meeting.start_time}" if meeting.start_time else "")
    parts = [when, ctx.t(f"network.meeting.kind.{meeting.kind}")]
    if meeting.duration_min:
        parts.append(ctx.t("network.ui.hours_line", hours=hours_text(meeting.duration_min, ctx.lang)))
    if meeting.place:
        parts.append(meeting.place)
    return " · ".join(parts)


@screen("/zone/meetings")
class MeetingsScreen(Screen):
    title_key = "network.ui.meetings"

    def build(self) -> ft.Control:
        self.list = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=0)
        return ft.Column([self.list], spacing=8)

    def fab(self) -> ft.FloatingActionButton:
        return w.fab(self.ctx, self.t("network.ui.meeting_new"), lambda: self.ctx.go("/zone/meetings/new"))

    async def load(self) -> None:
        ctx = self.ctx
        meetings = await ctx.call(net.list_meetings, ctx.store, zone_id=self.query.get("zone"))
        rows = []
        for meeting in meetings:
            summary = await ctx.call(net.meeting_summary, ctx.store, meeting.id)
            rows.append(
                w.row_tile(
                    ctx,
                    meeting.topic,
                    meeting_line(ctx, meeting)
                    + " · "
                    + self.t("network.ui.head_count", count=summary.head_count),
                    on_click=lambda e, mid=meeting.id: ctx.go(f"/zone/meetings/{mid}"),
                    leading=ft.Icon(ft.Icons.GROUPS_2, color=theme.PRIMARY),
                )
            )
        self.list.controls = rows or [w.empty(self.t("network.ui.meetings_empty"))]


@screen("/zone/meetings/:meeting_id")
class MeetingScreen(Screen):
    title_key = "network.ui.meeting"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.attendee_ids: set[str] = set()
        self.header = ft.Column([w.muted(self.t("ui.common.loading"))], spacing=6)
        self.total = w.heading("", size=18)
        self.anonymous = w.body("")
        self.attendees = ft.Column(spacing=0)
        self.finder = PeopleFinder(
            ctx, self.t("network.ui.add_attendee"), self._add, exclude=lambda: self.attendee_ids
        )
        self.tasks = ft.Column(spacing=0)
        #: Event pictures (``ui.attachments``).
        self.photos = AttachmentsPanel(ctx, "meeting", self.meeting_id)
        tf = self.task_form = Form(ctx)
        self.task_person = tf.add("contact_id", w.ChoiceField(ctx, self.t("network.ui.task_person"), []))
        tf.add("title", w.text_field(self.t("network.ui.task_title")))
        tf.add("due_on", w.text_field(self.t("network.ui.task_due"), hint=self.t("ui.common.date_hint")))
        counter = ft.Row(
            [
                w.icon_button(
                    ctx,
                    ft.Icons.REMOVE_CIRCLE_OUTLINE,
                    self.t("network.ui.anonymous_less"),
                    lambda: self._count(-1),
                ),
                ft.Container(self.anonymous, expand=True),
                w.icon_button(
                    ctx,
                    ft.Icons.ADD_CIRCLE_OUTLINE,
                    self.t("network.ui.anonymous_more"),
                    lambda: self._count(1),
                ),
            ]
        )
        return ft.Column(
            [
                self.header,
                w.card(self.total, counter),
                section(
                    self.t("network.ui.attendance"),
                    self.attendees,
                    self.finder.control,
                    w.secondary_button(
                        ctx,
                        self.t("network.ui.new_person"),
                        lambda: ctx.go(f"/zone/meetings/{self.meeting_id}/new-person"),
                        icon=ft.Icons.PERSON_ADD_ALT,
                    ),
                    w.secondary_button(
                        ctx,
                        self.t("participants.ui.title"),
                        lambda: ctx.go(f"/zone/participants/meeting/{self.meeting_id}"),
                        icon=ft.Icons.DIVERSITY_3,
                    ),
                ),
                self.photos.control,
                section(
                    self.t("network.ui.tasks"),
                    self.tasks,
                    tf.banner,
                    self.task_person.control,
                    tf["title"],
                    tf["due_on"],
                    w.secondary_button(
                        ctx, self.t("network.ui.task_add"), self._add_task, icon=ft.Icons.ADD_TASK
                    ),
                ),
            ],
            spacing=14,
        )

    @property
    def meeting_id(self) -> str:
        return self.params["meeting_id"]

    async def load(self) -> None:
        ctx = self.ctx
        summary = await ctx.call(net.meeting_summary, ctx.store, self.meeting_id)
        meeting = summary.meeting
        self.header.controls = [w.heading(meeting.topic, size=22), w.body(meeting_line(ctx, meeting))]
        if meeting.outcome:
            self.header.controls.append(w.body(f"{self.t('network.ui.outcome')}: {meeting.outcome}"))
        self.total.value = self.t("network.ui.head_count_total", count=summary.head_count)
        self.anonymous.value = self.t("network.ui.anonymous", count=meeting.anonymous_count)
        self.attendee_ids = {c.id for _, c in summary.attendees}
        rows: list[ft.Control] = [self._row(a, c) for a, c in summary.attendees]
        if summary.erased:
            rows.append(w.muted(self.t("network.ui.erased_attendees", count=summary.erased)))
        self.attendees.controls = rows or [w.empty(self.t("network.ui.no_attendees"))]
        await self.photos.load()
        self.task_person.set_options([(c.id, contact_name(ctx, c)) for _, c in summary.attendees])
        tasks = await ctx.call(net.tasks_of_meeting, ctx.store, self.meeting_id)
        names = {c.id: contact_name(ctx, c) for _, c in summary.attendees}
        self.tasks.controls = [
            w.row_tile(
                ctx,
                task.title,
                " · ".join(
                    p
                    for p in (names.get(task.contact_id or "", ""), w.format_date(task.due_on, ctx.lang))
                    if p
                ),
                leading=ft.Icon(ft.Icons.TASK_ALT if task.done_on else ft.Icons.RADIO_BUTTON_UNCHECKED),
                on_click=lambda e, t=task: self._toggle_task(t),
            )
            for task in tasks
        ] or [w.empty(self.t("network.ui.no_tasks"))]

    def _row(self, attendance, contact) -> ft.Control:
        ctx = self.ctx
        name = contact_name(ctx, contact)
        organiser = attendance.role == AttendanceRole.ORGANISER
        toggle = AttendanceRole.PARTICIPANT if organiser else AttendanceRole.ORGANISER
        return w.row_tile(
            ctx,
            name,
            self.t(f"network.attendance.role.{attendance.role}"),
            on_click=lambda e: ctx.go(f"/zone/network/people/{contact.id}"),
            leading=ft.Icon(ft.Icons.CAMPAIGN if organiser else ft.Icons.PERSON, color=theme.PRIMARY),
            trailing=ft.Row(
                [
                    w.icon_button(
                        ctx,
                        ft.Icons.SWAP_VERT,
                        self.t(f"network.ui.make_{toggle.value}", name=name),
                        lambda e: self._role(attendance.id, toggle.value),
                    ),
                    w.icon_button(
                        ctx,
                        ft.Icons.REMOVE_CIRCLE_OUTLINE,
                        self.t("network.ui.remove_attendee", name=name),
                        lambda e: self._remove(attendance.id),
                    ),
                ],
                tight=True,
                spacing=0,
            ),
        )

    async def _refresh(self, message: str | None = None) -> None:
        if message:
            self.ctx.toast(message)
        await self.load()
        self.update()

    async def _add(self, contact) -> None:
        await self.ctx.call(net.add_attendees, self.ctx.store, self.meeting_id, [contact.id])
        await self._refresh(self.t("network.ui.attendee_added", name=contact_name(self.ctx, contact)))

    async def _role(self, attendance_id: str, role: str) -> None:
        await self.ctx.call(net.set_attendance_role, self.ctx.store, attendance_id, role)
        await self._refresh()

    async def _remove(self, attendance_id: str) -> None:
        await self.ctx.call(net.remove_attendance, self.ctx.store, attendance_id)
        await self._refresh(self.t("network.ui.attendee_removed"))

    async def _count(self, delta: int) -> None:
        summary = await self.ctx.call(net.meeting_summary, self.ctx.store, self.meeting_id)
        number = max(0, summary.meeting.anonymous_count + delta)
        await self.ctx.call(net.set_anonymous_count, self.ctx.store, self.meeting_id, number)
        await self._refresh()

    async def _add_task(self) -> None:
        f = self.task_form
        f.clear_errors()
        errors: list[FieldError] = []
        data = {
            "contact_id": self.task_person.value,
            "meeting_id": self.meeting_id,
            "title": f.text("title"),
            "due_on": f.date("due_on", errors),
        }
        if errors:
            f.show_errors(errors)
            return
        try:
            await self.ctx.call(
                net.add_task, self.ctx.store, {k: v for k, v in data.items() if v is not None}
            )
        except ValidationFailed as exc:
            f.show_errors(exc)
            return
        f["title"].value = f["due_on"].value = ""
        self.task_person.set_value(None)
        await self._refresh(self.t("network.ui.task_added"))

    async def _toggle_task(self, task) -> None:
        if task.done_on:
            await self.ctx.call(net.reopen_task, self.ctx.store, task.id)
        else:
            await self.ctx.call(net.complete_task, self.ctx.store, task.id)
        await self._refresh()


@screen("/zone/meetings/:meeting_id/new-person")
class QuickAddScreen(Screen):
    """A person met at the meeting: asked for consent first; without it they only add to the head-count."""

    title_key = "network.ui.new_person"

    def build(self) -> ft.Control:
        from fieldapp.ui.contact_form import ConsentStep

        ctx = self.ctx
        f = self.form = Form(ctx)
        f.aliases.update({"note": "consent_note"})
        self.kind = f.add(
            "kind",
            w.ChoiceField(
                ctx,
                self.t("ui.contact.kind"),
                [(k, self.t(f"contact.kind.{k}")) for k in (ContactKind.RESIDENT, ContactKind.LEADER)],
                value=ContactKind.RESIDENT.value,
            ),
        )
        self.consent = ConsentStep(ctx, f, on_change=self._answered)
        self.personal = ft.Column(
            [
                f.add("name", w.text_field(self.t("ui.contact.name"))),
                f.add("phone", w.text_field(self.t("ui.contact.phone"), keyboard=ft.KeyboardType.PHONE)),
                f.add("interests", w.text_field(self.t("ui.contact.interests"))),
                f.add("needs", w.text_field(self.t("ui.contact.needs"))),
            ],
            spacing=10,
            visible=False,
        )
        self.save_button = w.primary_button(
            ctx, self.t("network.ui.save_attendee"), self.save, icon=ft.Icons.SAVE, height=56
        )
        self.save_button.visible = False
        self.count_button = w.secondary_button(
            ctx, self.t("network.ui.count_only"), self.count_only, icon=ft.Icons.EXPOSURE_PLUS_1
        )
        self.count_button.visible = False
        return ft.Column(
            [
                f.banner,
                self.kind.control,
                self.consent.control,
                self.personal,
                self.save_button,
                self.count_button,
            ],
            spacing=12,
        )

    @property
    def meeting_id(self) -> str:
        return self.params["meeting_id"]

    async def load(self) -> None:
        summary = await self.ctx.call(net.meeting_summary, self.ctx.store, self.meeting_id)
        self.zone_id = summary.meeting.zone_id
        await self.consent.prefill()

    def _answered(self) -> None:
        agreed = self.consent.answer == "yes"
        self.personal.visible = self.save_button.visible = agreed
        self.count_button.visible = self.consent.answer == "no"

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        consent = self.consent.values(errors)
        if consent is not None and not consent["recorded_by"]:
            errors.append(f.field_error("recorded_by", "ui.consent.recorded_by_required"))
        if not f.text("name"):
            errors.append(f.field_error("name", "error.network.required"))
        if errors:
            f.show_errors(errors)
            return
        data = {
            "kind": self.kind.value,
            "zone_id": self.zone_id,
            **{name: f.text(name) for name in ("name", "phone", "interests", "needs")},
        }
        try:
            contact, _ = await self.ctx.call(
                net.quick_add_attendee, self.ctx.store, self.meeting_id, data, consent
            )
        except ValidationFailed as exc:
            f.show_errors(exc)
            return
        if consent and consent["recorded_by"]:
            await self.ctx.set_setting(META_USER_NAME, consent["recorded_by"])
        self.ctx.toast(self.t("network.ui.attendee_added", name=contact_name(self.ctx, contact)))
        await self.ctx.back()

    async def count_only(self) -> None:
        summary = await self.ctx.call(net.meeting_summary, self.ctx.store, self.meeting_id)
        await self.ctx.call(
            net.set_anonymous_count, self.ctx.store, self.meeting_id, summary.meeting.anonymous_count + 1
        )
        self.ctx.toast(self.t("network.ui.counted"))
        await self.ctx.back()
