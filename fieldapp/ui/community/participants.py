"""Who took part in an action or a meeting, without personal data: anonymous counts by age band and
by group (/zone/participants/:event_type/:event_id, opened from the action and meeting screens)."""

from __future__ import annotations

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.model.participants import AGE_BANDS, GROUPS
from fieldapp.services import participants as svc
from fieldapp.ui import widgets as w
from fieldapp.ui.cooperation.common import section
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


@screen("/zone/participants/:event_type/:event_id")
class ParticipantsScreen(Screen):
    title_key = "participants.ui.title"

    def build(self) -> ft.Control:
        ctx, t = self.ctx, self.t
        f = self.form = Form(ctx)
        for name in AGE_BANDS:
            f.add(
                name, w.text_field(t(f"participants.age.{name}"), value="0", keyboard=ft.KeyboardType.NUMBER)
            )
        for name in GROUPS:
            f.add(
                name,
                w.text_field(t(f"participants.group.{name}"), value="0", keyboard=ft.KeyboardType.NUMBER),
            )
        return ft.Column(
            [
                f.banner,
                section(t("participants.ui.ages"), *(f[n] for n in AGE_BANDS)),
                section(t("participants.ui.groups"), *(f[n] for n in GROUPS)),
                w.primary_button(ctx, t("participants.ui.save"), self.save, icon=ft.Icons.SAVE, height=56),
            ],
            spacing=14,
        )

    async def load(self) -> None:
        ctx, p = self.ctx, self.params
        profile = await ctx.call(svc.profile_of, ctx.store, p["event_type"], p["event_id"])
        if profile is not None:
            for name in (*AGE_BANDS, *GROUPS):
                self.form[name].value = str(getattr(profile, name))

    async def save(self) -> None:
        f, p = self.form, self.params
        f.clear_errors()
        errors: list[FieldError] = []
        counts = {name: f.integer(name, errors) for name in (*AGE_BANDS, *GROUPS)}
        if errors:
            f.show_errors(errors)
            return
        if (
            await f.submit(svc.set_profile, self.ctx.store, p["event_type"], p["event_id"], counts)
            is not None
        ):
            self.ctx.toast(self.t("participants.ui.saved"))
