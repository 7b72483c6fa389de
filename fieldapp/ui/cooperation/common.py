"""Pieces shared by the network screens: vocabulary options, zone choice, finding people to add."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum
from typing import Any

import flet as ft

from fieldapp.model import Contact
from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.ui import theme
from fieldapp.ui import widgets as w
from fieldapp.ui.context import META_ZONE, UiContext

#: Colours of the node kinds in the network drawing and on badges (white text ≥ 7:1).
KIND_COLORS = {"person": "#0B4A8F", "organisation": "#1B5E20", "group": "#7A4100"}


def options(ctx: UiContext, prefix: str, vocabulary: type[StrEnum]) -> list[tuple[str, str]]:
    """``(value, text)`` pairs of a vocabulary whose texts are ``<prefix>.<value>``."""
    return [(item.value, ctx.t(f"{prefix}.{item.value}")) for item in vocabulary]


def contact_name(ctx: UiContext, contact: Contact | None) -> str:
    if contact is None:
        return ctx.t("network.ui.erased_person")
    return contact.name or ctx.t("ui.contacts.unnamed")


def is_person(contact: Contact) -> bool:
    return contact.kind in NATURAL_PERSON_KINDS


async def zone_options(ctx: UiContext) -> list[tuple[str, str]]:
    from fieldapp.ui.contacts import zone_names

    zones = await zone_names(ctx)
    return sorted(zones.items(), key=lambda item: item[1].casefold())


#: The zone chosen on the Strefa screen (kept in the store's meta by ``fieldapp.ui.zone``).


async def current_zone(ctx: UiContext, query: dict[str, str]) -> str | None:
    """The zone a network screen starts with: ``?zone=`` or the one chosen on Strefa."""
    return query.get("zone") or await ctx.setting(META_ZONE) or None


def section(title: str, *controls: ft.Control) -> ft.Column:
    return ft.Column([w.heading(title, size=18), *controls], spacing=6)


class PeopleFinder:
    """Type a name, tap a result to add that contact (to a meeting, a group, a partnership).

    ``on_pick(contact)`` does the adding; ``exclude`` returns the ids already added (hidden).
    """

    def __init__(
        self,
        ctx: UiContext,
        label: str,
        on_pick: Callable[[Contact], Awaitable[Any]],
        *,
        exclude: Callable[[], Iterable[str]] = tuple,
        organisations_only: bool = False,
    ) -> None:
        self.ctx = ctx
        self.on_pick = on_pick
        self.exclude = exclude
        self.organisations_only = organisations_only
        self.query = w.text_field(
            label, prefix_icon=ft.Icons.PERSON_SEARCH, on_change=ctx.handler(self._typed)
        )
        self.results = ft.Column(spacing=0)
        self.control = ft.Column([self.query, self.results], spacing=4)

    async def _typed(self) -> None:
        query = (self.query.value or "").strip()
        if len(query) < 2:
            self.results.controls = []
            self.ctx.page.update()
            return
        found: list[Contact] = await self.ctx.call(self.ctx.store.search_contacts, query, limit=8)
        if (self.query.value or "").strip() != query:
            return  # the user typed on; the newer search answers
        skip = set(self.exclude())
        found = [c for c in found if c.id not in skip and not (self.organisations_only and is_person(c))]
        self.results.controls = [
            w.row_tile(
                self.ctx,
                contact_name(self.ctx, c),
                self.ctx.t(f"contact.kind.{c.kind}"),
                on_click=lambda e, c=c: self._pick(c),
                leading=ft.Icon(ft.Icons.ADD_CIRCLE_OUTLINE, color=theme.PRIMARY),
            )
            for c in found
        ] or [w.empty(self.ctx.t("ui.contacts.not_found"))]
        self.ctx.page.update()

    async def _pick(self, contact: Contact) -> None:
        self.query.value = ""
        self.results.controls = []
        await self.on_pick(contact)
        self.ctx.page.update()
