"""The base class of every screen."""

from __future__ import annotations

from typing import Any, ClassVar

import flet as ft

from fieldapp.ui.context import UiContext


class Screen:
    """One screen of the app.

    The shell calls ``build()`` (fast, no database access) and shows the result at once, then
    awaits ``load()`` to fill it from the store off the event loop. ``resume()`` runs when the
    screen is on top again after a screen above it closed (default: ``load()`` again, so lists
    show what was just edited).
    """

    #: Catalog key of the app-bar title.
    title_key: ClassVar[str] = ""
    #: Whether the content scrolls as a whole (forms, details). Lists that manage their own
    #: scrolling set this to False and expand.
    scrolls: ClassVar[bool] = True

    def __init__(self, ctx: UiContext, route: str, params: dict[str, str], query: dict[str, str]) -> None:
        self.ctx = ctx
        self.route = route
        self.params = params
        self.query = query

    # -- what the shell asks for ------------------------------------------------------------

    def t(self, key: str, /, **params: object) -> str:
        return self.ctx.t(key, **params)

    def title(self) -> str:
        return self.t(self.title_key) if self.title_key else ""

    def build(self) -> ft.Control:
        raise NotImplementedError

    def actions(self) -> list[ft.Control]:
        """App-bar actions (icon buttons with tooltips)."""
        return []

    def fab(self) -> ft.FloatingActionButton | None:
        return None

    async def load(self) -> None:
        """Fill the screen from the store (use ``await self.ctx.call(...)`` for blocking calls)."""

    async def resume(self) -> None:
        await self.load()

    # -- helpers ----------------------------------------------------------------------------

    def on(self, fn: Any) -> Any:
        """An event handler that never lets an error reach the user (see ``UiContext.handler``)."""
        return self.ctx.handler(fn)

    def on_tap(self, fn: Any) -> Any:
        """A tap handler: as ``on``, and a second tap while the first is handled is ignored."""
        return self.ctx.handler(fn, exclusive=True)

    def update(self) -> None:
        self.ctx.page.update()
