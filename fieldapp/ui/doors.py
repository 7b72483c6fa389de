"""Wizyty (door to door): stand at a building, tap the outcome — saved, on to the next door.

From the start screen: "Pukaj dalej" (the last street, the next number) and an outcome: 2 taps;
a first knock: "Zacznij obchód", a building offered (the nearest one when the position is known,
else the next in street order) and an outcome: 3 taps, no typing. Once a street is chosen the
choice folds away, so the five outcome buttons sit under the address even at 360×740. A knock
needs a street and a number; its zone comes from the position or from the street's known zone
(``services.visits.log_knock``). The building's flats are a grid below (``flat_grid``): tap a flat,
tap its outcome. After a knock a line above the buttons offers "Cofnij" for 6 s — on this screen
only, never over a button. The walk (zone, street, number, step) is remembered on the device.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from urllib.parse import urlencode

import flet as ft

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.i18n.format import address_of, format_address, format_date
from fieldapp.model import Contact, Visit, Zone
from fieldapp.model.enums import DOOR_OUTCOMES
from fieldapp.services import buildings as building_service
from fieldapp.services import visits as visit_service
from fieldapp.services import zones as zone_service
from fieldapp.services.buildings import BuildingFlats, Flat
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.contacts import ContactPicker
from fieldapp.ui.context import META_DOOR_CONTACT, META_WALK
from fieldapp.ui.door_widgets import chip, chip_row
from fieldapp.ui.flat_grid import FlatGrid, flat_sheet, outcome_button, range_dialog
from fieldapp.ui.forms import Form
from fieldapp.ui.place_screen import PlaceScreen
from fieldapp.ui.registry import screen

log = logging.getLogger(__name__)
#: How long "Cofnij" stays offered after a knock.
UNDO_S = 6.0


def next_house_number(number: str, step: int) -> str:
    """The next door: "12" → "13" (or "14" with step 2); "12a" → "13"; text without digits stays."""
    found = re.match(r"\s*(\d+)", number or "")
    if not found:
        return number
    return str(int(found.group(1)) + step)


@screen("/doors")
class DoorsScreen(PlaceScreen):
    title_key = "ui.doors.title"

    def build(self) -> ft.Control:
        ctx = self.ctx
        self._build_zone_picker()  # the position reader (the zone is chosen by chips here)
        self.zone_list: list[Zone] = []
        self.zone_choice: str | None = None
        self.step = 1
        self.folded = False
        self._recording = False
        self._undo: tuple[str, str, str, float] | None = None
        self.block: BuildingFlats | None = None
        f = self.form = Form(ctx)
        street = f.add("street", w.text_field(
            self.t("ui.doors.street"),
            on_change=self.on(self._street_edited),
            on_submit=self.on(self._street_typed),
        ))
        number = f.add("house_number", w.text_field(self.t("ui.doors.house_number"), width=100,
                                                    on_blur=self.on(self._number_changed)))
        flat = f.add("flat", w.text_field(self.t("ui.doors.flat"), width=84))
        self.place_title = ft.Text("", size=20, weight=ft.FontWeight.W_700, color=theme.INK, expand=True)
        self.header = ft.Row(
            [self.place_title, w.secondary_button(ctx, self.t("ui.doors.change_place"), self._unfold,
                                                  icon=ft.Icons.EDIT_LOCATION_ALT)],
            visible=False,
        )
        zones_block, self.zone_row = chip_row(self.t("ui.doors.pick_zone"))
        doors_block, self.door_row = chip_row(self.t("ui.doors.pick_building"))
        streets_block, self.street_row = chip_row(self.t("ui.doors.pick_street"))
        self.zones_block = zones_block
        self.step_button = w.secondary_button(ctx, self.t("ui.doors.step.1"), self._toggle_step)
        self.chooser = ft.Column(
            [zones_block, doors_block, streets_block, street, ft.Row([self.step_button])], spacing=8
        )
        self.number_row = ft.Row(
            [
                w.icon_button(ctx, ft.Icons.REMOVE, self.t("ui.doors.previous_door"), self._previous),
                number,
                w.icon_button(ctx, ft.Icons.ADD, self.t("ui.doors.next_door"), self._next),
                flat,
            ],
            spacing=4,
            vertical_alignment=ft.CrossAxisAlignment.START,
        )
        self.status_text = ft.Text("", size=16, color=theme.INK, expand=True, max_lines=2)
        self.undo_button = ft.TextButton(self.t("ui.doors.undo"), on_click=self.on_tap(self._undo_last),
                                         visible=False, height=theme.TOUCH)
        # A fixed-height line: what it says changes, the buttons below never move.
        self.status = ft.Container(ft.Row([self.status_text, self.undo_button]), height=52, border_radius=8,
                                   bgcolor=theme.SURFACE_LOW, padding=ft.Padding.only(left=12))
        outcomes = ft.Column([outcome_button(ctx, code, self.record) for code in DOOR_OUTCOMES], spacing=8)
        self.flats = FlatGrid(ctx, self._flat_tapped, self._set_range)
        self.picker = ContactPicker(ctx, self.t("ui.doors.find_contact"))
        self.recent = ft.Column(spacing=0)
        return ft.Column(
            [self.header, self.chooser, self.number_row, f.banner, self.status, outcomes, self.flats.control,
             self._extras(), w.heading(self.t("ui.doors.recent"), size=18), self.recent],
            spacing=10,
        )

    def _extras(self) -> ft.Control:
        ctx, f = self.ctx, self.form
        notes = f.add("notes", w.text_field(self.t("ui.doors.notes"), multiline=True))
        next_step = f.add("next_step", w.text_field(self.t("ui.doors.next_step")))
        # A fixed width: the row wraps on narrow phones, and a wrapping row cannot stretch a child.
        follow_up = f.add("follow_up_on", w.text_field(self.t("ui.doors.follow_up"),
                                                       hint=self.t("ui.common.date_hint"), width=200))
        return ft.ExpansionTile(
            title=ft.Text(self.t("ui.doors.extras"), size=17, weight=ft.FontWeight.W_600),
            subtitle=ft.Text(self.t("ui.doors.extras_help"), size=14, color=theme.MUTED),
            controls=[ft.Container(ft.Column([
                notes, next_step,
                ft.Row([follow_up,
                        w.secondary_button(ctx, self.t("ui.doors.tomorrow"), lambda: self._follow_in(1)),
                        w.secondary_button(ctx, self.t("ui.doors.in_week"), lambda: self._follow_in(7))],
                       wrap=True),
                self.picker.control,
                w.secondary_button(ctx, self.t("ui.doors.new_contact"), self._new_contact,
                                   icon=ft.Icons.PERSON_ADD),
            ], spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                padding=ft.Padding.only(bottom=12))],
            tile_padding=ft.Padding.symmetric(horizontal=4),
        )

    # -- loading ----------------------------------------------------------------------------

    async def load(self) -> None:
        ctx = self.ctx
        self.zone_list = await ctx.call(zone_service.list_zones, ctx.store)
        walk = await ctx.json_setting(META_WALK)
        if self.zone_choice is None and walk.get("zone_id") in {z.id for z in self.zone_list}:
            self.zone_choice = walk["zone_id"]
        if not self.form.text("street"):
            self.form["street"].value = walk.get("street", "")
            self.form["house_number"].value = walk.get("house_number", "")
        self.step = int(walk.get("step") or 1)
        self.step_button.content.value = self.t(f"ui.doors.step.{self.step}")
        await self._prefill_from_query()
        await self._link_new_contact()
        self._fold(bool(self.form.text("street")))
        self._say_next()
        await self.refresh()
        await self._load_recent()
        self.ctx.page.run_task(self._locate_quietly)

    async def _locate_quietly(self) -> None:
        """The position, when the user allowed it before: the nearest buildings are offered first."""
        try:
            await self._locate(ask=False)
        except Exception:
            log.info("no position for the door screen", exc_info=True)

    async def resume(self) -> None:
        self._clear_undo()  # back from another screen: an old knock is not offered for undoing
        await self.load()

    async def refresh(self) -> None:
        """Zones, the buildings offered, the streets and the current building's flats."""
        self._show_zones()
        await self._load_choices()
        await self._load_block()
        self.update()

    async def _prefill_from_query(self) -> None:
        ctx = self.ctx
        contact_id = self.query.get("contact")
        if contact_id:
            contact = await ctx.call(ctx.store.get, Contact, contact_id)
            if contact and not contact.deleted:
                await self.picker.pick(contact)
                self._set_place(contact.street or contact.address, contact.house_number, contact.flat)
                self.zone_choice = contact.zone_id or self.zone_choice
        visit_id = self.query.get("from_visit")
        if visit_id:
            visit = await ctx.call(ctx.store.get, Visit, visit_id)
            if visit:
                self._set_place(visit.street or visit.address, visit.house_number, visit.flat)
                self.zone_choice = visit.zone_id or self.zone_choice
        if self.query.get("street"):
            self._set_place(self.query["street"], self.query.get("house_number", ""), "")
        self.query = {}  # once: coming back to this screen keeps what the user did since

    async def _link_new_contact(self) -> None:
        """A contact just made with "Nowy kontakt pod tym adresem" is linked to this door."""
        contact_id = await self.ctx.setting(META_DOOR_CONTACT)
        if not contact_id:
            return
        await self.ctx.set_setting(META_DOOR_CONTACT, None)
        contact = await self.ctx.call(self.ctx.store.get, Contact, contact_id)
        if contact is not None and not contact.deleted:
            await self.picker.pick(contact)
            self._set_place(contact.street or self.form.text("street"),
                            contact.house_number or self.form.text("house_number"), contact.flat)

    def _set_place(self, street: str, number: str, flat: str) -> None:
        self.form["street"].value = street or ""
        self.form["house_number"].value = number or ""
        self.form["flat"].value = flat or ""

    def _show_zones(self) -> None:
        self.zones_block.visible = len(self.zone_list) > 1
        self.zone_row.controls = [
            chip(z.name, self.on_tap(lambda e, zid=z.id: self._choose_zone(zid)),
                 chosen=z.id == self.zone_choice)
            for z in self.zone_list
        ]

    async def _load_choices(self) -> None:
        ctx = self.ctx
        start_of_day = datetime.combine(date.today(), clock.min).astimezone()
        position = self.position.point if self.position else None
        choices = await ctx.call(building_service.door_choices, ctx.store, self.zone_choice, position,
                                 since=start_of_day, limit=6)
        self.door_row.controls = [
            chip(format_address(c.street, c.house_number),
                 self.on_tap(lambda e, c=c: self._choose_building(c.street, c.house_number)))
            for c in choices
        ] or [w.muted(self.t("ui.doors.no_buildings"))]
        streets = await ctx.call(visit_service.streets_in_zone, ctx.store, self.zone_choice, limit=8)
        self.street_row.controls = [
            chip(name, self.on_tap(lambda e, s=name: self._choose_street(s)),
                 chosen=name == self.form.text("street"))
            for name in streets
        ]

    async def _load_block(self) -> None:
        street, number = self.form.text("street"), self.form.text("house_number")
        if street and number:
            self.block = await self.ctx.call(building_service.building_flats, self.ctx.store, street, number)
        else:
            self.block = None
        self.flats.show(self.block)

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

    # -- where ------------------------------------------------------------------------------

    def _fold(self, folded: bool) -> None:
        """Once a street is chosen, the choice folds into one line over the number."""
        self.folded = folded
        self.chooser.visible = not folded
        self.header.visible = folded
        self.place_title.value = self.form.text("street")

    async def _unfold(self) -> None:
        self._fold(False)

    async def _choose_zone(self, zone_id: str) -> None:
        self.zone_choice = None if zone_id == self.zone_choice else zone_id
        await self._remember()
        await self.refresh()

    async def _choose_building(self, street: str, number: str) -> None:
        self._set_place(street, number, "")
        self._fold(True)
        self._say_next()
        await self._remember()
        await self._load_block()

    async def _choose_street(self, street: str) -> None:
        if self.form.text("street") != street:
            self._set_place(street, "", "")
        self._fold(True)
        self._say_next()
        await self._remember()
        await self._load_block()

    def _street_edited(self) -> None:
        """Another street typed: the house number and flat were the last street's, so they go."""
        self.form["house_number"].value = ""
        self.form["flat"].value = ""
        self._say_next()

    async def _street_typed(self) -> None:
        if self.form.text("street"):
            await self._choose_street(self.form.text("street"))

    async def _number_changed(self) -> None:
        self._say_next()
        await self._remember()
        await self._load_block()

    async def _toggle_step(self) -> None:
        self.step = 2 if self.step == 1 else 1
        self.step_button.content.value = self.t(f"ui.doors.step.{self.step}")
        await self._remember()

    async def _next(self) -> None:
        self.form["house_number"].value = next_house_number(self.form.text("house_number"), self.step)
        self.form["flat"].value = ""
        await self._number_changed()

    async def _previous(self) -> None:
        previous = next_house_number(self.form.text("house_number"), -self.step)
        if previous.isdigit() and int(previous) >= 1:
            self.form["house_number"].value = previous
            self.form["flat"].value = ""
            await self._number_changed()

    async def _remember(self) -> None:
        zone = next((z for z in self.zone_list if z.id == self.zone_choice), None)
        await self.ctx.set_json_setting(META_WALK, {
            "zone_id": self.zone_choice,
            "zone_name": zone.name if zone else "",
            "street": self.form.text("street"),
            "house_number": self.form.text("house_number"),
            "step": self.step,
        })

    def _place(self) -> str:
        return format_address(self.form.text("street"), self.form.text("house_number"))

    def _say_next(self) -> None:
        if self._undo is not None:
            return
        place = self._place()
        self.status_text.value = (
            self.t("ui.doors.here", place=place) if place else self.t("ui.doors.where_hint")
        )
        self.undo_button.visible = False

    # -- extras -----------------------------------------------------------------------------

    def _follow_in(self, days: int) -> None:
        self.form["follow_up_on"].value = format_date(date.today() + timedelta(days=days), self.ctx.lang)
        self.form["follow_up_on"].error = None

    def _new_contact(self) -> None:
        f = self.form
        params = {"street": f.text("street"), "house_number": f.text("house_number"), "flat": f.text("flat"),
                  "zone": self.zone_choice or ""}
        query = urlencode({k: v for k, v in params.items() if v})
        self.ctx.go("/doors/contact" + (f"?{query}" if query else ""))

    # -- flats ------------------------------------------------------------------------------

    async def _flat_tapped(self, flat: Flat) -> None:
        async def knock(outcome: str) -> None:
            self.ctx.page.pop_dialog()
            self.form["flat"].value = flat.number
            await self.record(outcome)

        self.ctx.page.show_dialog(flat_sheet(self.ctx, self._place(), flat, knock))

    async def _set_range(self) -> None:
        if not (self.form.text("street") and self.form.text("house_number")):
            self.form.show_errors([self.form.field_error("house_number", "error.door_house_number_required")])
            return
        building = self.block.building if self.block else None
        first = building.flat_first if building else None
        last = building.flat_last if building else None
        self.ctx.page.show_dialog(range_dialog(self.ctx, self._place(), first, last, self._save_range))

    async def _save_range(self, first: str, last: str) -> str | None:
        try:
            await self.ctx.call(building_service.save_building, self.ctx.store, {
                "street": self.form.text("street"), "house_number": self.form.text("house_number"),
                "flat_first": first.strip() or None, "flat_last": last.strip() or None,
                "zone_id": self.zone_choice,
            })
        except ValidationFailed as failed:
            return "\n".join(error_text(e, self.ctx.lang) for e in failed.errors)
        self.ctx.services.request_sync()
        await self._load_block()
        return None

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
        if not street:
            self._fold(False)  # the street field shows, with the error under it
        position = self.position
        visit = await f.submit(
            visit_service.log_knock,
            self.ctx.store,
            outcome=outcome,
            address=format_address(street, number, flat),
            street=street,
            house_number=number,
            flat=flat,
            contact_id=self.picker.contact.id if self.picker.contact else None,
            zone_id=self.zone_choice,
            lat=position.point[0] if position else None,
            lon=position.point[1] if position else None,
            notes=f.text("notes"),
            next_step=f.text("next_step"),
            follow_up_on=follow_up_on,
        )
        if visit is None:
            return
        self.ctx.services.request_sync()
        self._offer_undo(visit, outcome, number, flat)
        # Straight to the next door: a knock at a flat stays in the building, else the number moves on.
        if not flat and number:
            f["house_number"].value = next_house_number(number, self.step)
        f["flat"].value = ""
        for name in ("notes", "next_step", "follow_up_on"):
            f[name].value = ""
        await self.picker.pick(None)
        await self._remember()
        await self._load_block()
        await self._load_recent()

    def _offer_undo(self, visit: Visit, outcome: str, number: str, flat: str) -> None:
        place = address_of(visit) or self.t("ui.today.no_address")
        said = self.t(f"visit.outcome.{outcome}")
        self.status_text.value = self.t("ui.doors.saved", outcome=said, place=place)
        self.undo_button.visible = True
        self._undo = (visit.id, number, flat, time.monotonic() + UNDO_S)
        token = self._undo
        self.ctx.page.run_task(self._expire_undo, token)

    async def _expire_undo(self, token: tuple[str, str, str, float]) -> None:
        await asyncio.sleep(UNDO_S)
        if self._undo is token:
            self._clear_undo()
            self._say_next()
            self.update()

    def _clear_undo(self) -> None:
        self._undo = None
        self.undo_button.visible = False

    async def _undo_last(self) -> None:
        offer = self._undo
        if offer is None or time.monotonic() > offer[3]:
            self._clear_undo()
            self._say_next()
            return
        visit_id, number, flat, _ = offer
        await self.ctx.call(visit_service.undo_visit, self.ctx.store, visit_id)
        self._clear_undo()
        self.form["house_number"].value = number  # back to the door the mistake was made at
        self.form["flat"].value = flat
        await self._remember()
        self.status_text.value = self.t("ui.doors.undone")
        await self._load_block()
        await self._load_recent()
