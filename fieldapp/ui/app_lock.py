"""The app lock on screen: after the set idle time (no navigation, or the app in the background)
a modal asks for the PIN before anything is shown again (``fieldapp.services.app_lock``), and the
settings screen where the user sets it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import flet as ft

from fieldapp.errors import ValidationFailed
from fieldapp.i18n import error_text
from fieldapp.services.app_lock import is_idle, lock_settings, remove_pin, set_pin, verify_pin
from fieldapp.ui import widgets as w
from fieldapp.ui.context import UiContext
from fieldapp.ui.forms import Form
from fieldapp.ui.registry import MenuEntry, screen
from fieldapp.ui.screen import Screen

#: How often the idle time is looked at.
CHECK_EVERY_S = 5.0


class AppLock:
    """Watches activity (route changes, the app coming back to the foreground) and locks."""

    def __init__(self, ctx: UiContext) -> None:
        self.ctx = ctx
        self.page = ctx.page
        self.last = time.monotonic()
        self.locked = False

    def start(self) -> None:
        for name in ("on_route_change", "on_view_pop"):
            self._wrap(name)
        self.page.on_app_lifecycle_state_change = self._lifecycle
        self.page.run_task(self._watch)

    def _wrap(self, name: str) -> None:
        inner = getattr(self.page, name)

        async def handler(e: Any) -> None:
            if self.locked:
                return
            self.touch()
            if inner is not None:
                result = inner(e)
                if asyncio.iscoroutine(result):
                    await result

        setattr(self.page, name, handler)

    def touch(self) -> None:
        self.last = time.monotonic()

    async def _lifecycle(self, e: ft.AppLifecycleStateChangeEvent) -> None:
        if e.state == ft.AppLifecycleState.RESUME:
            await self.check()

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_EVERY_S)
            await self.check()

    async def check(self) -> None:
        if self.locked:
            return
        enabled, minutes = await self.ctx.call(lock_settings, self.ctx.store)
        if enabled and is_idle(self.last, time.monotonic(), minutes):
            self.lock()

    def lock(self) -> None:
        ctx = self.ctx
        self.locked = True
        pin = w.text_field(ctx.t("ui.lock.pin"), password=True, keyboard=ft.KeyboardType.NUMBER)
        error = ft.Text("", color=ft.Colors.RED_700, visible=False)

        async def unlock() -> None:
            if await ctx.call(verify_pin, ctx.store, pin.value or ""):
                self.locked = False
                self.touch()
                ctx.page.pop_dialog()
                return
            error.value, error.visible = ctx.t("ui.lock.wrong"), True
            pin.value = ""
            error.update()
            pin.update()

        pin.on_submit = lambda _e: ctx.page.run_task(unlock)
        ctx.page.show_dialog(
            ft.AlertDialog(
                modal=True,
                title=ft.Text(ctx.t("ui.lock.title")),
                content=ft.Column([ft.Text(ctx.t("ui.lock.text")), pin, error], tight=True),
                actions=[w.primary_button(ctx, ctx.t("ui.lock.unlock"), unlock)],
            )
        )


@screen("/more/lock", menu=MenuEntry("/more", "ui.lock.menu", ft.Icons.LOCK_CLOCK, order=50))
class LockSettingsScreen(Screen):
    title_key = "ui.lock.menu"

    def build(self) -> ft.Control:
        ctx = self.ctx
        f = self.form = Form(ctx)
        self.state = w.muted("")
        return ft.Column(
            [
                w.muted(self.t("ui.lock.intro")),
                self.state,
                f.banner,
                f.add("pin", w.text_field(self.t("ui.lock.new_pin"), password=True,
                                          keyboard=ft.KeyboardType.NUMBER)),
                f.add("idle_minutes", w.text_field(self.t("ui.lock.minutes"), value="5",
                                                   keyboard=ft.KeyboardType.NUMBER)),
                w.primary_button(ctx, self.t("ui.lock.save"), self.save, icon=ft.Icons.LOCK),
                w.secondary_button(ctx, self.t("ui.lock.off"), self.off, icon=ft.Icons.LOCK_OPEN),
            ],
            spacing=10,
        )

    async def load(self) -> None:
        enabled, minutes = await self.ctx.call(lock_settings, self.ctx.store)
        self.state.value = self.t("ui.lock.on", minutes=minutes) if enabled else self.t("ui.lock.is_off")

    async def save(self) -> None:
        f = self.form
        errors: list[Any] = []
        minutes = f.integer("idle_minutes", errors, default=5)
        if errors:
            f.show_errors(errors)
            return
        f.clear_errors()
        if await f.submit(set_pin, self.ctx.store, f.text("pin"), minutes or 0) is None:
            return
        f["pin"].value = ""
        self.ctx.toast(self.t("ui.lock.saved"))
        await self.load()

    async def off(self) -> None:
        try:
            await self.ctx.call(remove_pin, self.ctx.store, self.form.text("pin"))
        except ValidationFailed as failed:
            self.ctx.toast("\n".join(error_text(e, self.ctx.lang) for e in failed.errors))
            return
        self.ctx.toast(self.t("ui.lock.removed"))
        await self.load()
