"""The app shell: the stack of views, the bottom navigation and routing between screens."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import flet as ft

from fieldapp.ui import registry, theme
from fieldapp.ui.context import UiContext
from fieldapp.ui.screen import Screen

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    route: str
    spec: registry.RouteSpec
    screen: Screen
    view: ft.View


class Shell:
    """Maps routes to a stack of views: the tab's root screen at the bottom, detail screens above.

    Tapping a tab resets the stack to that tab's root. Opening a detail route pushes it on top;
    going back (the app-bar arrow or Android's back) pops it and refreshes the screen below.
    """

    def __init__(self, ctx: UiContext) -> None:
        self.ctx = ctx
        self.page = ctx.page
        self.stack: list[_Entry] = []
        ctx.nav = self

    def start(self) -> None:
        self.page.on_route_change = self.ctx.handler(self._on_route_change)
        self.page.on_view_pop = self.ctx.handler(self._on_view_pop)
        self.show(self.page.route)

    async def _on_route_change(self, e: ft.RouteChangeEvent) -> None:
        self.show(e.route)

    async def _on_view_pop(self, e: ft.ViewPopEvent) -> None:
        await self.back()

    # -- navigation -------------------------------------------------------------------------

    def show(self, route: str) -> None:
        """Make ``route`` the top of the stack (building what is needed) and load new screens."""
        found = registry.match(route)
        if found is None:
            route = self._fallback_route()
            found = registry.match(route)
            assert found is not None, "no screen is registered"
        spec, _params = found
        existing = next((i for i, entry in enumerate(self.stack) if entry.route == route), None)
        fresh: list[_Entry] = []
        if existing is not None:
            del self.stack[existing + 1 :]
            resumed = self.stack[-1]
            self.page.run_task(self._load, resumed, True)
        else:
            if spec.is_tab_root or not self.stack or self.stack[0].spec.tab != spec.tab:
                self.stack = []
                if not spec.is_tab_root and registry.match(spec.tab):
                    fresh.append(self._entry(spec.tab))
            fresh.append(self._entry(route))
            self.stack.extend(fresh)
        self.page.views = [entry.view for entry in self.stack]
        self.page.update()
        for entry in fresh:
            self.page.run_task(self._load, entry, False)

    @staticmethod
    def _fallback_route() -> str:
        """Home, or (if its module failed to load) the first tab that has a screen."""
        for tab in registry.TABS:
            if registry.match(tab.route):
                return tab.route
        return registry.HOME

    async def back(self) -> None:
        """Close the top screen and return to the one below (or to the home tab)."""
        if len(self.stack) > 1:
            self.stack.pop()
            target = self.stack[-1].route
        else:
            target = self._fallback_route()
        await self.page.push_route(target)

    async def replace(self, route: str) -> None:
        """Close the top screen and open ``route`` in its place (e.g. a saved form → the record)."""
        if len(self.stack) > 1:
            self.stack.pop()
        await self.page.push_route(route)

    def rebuild(self) -> None:
        """Rebuild every view (after the language changed), keeping the same routes."""
        routes = [entry.route for entry in self.stack]
        self.stack = [self._entry(route) for route in routes]
        self.page.views = [entry.view for entry in self.stack]
        self.page.update()
        for entry in self.stack:
            self.page.run_task(self._load, entry, False)

    async def _load(self, entry: _Entry, resume: bool) -> None:
        try:
            await (entry.screen.resume() if resume else entry.screen.load())
            self.page.update()
        except Exception as exc:
            self.ctx.report_unexpected(exc)

    # -- building views ---------------------------------------------------------------------

    def _entry(self, route: str) -> _Entry:
        found = registry.match(route)
        assert found is not None, route
        spec, params = found
        screen = spec.factory(self.ctx, route, params, registry.query_params(route))
        return _Entry(route, spec, screen, self._view(route, spec, screen))

    def _view(self, route: str, spec: registry.RouteSpec, screen: Screen) -> ft.View:
        try:
            body = screen.build()
        except Exception as exc:
            self.ctx.report_unexpected(exc)
            body = ft.Text(self.ctx.t("ui.error.screen"), size=18)
        if isinstance(body, ft.Column) and body.horizontal_alignment == ft.CrossAxisAlignment.START:
            # Phone first: fields and main buttons take the full width of the screen.
            body.horizontal_alignment = ft.CrossAxisAlignment.STRETCH
        content: ft.Control
        if screen.scrolls:
            content = ft.Column([body], scroll=ft.ScrollMode.AUTO, expand=True)
        else:
            content = ft.Container(body, expand=True)
        return ft.View(
            route=route,
            appbar=self._appbar(spec, screen),
            controls=[ft.SafeArea(content, expand=True)],
            navigation_bar=self._navigation(spec) if spec.is_tab_root else None,
            floating_action_button=screen.fab(),
            padding=ft.Padding.symmetric(horizontal=12, vertical=8),
            bgcolor=theme.SURFACE,
        )

    def _appbar(self, spec: registry.RouteSpec, screen: Screen) -> ft.AppBar:
        leading = None
        if not spec.is_tab_root:
            leading = ft.IconButton(
                ft.Icons.ARROW_BACK,
                tooltip=self.ctx.t("ui.common.back"),
                on_click=self.ctx.handler(self.back),
                icon_size=28,
                width=theme.TOUCH,
                height=theme.TOUCH,
            )
        return ft.AppBar(
            title=ft.Text(screen.title(), size=20, weight=ft.FontWeight.W_600),
            leading=leading,
            automatically_imply_leading=False,
            actions=screen.actions(),
            bgcolor=theme.PRIMARY,
            color=ft.Colors.WHITE,
        )

    def _navigation(self, spec: registry.RouteSpec) -> ft.NavigationBar:
        tabs = registry.TABS
        selected = next((i for i, tab in enumerate(tabs) if tab.route == spec.tab), 0)

        async def change(e: ft.ControlEvent) -> None:
            await self.page.push_route(tabs[e.control.selected_index].route)

        return ft.NavigationBar(
            destinations=[
                ft.NavigationBarDestination(
                    icon=tab.icon, selected_icon=tab.selected_icon, label=self.ctx.t(tab.label_key)
                )
                for tab in tabs
            ],
            selected_index=selected,
            on_change=self.ctx.handler(change),
            bgcolor=theme.SURFACE_LOW,
            indicator_color=theme.PRIMARY_CONTAINER,
        )
