"""One community place: its stage and history, partners by sector, rooms, bookings (clashes
flagged) and the self-assessment against the principles."""

from __future__ import annotations

from datetime import date

import flet as ft

from fieldapp.errors import FieldError
from fieldapp.model import Contact
from fieldapp.model.cooperation import SECTOR_OF_KIND, Sector
from fieldapp.model.places import PRINCIPLES, Framework, PlaceStage
from fieldapp.services import cooperation as net
from fieldapp.services import places as svc
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.community.places import stage_text
from fieldapp.ui.cooperation.common import PeopleFinder, contact_name, options, section
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen


@screen("/zone/places/:place_id")
class PlaceScreen(Screen):
    title_key = "places.ui.place"

    def build(self) -> ft.Control:
        ctx, t = self.ctx, self.t
        today = w.format_date(date.today(), ctx.lang)
        self.header = ft.Column([w.muted(t("ui.common.loading"))], spacing=6)
        self.history = ft.Column(spacing=0)
        s = self.stage_form = Form(ctx)
        self.stage = s.add(
            "stage", w.ChoiceField(ctx, t("places.ui.next_stage"), options(ctx, "places.stage", PlaceStage))
        )
        s.add("stage_name", w.text_field(t("places.ui.stage_name")))
        s.add(
            "changed_on", w.text_field(t("places.ui.stage_date"), hint=t("ui.common.date_hint"), value=today)
        )
        p = self.partner_form = Form(ctx)
        p.add("name", w.text_field(t("places.ui.partner_name")))
        self.sector = p.add(
            "sector", w.ChoiceField(ctx, t("places.ui.sector"), options(ctx, "network.sector", Sector))
        )
        self.sectors = w.muted("")
        self.partner_ids: set[str] = set()
        self.finder = PeopleFinder(
            ctx,
            t("places.ui.find_partner"),
            self._pick_partner,
            exclude=lambda: self.partner_ids,
            organisations_only=True,
        )
        self.partners = ft.Column(spacing=0)
        r = self.room_form = Form(ctx)
        r.add("name", w.text_field(t("places.ui.room_name")))
        r.add("capacity", w.text_field(t("places.ui.capacity"), keyboard=ft.KeyboardType.NUMBER))
        r.add("equipment", w.text_field(t("places.ui.equipment")))
        self.rooms = ft.Column(spacing=0)
        b = self.booking_form = Form(ctx)
        self.room = b.add("room_id", w.ChoiceField(ctx, t("places.ui.room"), []))
        b.add(
            "booked_on", w.text_field(t("places.ui.booking_day"), hint=t("ui.common.date_hint"), value=today)
        )
        b.add("start_time", w.text_field(t("places.ui.start"), hint="17:00"))
        b.add("end_time", w.text_field(t("places.ui.end"), hint="19:00"))
        self.group = b.add(
            "group_id", w.ChoiceField(ctx, t("places.ui.group"), [], allow_empty=t("places.ui.no_group"))
        )
        b.add("booked_for", w.text_field(t("places.ui.booked_for")))
        self.bookings = ft.Column(spacing=0)
        a = self.assess_form = Form(ctx)
        self.framework = a.add(
            "framework",
            w.ChoiceField(
                ctx,
                t("places.ui.framework"),
                options(ctx, "places.framework", Framework),
                value="cal",
                on_change=lambda field: self._checklist(),
            ),
        )
        a.add(
            "assessed_on",
            w.text_field(t("places.ui.assess_date"), hint=t("ui.common.date_hint"), value=today),
        )
        self.checks = ft.Column(spacing=0)
        self.assessments = ft.Column(spacing=0)
        self._checklist()
        return ft.Column(
            [
                self.header,
                section(
                    t("places.ui.stage"),
                    self.history,
                    s.banner,
                    self.stage.control,
                    s["stage_name"],
                    s["changed_on"],
                    w.secondary_button(ctx, t("places.ui.move_stage"), self._move, icon=ft.Icons.TRENDING_UP),
                ),
                section(
                    t("places.ui.partners"),
                    self.sectors,
                    self.partners,
                    self.finder.control,
                    p.banner,
                    p["name"],
                    self.sector.control,
                    w.secondary_button(ctx, t("places.ui.add_partner"), self._add_partner, icon=ft.Icons.ADD),
                ),
                section(
                    t("places.ui.rooms"),
                    self.rooms,
                    r.banner,
                    r["name"],
                    r["capacity"],
                    r["equipment"],
                    w.secondary_button(ctx, t("places.ui.add_room"), self._add_room, icon=ft.Icons.ADD),
                ),
                section(
                    t("places.ui.bookings"),
                    self.bookings,
                    b.banner,
                    self.room.control,
                    b["booked_on"],
                    b["start_time"],
                    b["end_time"],
                    self.group.control,
                    b["booked_for"],
                    w.primary_button(ctx, t("places.ui.book"), self._book, icon=ft.Icons.EVENT_AVAILABLE),
                ),
                section(
                    t("places.ui.assessment"),
                    self.assessments,
                    a.banner,
                    self.framework.control,
                    a["assessed_on"],
                    self.checks,
                    w.secondary_button(ctx, t("places.ui.assess"), self._assess, icon=ft.Icons.CHECKLIST),
                ),
            ],
            spacing=16,
        )

    @property
    def place_id(self) -> str:
        return self.params["place_id"]

    def _checklist(self) -> None:
        framework = self.framework.value or "cal"
        self.checks.controls = [
            ft.Checkbox(label=self.t(f"places.principle.{p}"), value=False, data=p)
            for p in PRINCIPLES[framework]
        ]

    async def load(self) -> None:
        ctx, t = self.ctx, self.t
        store, pid = ctx.store, self.place_id
        place = await ctx.call(svc.get_place, store, pid)
        self.header.controls = [
            w.heading(place.name, size=22),
            w.body(t(f"places.kind.{place.kind}")),
            w.body(stage_text(ctx, place)),
        ]
        if place.address:
            self.header.controls.append(w.muted(place.address))
        history = await ctx.call(svc.stage_history, store, pid)
        self.history.controls = [
            w.row_tile(
                ctx,
                h.stage_name if h.stage == "own" and h.stage_name else t(f"places.stage.{h.stage}"),
                " · ".join(x for x in (w.format_date(h.changed_on, ctx.lang), h.note) if x),
                leading=ft.Icon(ft.Icons.HISTORY),
            )
            for h in history
        ]
        by_sector = await ctx.call(svc.partners_by_sector, store, pid)
        self.sectors.value = t(
            "places.ui.sectors",
            sectors=", ".join(
                f"{t(f'network.sector.{s.value}')}: {by_sector[s.value]}"
                for s in Sector
                if s.value in by_sector
            )
            or "—",
        )
        partners = await ctx.call(svc.place_partners, store, pid)
        self.partner_ids = {p.contact_id for p in partners if p.contact_id}
        names = {}
        for partner in partners:
            if partner.contact_id:
                names[partner.id] = contact_name(ctx, await ctx.call(store.get, Contact, partner.contact_id))
        self.partners.controls = [
            w.row_tile(
                ctx,
                names.get(p.id) or p.name or "—",
                t(f"network.sector.{p.sector}"),
                leading=ft.Icon(ft.Icons.HANDSHAKE),
            )
            for p in partners
        ] or [w.empty(t("places.ui.no_partners"))]
        rooms = await ctx.call(svc.place_rooms, store, pid)
        self.rooms.controls = [
            w.row_tile(
                ctx,
                r.name,
                t("places.ui.room_line", capacity=r.capacity, equipment=r.equipment or "—"),
                leading=ft.Icon(ft.Icons.MEETING_ROOM),
            )
            for r in rooms
        ] or [w.empty(t("places.ui.no_rooms"))]
        self.room.set_options([(r.id, r.name) for r in rooms])
        if self.room.value is None and rooms:
            self.room.set_value(rooms[0].id)
        groups = await ctx.call(net.list_groups, store, zone_id=place.zone_id)
        self.group.set_options([(g.id, g.name) for g in groups])
        await self._show_bookings({r.id: r.name for r in rooms}, {g.id: g.name for g in groups})
        found = await ctx.call(svc.assessments, store, pid)
        self.assessments.controls = [
            w.row_tile(
                ctx,
                w.format_date(a.assessed_on, ctx.lang),
                t(
                    "places.ui.assessment_line",
                    framework=t(f"places.framework.{a.framework}"),
                    met=a.met,
                    all=len(a.lines),
                ),
                leading=ft.Icon(ft.Icons.CHECKLIST),
            )
            for a in found
        ] or [w.empty(t("places.ui.no_assessments"))]

    async def _show_bookings(self, rooms: dict[str, str], groups: dict[str, str]) -> None:
        ctx, t = self.ctx, self.t
        rows = await ctx.call(svc.bookings, ctx.store, self.place_id)
        clashing = svc.clashes(rows)
        self.clashing = bool(clashing)
        controls: list[ft.Control] = []
        for b in rows:
            who = groups.get(b.group_id or "", "") or b.booked_for
            when = f"{w.format_date(b.booked_on, ctx.lang)} {b.start_time}–{b.end_time}"
            controls.append(
                w.row_tile(
                    ctx,
                    f"{rooms.get(b.room_id, '—')} · {when}",
                    who,
                    leading=ft.Icon(
                        ft.Icons.WARNING if b.id in clashing else ft.Icons.EVENT,
                        color=theme.DANGER if b.id in clashing else theme.PRIMARY,
                    ),
                    trailing=w.badge(t("places.ui.clash"), theme.DANGER) if b.id in clashing else None,
                )
            )
        self.bookings.controls = controls or [w.empty(t("places.ui.no_bookings"))]

    async def _refresh(self, message: str) -> None:
        self.ctx.toast(message)
        await self.load()
        self.update()

    async def _move(self) -> None:
        s = self.stage_form
        s.clear_errors()
        errors: list[FieldError] = []
        on = s.date("changed_on", errors)
        if errors:
            s.show_errors(errors)
            return
        stage = self.stage.value or ""
        place = await s.submit(
            svc.move_stage, self.ctx.store, self.place_id, stage, on=on, stage_name=s.text("stage_name")
        )
        if place is not None:
            await self._refresh(self.t("places.ui.stage_moved", stage=stage_text(self.ctx, place)))

    async def _pick_partner(self, contact: Contact) -> None:
        """An organisation among the contacts, in the sector its kind usually belongs to."""
        data = {
            "contact_id": contact.id,
            "sector": self.sector.value or SECTOR_OF_KIND.get(contact.kind, "civic"),
        }
        if await self.partner_form.submit(svc.add_partner, self.ctx.store, self.place_id, data) is not None:
            await self._refresh(self.t("ui.common.saved"))

    async def _add_partner(self) -> None:
        p = self.partner_form
        p.clear_errors()
        data = {"name": p.text("name"), "sector": self.sector.value or ""}
        if await p.submit(svc.add_partner, self.ctx.store, self.place_id, data) is not None:
            p["name"].value = ""
            await self._refresh(self.t("ui.common.saved"))

    async def _add_room(self) -> None:
        r = self.room_form
        r.clear_errors()
        errors: list[FieldError] = []
        capacity = r.integer("capacity", errors)
        if errors:
            r.show_errors(errors)
            return
        data = {"name": r.text("name"), "capacity": capacity, "equipment": r.text("equipment")}
        if await r.submit(svc.add_room, self.ctx.store, self.place_id, data) is not None:
            for name in ("name", "capacity", "equipment"):
                r[name].value = ""
            await self._refresh(self.t("ui.common.saved"))

    async def _book(self) -> None:
        b = self.booking_form
        b.clear_errors()
        errors: list[FieldError] = []
        day = b.date("booked_on", errors)
        if errors:
            b.show_errors(errors)
            return
        data = {
            "room_id": self.room.value or "",
            "booked_on": day,
            "start_time": b.text("start_time"),
            "end_time": b.text("end_time"),
            "group_id": self.group.value,
            "booked_for": b.text("booked_for"),
        }
        if await b.submit(svc.book, self.ctx.store, self.place_id, data) is None:
            return
        b["booked_for"].value = ""
        self.ctx.toast(self.t("places.ui.booked"))
        await self.load()
        if self.clashing:
            self.ctx.toast(self.t("places.ui.booked_clash"))
        self.update()

    async def _assess(self) -> None:
        a = self.assess_form
        a.clear_errors()
        errors: list[FieldError] = []
        on = a.date("assessed_on", errors)
        if errors:
            a.show_errors(errors)
            return
        met = [c.data for c in self.checks.controls if isinstance(c, ft.Checkbox) and c.value]
        if (
            await a.submit(
                svc.assess, self.ctx.store, self.place_id, self.framework.value or "", on or date.today(), met
            )
            is not None
        ):
            self._checklist()
            await self._refresh(self.t("ui.common.saved"))
