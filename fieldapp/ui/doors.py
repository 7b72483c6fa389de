"""Wizyty (door-to-door): pick a zone or street, knock, tap the outcome — saved, on to the next door.

From the start screen: the "Wizyty" tab (1), a zone or street (2), the outcome (3). The outcome
button saves at once; notes, a contact and a follow-up date are optional extras on the same
screen. After saving, the house number moves on to the next door and the extras are cleared.
The walk (zone, street, number, step) is remembered on the device.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode

import flet as ft

from fieldapp.i18n.format import address_of, format_address, format_date
from fieldapp.model import Contact, Visit, Zone
from fieldapp.model.enums import DOOR_OUTCOMES
from fieldapp.services import visits as visit_service
from fieldapp.services import zones as zone_service
from fieldapp.services.visits import streets_in_zone, undo_visit
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.contacts import ContactPicker
from fieldapp.ui.context import META_WALK
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen

#: With this many zones or fewer they are shown as one-tap buttons, else as a picker.
ZONE_BUTTONS_MAX = 6


def next_house_number(number: str, step: int) -> str:
    """The next door: "12" → "13" (or "14" with step 2); "12a" → "13"; text without digits stays."""
    found = re.match(r"\s*(\d+)", number or "")
    if not found:
        return number
    return str(int(found.group(1)) + step)


@screen("/doors")
class DoorsScreen(Screen):
    title_key = "ui.doors.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self.zones: list[Zone] = []
        self.zone_id: str | None = None
        self.step = 1
        self._recording = False
        self.form = Form(ctx)
        f = self.form
        self.zone_row = ft.Row(wrap=True, spacing=8, run_spacing=8)
        self.zone_picker = w.ChoiceField(
            ctx,
            self.t("ui.doors.zone"),
            [],
            on_change=self._zone_picked,
            allow_empty=self.t("ui.doors.no_zone"),
        )
        self.zone_picker.visible = False
        self.street_row = ft.Row(wrap=True, spacing=8, run_spacing=8)
        street = f.add("street", w.text_field(self.t("ui.doors.street"), expand=True))
        number = f.add(
            "house_number",
            w.text_field(self.t("ui.doors.house_number"), width=110, keyboard=ft.KeyboardType.TEXT),
        )
        flat = f.add("flat", w.text_field(self.t("ui.doors.flat"), width=90))
        self.step_button = w.secondary_button(ctx, self.t("ui.doors.step", step=self.step), self._toggle_step)
        number_row = ft.Row(
            [
                w.icon_button(ctx, ft.Icons.REMOVE, self.t("ui.doors.previous_door"), self._previous),
                number,
                w.icon_button(ctx, ft.Icons.ADD, self.t("ui.doors.next_door"), self._next),
                flat,
            ],
            spacing=4,
            vertical_alignment=ft.CrossAxisAlignment.START,
        )
        outcomes = [self._outcome_button(code) for code in DOOR_OUTCOMES]
        # Optional extras, on the same screen: saved with whichever outcome is tapped.
        notes = f.add("notes", w.text_field(self.t("ui.doors.notes"), multiline=True))
        next_step = f.add("next_step", w.text_field(self.t("ui.doors.next_step")))
        follow_up = f.add(
            "follow_up_on",
            # A fixed width: the row wraps on narrow phones, and a wrapping row cannot stretch a child.
            w.text_field(self.t("ui.doors.follow_up"), hint=self.t("ui.common.date_hint"), width=200),
        )
        self.picker = ContactPicker(ctx, self.t("ui.doors.find_contact"))
        extras = ft.ExpansionTile(
            title=ft.Text(self.t("ui.doors.extras"), size=17, weight=ft.FontWeight.W_600),
            subtitle=ft.Text(self.t("ui.doors.extras_help"), size=14, color=theme.MUTED),
            controls=[
                ft.Container(
                    ft.Column(
                        [
                            notes,
                            next_step,
                            ft.Row(
                                [
                                    follow_up,
                                    w.secondary_button(
                                        ctx, self.t("ui.doors.tomorrow"), lambda: self._follow_in(1)
                                    ),
                                    w.secondary_button(
                                        ctx, self.t("ui.doors.in_week"), lambda: self._follow_in(7)
                                    ),
                                ],
                                wrap=True,
                            ),
                            self.picker.control,
                            w.secondary_button(
                                ctx,
                                self.t("ui.doors.new_contact"),
                                self._new_contact,
                                icon=ft.Icons.PERSON_ADD,
                            ),
                        ],
                        spacing=10,
                        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                    ),
                    padding=ft.Padding.only(bottom=12),
                )
            ],
            tile_padding=ft.Padding.symmetric(horizontal=4),
        )
        self.recent = ft.Column(spacing=0)
        return ft.Column(
            [
                w.muted(self.t("ui.doors.pick_zone")),
                self.zone_row,
                self.zone_picker.control,
                self.street_row,
                street,
                number_row,
                ft.Row([self.step_button]),
                f.banner,
                w.heading(self.t("ui.doors.outcome"), size=18),
                *outcomes,
                extras,
                w.heading(self.t("ui.doors.recent"), size=18),
                self.recent,
            ],
            spacing=10,
        )

    def _outcome_button(self, code: str) -> ft.Control:
        return ft.FilledButton(
            content=ft.Text(self.t(f"visit.outcome.{code}"), size=20, weight=ft.FontWeight.W_700),
            on_click=self.on_tap(lambda: self.record(code)),
            height=theme.OUTCOME_HEIGHT,
            width=float("inf"),
            style=ft.ButtonStyle(
                bgcolor=theme.OUTCOME_COLORS.get(code, theme.DEFAULT_OUTCOME_COLOR),
                color=ft.Colors.WHITE,
                shape=ft.RoundedRectangleBorder(radius=12),
            ),
        )

    # -- loading ----------------------------------------------------------------------------

    async def load(self) -> None:
        ctx = self.ctx
        self.zones = await ctx.call(zone_service.list_zones, ctx.store)
        walk = await ctx.json_setting(META_WALK)
        if self.zone_id is None and walk.get("zone_id") in {z.id for z in self.zones}:
            self.zone_id = walk["zone_id"]
        if not self.form.text("street"):
            self.form["street"].value = walk.get("street", "")
            self.form["house_number"].value = walk.get("house_number", "")
        self.step = int(walk.get("step") or 1)
        self.step_button.content.value = self.t("ui.doors.step", step=self.step)
        await self._prefill_from_query()
        self._show_zones()
        await self._load_streets()
        await self._load_recent()

    async def _prefill_from_query(self) -> None:
        ctx = self.ctx
        contact_id = self.query.get("contact")
        if contact_id:
            contact = await ctx.call(ctx.store.get, Contact, contact_id)
            if contact and not contact.deleted:
                await self.picker.pick(contact)
                self.form["street"].value = contact.street or contact.address
                self.form["house_number"].value = contact.house_number
                self.form["flat"].value = contact.flat
                self.zone_id = contact.zone_id or self.zone_id
        visit_id = self.query.get("from_visit")
        if visit_id:
            visit = await ctx.call(ctx.store.get, Visit, visit_id)
            if visit:
                self.form["street"].value = visit.street or visit.address
                self.form["house_number"].value = visit.house_number
                self.form["flat"].value = visit.flat
                self.zone_id = visit.zone_id or self.zone_id

    def _show_zones(self) -> None:
        if len(self.zones) <= ZONE_BUTTONS_MAX:
            self.zone_row.controls = [self._zone_button(zone) for zone in self.zones]
            self.zone_picker.visible = False
        else:
            self.zone_row.controls = []
            self.zone_picker.set_options([(z.id, z.name) for z in self.zones])
            self.zone_picker.set_value(self.zone_id)
            self.zone_picker.visible = True

    def _zone_button(self, zone: Zone) -> ft.Control:
        chosen = zone.id == self.zone_id
        return ft.FilledButton(
            content=ft.Text(
                zone.name, size=16, weight=ft.FontWeight.W_600, color=ft.Colors.WHITE if chosen else theme.INK
            ),
            icon=ft.Icons.CHECK if chosen else None,
            icon_color=ft.Colors.WHITE,
            on_click=self.on_tap(lambda: self._choose_zone(zone.id)),
            height=theme.TOUCH,
            style=ft.ButtonStyle(
                bgcolor=theme.PRIMARY if chosen else theme.SURFACE_LOW,
                side=ft.BorderSide(2, theme.PRIMARY),
                shape=ft.RoundedRectangleBorder(radius=24),
            ),
        )

    async def _zone_picked(self, field: w.ChoiceField) -> None:
        await self._choose_zone(field.value)

    async def _choose_zone(self, zone_id: str | None) -> None:
        self.zone_id = None if zone_id == self.zone_id and len(self.zones) <= ZONE_BUTTONS_MAX else zone_id
        self._show_zones()
        await self._load_streets()
        await self._remember()

    async def _load_streets(self) -> None:
        streets = await self.ctx.call(streets_in_zone, self.ctx.store, self.zone_id)
        self.street_row.controls = [
            ft.OutlinedButton(
                content=ft.Text(name, size=16, color=theme.INK),
                on_click=self.on_tap(lambda e, s=name: self._choose_street(s)),
                height=theme.TOUCH,
                style=ft.ButtonStyle(
                    side=ft.BorderSide(1, theme.OUTLINE), shape=ft.RoundedRectangleBorder(radius=24)
                ),
            )
            for name in streets
        ]

    async def _choose_street(self, street: str) -> None:
        if self.form.text("street") != street:
            self.form["street"].value = street
            self.form["house_number"].value = ""
            self.form["flat"].value = ""
        await self._remember()

    async def _load_recent(self) -> None:
        ctx = self.ctx
        recent = await ctx.call(visit_service.recent_visits, ctx.store, limit=8)
        self.recent.controls = [
            w.row_tile(
                ctx,
                f"{address_of(v) or self.t('ui.today.no_address')} — {self.t(f'visit.outcome.{v.outcome}')}",
                format_date(v.visited_at, ctx.lang),
                leading=ft.Icon(ft.Icons.CIRCLE, color=theme.OUTCOME_COLORS.get(v.outcome, theme.MUTED)),
            )
            for v in recent
        ] or [w.empty(self.t("ui.doors.none_yet"))]

    # -- door numbers -----------------------------------------------------------------------

    async def _toggle_step(self) -> None:
        self.step = 2 if self.step == 1 else 1
        self.step_button.content.value = self.t("ui.doors.step", step=self.step)
        await self._remember()

    async def _next(self) -> None:
        self.form["house_number"].value = next_house_number(self.form.text("house_number"), self.step)
        self.form["flat"].value = ""
        await self._remember()

    async def _previous(self) -> None:
        current = self.form.text("house_number")
        previous = next_house_number(current, -self.step)
        if previous.isdigit() and int(previous) >= 1:
            self.form["house_number"].value = previous
            await self._remember()

    async def _remember(self) -> None:
        zone = next((z for z in self.zones if z.id == self.zone_id), None)
        await self.ctx.set_json_setting(
            META_WALK,
            {
                "zone_id": self.zone_id,
                "zone_name": zone.name if zone else "",
                "street": self.form.text("street"),
                "house_number": self.form.text("house_number"),
                "step": self.step,
            },
        )

    # -- extras -----------------------------------------------------------------------------

    def _follow_in(self, days: int) -> None:
        self.form["follow_up_on"].value = format_date(date.today() + timedelta(days=days), self.ctx.lang)
        self.form["follow_up_on"].error = None

    @property
    def contact(self) -> Contact | None:
        return self.picker.contact

    def _new_contact(self) -> None:
        street, number, flat = (
            self.form.text("street"),
            self.form.text("house_number"),
            self.form.text("flat"),
        )
        params = urlencode(
            {
                k: v
                for k, v in (
                    ("street", street),
                    ("house_number", number),
                    ("flat", flat),
                    ("zone", self.zone_id or ""),
                )
                if v
            }
        )
        self.ctx.go("/contacts/new" + (f"?{params}" if params else ""))

    # -- the knock --------------------------------------------------------------------------

    async def record(self, outcome: str) -> None:
        """Save the visit with this outcome, then move on to the next door. One door, one visit: a
        tap on another outcome while this one is being saved is ignored."""
        if self._recording:
            return
        self._recording = True
        try:
            await self._record(outcome)
        finally:
            self._recording = False

    async def _record(self, outcome: str) -> None:
        f = self.form
        f.clear_errors()
        errors: list = []
        follow_up_on = f.date("follow_up_on", errors)
        if errors:
            f.show_errors(errors)
            return
        street, number, flat = f.text("street"), f.text("house_number"), f.text("flat")
        address = format_address(street, number, flat)
        visit = await f.submit(
            visit_service.log_visit,
            self.ctx.store,
            outcome=outcome,
            address=address,
            street=street,
            house_number=number,
            flat=flat,
            contact_id=self.contact.id if self.contact else None,
            zone_id=self.zone_id,
            notes=f.text("notes"),
            next_step=f.text("next_step"),
            follow_up_on=follow_up_on,
        )
        if visit is None:
            return
        self.ctx.services.request_sync()
        saved_place = address or self.t("ui.today.no_address")
        self.ctx.toast(
            self.t("ui.doors.saved", outcome=self.t(f"visit.outcome.{outcome}"), place=saved_place),
            action=self.t("ui.doors.undo"),
            on_action=lambda: self._undo(visit.id, number, flat),
        )
        # Straight to the next door: number moves on, the extras are cleared.
        if number:
            f["house_number"].value = next_house_number(number, self.step)
        f["flat"].value = ""
        for name in ("notes", "next_step", "follow_up_on"):
            f[name].value = ""
        await self.picker.pick(None)
        await self._remember()
        await self._load_recent()
        await self._load_streets()

    async def _undo(self, visit_id: str, number: str, flat: str) -> None:
        await self.ctx.call(undo_visit, self.ctx.store, visit_id)
        self.form["house_number"].value = number  # back to the door the mistake was made at
        self.form["flat"].value = flat
        await self._remember()
        self.ctx.toast(self.t("ui.doors.undone"))
        await self._load_recent()
        self.update()
