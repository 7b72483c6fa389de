"""Kontakty: the list (kind and zone on each row) with search as you type (the store's FTS).

Searching folds diacritics, so "lodz" finds "Łódź". Each keystroke starts a search in a worker
thread; only the answer to the latest text is shown.
"""

from __future__ import annotations

import asyncio

import flet as ft

from fieldapp.model import Contact, Zone
from fieldapp.services import contacts as contact_service
from fieldapp.services import zones as zone_service
from fieldapp.services.contacts import count_contacts
from fieldapp.services.rodo.audit import record_listing
from fieldapp.ui import widgets as w
from fieldapp.ui.registry import screen
from fieldapp.ui.screen import Screen

#: Rows of the first page: two screens of a phone. Drawing rows is most of the time the list takes
#: to appear in a browser (50 rows: ~600 ms from the tap in tests/benchmarks/ui.py, the reads
#: ~2 ms), so more come with "Pokaż więcej".
PAGE = 20
#: Pause after a keystroke before searching, so fast typing does not queue a search per letter
#: (people type a letter every ~150-250 ms; 100 ms keeps the answer under 300 ms).
SEARCH_DELAY_S = 0.1


def contact_title(ctx, contact: Contact) -> str:
    return contact.name or ctx.t("ui.contacts.unnamed")


def contact_subtitle(ctx, contact: Contact, zones: dict[str, str]) -> str:
    parts = [ctx.t(f"contact.kind.{contact.kind}")]
    if contact.zone_id and contact.zone_id in zones:
        parts.append(zones[contact.zone_id])
    if contact.address:
        parts.append(contact.address)
    return " · ".join(parts)


async def zone_names(ctx) -> dict[str, str]:
    zones: list[Zone] = await ctx.call(zone_service.list_zones, ctx.store)
    return {z.id: z.name for z in zones}


@screen("/contacts")
class ContactsScreen(Screen):
    title_key = "ui.contacts.title"
    scrolls = False

    def build(self) -> ft.Control:
        self.zones: dict[str, str] = {}
        self.offset = 0
        self.generation = 0
        self.search = w.text_field(
            self.t("ui.contacts.search"),
            hint=self.t("ui.contacts.search_hint"),
            prefix_icon=ft.Icons.SEARCH,
            on_change=self.on(self._typed),
            autofocus=False,
        )
        self.summary = w.muted("")
        self.list = ft.ListView(spacing=0, expand=True)
        self.more = w.secondary_button(self.ctx, self.t("ui.contacts.more"), self._more)
        self.more.visible = False
        return ft.Column([self.search, self.summary, self.list], spacing=8, expand=True)

    def fab(self) -> ft.FloatingActionButton:
        return w.fab(
            self.ctx, self.t("ui.contacts.add"), lambda: self.ctx.go("/contacts/new"), ft.Icons.PERSON_ADD
        )

    async def load(self) -> None:
        self.zones = await zone_names(self.ctx)
        await self._refresh()

    async def _typed(self) -> None:
        self.generation += 1
        mine = self.generation
        await asyncio.sleep(SEARCH_DELAY_S)
        if mine == self.generation:
            await self._refresh()

    async def _refresh(self) -> None:
        mine = self.generation
        query = (self.search.value or "").strip()
        self.offset = 0
        if query:
            found = await self.ctx.call(contact_service.search_contacts, self.ctx.store, query, limit=PAGE)
            summary = (
                self.t("ui.contacts.found", count=len(found)) if found else self.t("ui.contacts.not_found")
            )
        else:
            found = await self.ctx.call(contact_service.list_contacts, self.ctx.store, limit=PAGE)
            total = await self.ctx.call(count_contacts, self.ctx.store)
            summary = self.ctx.tn("ui.contacts.total", total)
        if mine != self.generation:
            return  # a newer keystroke is being answered
        await self.ctx.call(record_listing, self.ctx.store, found)  # who saw whom (RODO)
        self.summary.value = summary
        self.list.controls = [self._row(c) for c in found]
        self.more.visible = not query and len(found) == PAGE
        if self.more.visible:
            self.list.controls.append(self.more)
        if not found and not query:
            self.list.controls = [w.empty(self.t("ui.contacts.empty"))]
        self.update()

    async def _more(self) -> None:
        self.offset += PAGE
        found = await self.ctx.call(
            contact_service.list_contacts, self.ctx.store, limit=PAGE, offset=self.offset
        )
        await self.ctx.call(record_listing, self.ctx.store, found)
        self.list.controls.remove(self.more)
        self.list.controls.extend(self._row(c) for c in found)
        self.more.visible = len(found) == PAGE
        if self.more.visible:
            self.list.controls.append(self.more)

    def _row(self, contact: Contact) -> ft.Control:
        return w.row_tile(
            self.ctx,
            contact_title(self.ctx, contact),
            contact_subtitle(self.ctx, contact, self.zones),
            on_click=lambda e, cid=contact.id: self.ctx.go(f"/contacts/{cid}"),
            leading=ft.Icon(ft.Icons.PERSON if contact.kind in ("resident", "leader") else ft.Icons.GROUPS),
        )


class ContactPicker:
    """Find a contact by typing and pick it (links a visit or a resource to a person or organisation)."""

    def __init__(self, ctx, label: str, on_pick=None) -> None:
        self.ctx = ctx
        self.contact: Contact | None = None
        self.on_pick = on_pick
        self.chosen = w.muted(ctx.t("ui.picker.none"))
        self.clear_button = w.icon_button(
            ctx, ft.Icons.CLOSE, ctx.t("ui.picker.clear"), lambda: self.pick(None)
        )
        self.clear_button.visible = False
        self.query = w.text_field(label, prefix_icon=ft.Icons.SEARCH, on_change=ctx.handler(self._typed))
        self.results = ft.Column(spacing=0)
        self.control = ft.Column(
            [ft.Row([ft.Container(self.chosen, expand=True), self.clear_button]), self.query, self.results],
            spacing=4,
        )

    async def _typed(self) -> None:
        query = (self.query.value or "").strip()
        if len(query) < 2:
            self.results.controls = []
            return
        found = await self.ctx.call(contact_service.search_contacts, self.ctx.store, query, limit=5)
        if (self.query.value or "").strip() != query:
            return  # the user typed on; the newer search answers
        self.results.controls = [
            w.row_tile(
                self.ctx,
                contact_title(self.ctx, c),
                c.address,
                on_click=lambda e, c=c: self.pick(c),
                leading=ft.Icon(ft.Icons.PERSON_SEARCH),
            )
            for c in found
        ] or [w.empty(self.ctx.t("ui.contacts.not_found"))]

    async def pick(self, contact: Contact | None) -> None:
        self.contact = contact
        self.chosen.value = (
            self.ctx.t("ui.picker.chosen", name=contact_title(self.ctx, contact))
            if contact
            else self.ctx.t("ui.picker.none")
        )
        self.clear_button.visible = contact is not None
        self.results.controls = []
        self.query.value = ""
        if self.on_pick:
            result = self.on_pick(contact)
            if hasattr(result, "__await__"):
                await result
