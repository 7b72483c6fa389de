"""A new meeting: its kind decides what else is asked — a training session (or individual support)
its hours and series (or a new series), a consultation its outcome."""

from __future__ import annotations

from datetime import date
from typing import Any

import flet as ft

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.model.cooperation import MeetingKind
from fieldapp.services import cooperation as net
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import current_zone, options, zone_options
from fieldapp.ui.cooperation.volunteering import typed_minutes
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen

#: Kinds of meeting that belong to a training series: its sessions and individual support.
IN_SERIES = (MeetingKind.TRAINING, MeetingKind.SUPPORT)


@screen("/zone/meetings/new")
class NewMeetingScreen(Screen):
    title_key = "network.ui.meeting_new"

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        f.add("topic", w.text_field(self.t("network.ui.topic")))
        self.kind = f.add(
            "kind",
            w.ChoiceField(
                ctx,
                self.t("network.ui.meeting_kind"),
                options(ctx, "network.meeting.kind", MeetingKind),
                value=MeetingKind.NEIGHBOURHOOD.value,
                on_change=self._kind_changed,
            ),
        )
        f.add(
            "duration_min",
            w.text_field(
                self.t("network.ui.duration"),
                hint=self.t("network.ui.duration_hint"),
                keyboard=ft.KeyboardType.NUMBER,
                width=220,
            ),
        )
        self.series = f.add(
            "series_id",
            w.ChoiceField(ctx, self.t("network.ui.series"), [], allow_empty=self.t("network.ui.no_series")),
        )
        f.add("series_name", w.text_field(self.t("network.ui.series_name")))
        f.add(
            "outcome",
            w.text_field(
                self.t("network.ui.outcome"), hint=self.t("network.ui.outcome_hint"), multiline=True
            ),
        )
        self.training = ft.Column([self.series.control, f["series_name"]], spacing=12, visible=False)
        f["outcome"].visible = False
        f.add(
            "held_on",
            w.text_field(
                self.t("network.ui.held_on"),
                hint=self.t("ui.common.date_hint"),
                value=w.format_date(date.today(), ctx.lang),
            ),
        )
        f.add("start_time", w.text_field(self.t("network.ui.start_time"), hint="17:30", width=140))
        f.add("place", w.text_field(self.t("network.ui.place")))
        self.zone = f.add(
            "zone_id",
            w.ChoiceField(ctx, self.t("ui.contact.zone"), [], allow_empty=self.t("network.ui.all_zones")),
        )
        return ft.Column(
            [
                f.banner,
                f["topic"],
                self.kind.control,
                f["held_on"],
                f["start_time"],
                f["duration_min"],
                self.training,
                f["outcome"],
                f["place"],
                self.zone.control,
                w.primary_button(ctx, self.t("ui.common.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=12,
        )

    async def load(self) -> None:
        self.zone.set_options(await zone_options(self.ctx))
        if self.zone.value is None:
            self.zone.set_value(await current_zone(self.ctx, self.query))
        series = await self.ctx.call(net.list_series, self.ctx.store, zone_id=self.zone.value)
        self.series.set_options([(s.id, s.name) for s in series])

    def _kind_changed(self) -> None:
        self.training.visible = self.kind.value in IN_SERIES
        self.form["outcome"].visible = self.kind.value == MeetingKind.CONSULTATION
        self.update()

    async def _series_id(self, training: bool) -> str | None:
        """The chosen series, or a new one named in the form (a training session only)."""
        if not training:
            return None
        name = self.form.text("series_name")
        if name and self.series.value is None:
            created = await self.ctx.call(
                net.create_series, self.ctx.store, {"name": name, "zone_id": self.zone.value}
            )
            return created.id
        return self.series.value

    async def save(self) -> None:
        f = self.form
        f.clear_errors()
        errors: list[FieldError] = []
        data: dict[str, Any] = {
            "topic": f.text("topic"),
            "kind": self.kind.value,
            "held_on": f.date("held_on", errors),
            "start_time": f.text("start_time"),
            "place": f.text("place"),
            "zone_id": self.zone.value,
            "duration_min": typed_minutes(f, "duration_min", errors) or 0,
        }
        if self.kind.value == MeetingKind.CONSULTATION:
            data["outcome"] = f.text("outcome")
        if self.query.get("group"):
            data["group_id"] = self.query["group"]
        if errors:
            f.show_errors(errors)
            return
        try:
            data["series_id"] = await self._series_id(self.kind.value in IN_SERIES)
            meeting = await self.ctx.call(net.create_meeting, self.ctx.store, data)
        except ValidationFailed as exc:
            f.show_errors(exc)
            return
        self.ctx.toast(self.t("network.ui.meeting_created"))
        await self.ctx.replace(f"/zone/meetings/{meeting.id}")
