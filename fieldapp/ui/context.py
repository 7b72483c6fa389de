"""What every screen gets: the store, the user's language, navigation, and safe event handling."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import flet as ft

from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator, errors_by_field
from fieldapp.store import Store
from fieldapp.ui.navigation import Navigator

if TYPE_CHECKING:  # imported when first needed: geopy and requests cost ~0.3 s at start-up
    from fieldapp.geo.settings import TileSettings
    from fieldapp.geo.tiles import MBTilesServer

log = logging.getLogger("fieldapp.ui")
T = TypeVar("T")

#: Keys of the UI's own settings in the store's ``meta`` table.
META_LANGUAGE = "ui.language"
META_USER_NAME = "ui.user_name"
META_WALK = "ui.walk"
#: A contact made from the door screen, linked to the door when the user is back there.
META_DOOR_CONTACT = "ui.doors.new_contact"
#: The zone chosen last (on Strefa, the map or the walk): screens open on it.
META_ZONE = "ui.zone"


def locale_configuration(lang: str) -> ft.LocaleConfiguration:
    """Flutter's own texts (screen-reader labels such as "Close" and "Dismiss") in ``lang``."""
    locales = {"pl": ft.Locale("pl", "PL"), "en": ft.Locale("en", "GB")}
    return ft.LocaleConfiguration(supported_locales=list(locales.values()), current_locale=locales[lang])


class UiContext:
    """Per-session state shared by the shell and its screens (one per browser tab / app window)."""

    def __init__(self, page: ft.Page, store: Store, *, services: AppServices | None = None) -> None:
        self.page = page
        self.store = store
        self.services = services or AppServices(store)
        self.tr = Translator(store.meta(META_LANGUAGE) or DEFAULT_LANGUAGE)
        #: The navigation (the shell registers itself when it starts).
        self.nav: Navigator | None = None

    # -- language ---------------------------------------------------------------------------

    @property
    def lang(self) -> str:
        return self.tr.lang

    def t(self, key: str, /, **params: object) -> str:
        return self.tr(key, **params)

    def tn(self, key: str, n: int, /, **params: object) -> str:
        """The plural form of ``key`` for the count ``n`` (``fieldapp.i18n.tn``)."""
        return self.tr.n(key, n, **params)

    async def set_language(self, lang: str) -> None:
        """Switch the UI language live and remember it on this device."""
        if lang not in LANGUAGES or lang == self.lang:
            return
        await self.call(self.store.set_meta, META_LANGUAGE, lang)
        self.tr = Translator(lang)
        self.page.locale_configuration = locale_configuration(lang)
        if self.nav:
            self.nav.rebuild()

    # -- settings kept in the store ---------------------------------------------------------

    async def setting(self, key: str, default: str = "") -> str:
        return await self.call(self.store.meta, key, default) or default

    async def set_setting(self, key: str, value: str | None) -> None:
        await self.call(self.store.set_meta, key, value)

    async def json_setting(self, key: str) -> dict[str, Any]:
        raw = await self.setting(key)
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    async def set_json_setting(self, key: str, value: dict[str, Any]) -> None:
        await self.set_setting(key, json.dumps(value, ensure_ascii=False))

    # -- work off the event loop ------------------------------------------------------------

    async def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a blocking call (SQLite, HTTP) in a worker thread so the UI stays responsive."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    # -- navigation -------------------------------------------------------------------------

    def go(self, route: str) -> None:
        """Open ``route`` on top of the current screen (or its tab's root, for a tab route)."""
        self.page.run_task(self.page.push_route, route)

    async def back(self) -> None:
        """Close the current screen and return to the one below."""
        await self._navigator().back()

    async def replace(self, route: str) -> None:
        """Close the current screen and open ``route`` in its place."""
        await self._navigator().replace(route)

    def _navigator(self) -> Navigator:
        if self.nav is None:
            raise RuntimeError("no navigator: the shell has not started")
        return self.nav

    # -- feedback ---------------------------------------------------------------------------

    def toast(
        self, message: str, *, action: str | None = None, on_action: Callable[..., Any] | None = None
    ) -> None:
        """A short message at the bottom of the screen, optionally with one action (e.g. undo)."""
        snack = ft.SnackBar(
            ft.Text(message, size=16),
            action=action,
            on_action=self.handler(on_action) if on_action else None,
            duration=ft.Duration(seconds=6 if action else 4),
            show_close_icon=True,
            close_icon_color=ft.Colors.WHITE,
        )
        self.page.show_dialog(snack)

    def report_unexpected(self, exc: BaseException) -> None:
        """Log an unexpected error with its trace locally; tell the user in plain words only."""
        log.error("unexpected error in the UI", exc_info=exc)
        try:
            self.toast(self.t("ui.error.unexpected"))
            self.page.update()
        except Exception:  # the session may be gone; the log has it
            log.exception("could not show the error message")

    def handler(
        self, fn: Callable[..., Any] | None, *, exclusive: bool = False
    ) -> Callable[..., Awaitable[None]] | None:
        """Wrap an event handler: runs it (sync or async) and turns any failure into a plain message.

        Validation errors the screen did not handle and missing records get their own messages;
        anything else is logged with its trace and never shown to the user. Entered data stays in
        the fields because nothing is rebuilt.

        ``exclusive`` (taps): a second event while the first is still being handled is ignored, so a
        double tap on "Zapisz" saves once (a hand in the field taps twice when the phone is slow).
        """
        if fn is None:
            return None
        busy = False

        @functools.wraps(fn)
        async def safe(*args: Any) -> None:
            nonlocal busy
            if exclusive and busy:
                return
            busy = True
            try:
                params = inspect.signature(fn).parameters
                call_args = args if params else ()
                result = fn(*call_args)
                if inspect.isawaitable(result):
                    await result
                # Flet skips its automatic update once anything called update() during the
                # handler (a toast does): send what the handler changed after that point too.
                self.page.update()
            except ValidationFailed as exc:
                self.toast("; ".join(errors_by_field(exc, self.lang).values()))
            except NotFound:
                self.toast(self.t("ui.error.not_found"))
            except Exception as exc:
                self.report_unexpected(exc)
            finally:
                busy = False

        return safe


class AppServices:
    """Process-wide helpers shared by all sessions (the sync engine and its background loop)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._sync_engine: Any = None
        self._auto_sync: Any = None
        self.sync_available: bool | None = None
        #: The app's page origin in web mode ("http://127.0.0.1:8550"): the tile server lets it read.
        self.web_origins: tuple[str, ...] = ()
        self._tiles: tuple[Path, float, MBTilesServer, TileSettings] | None = None
        self._tiles_lock = threading.Lock()

    def area_tiles(self) -> TileSettings | None:
        """Tiles of the area's MBTiles file on the device, served on loopback (started once, again
        when a new file was loaded); None without one. Blocking: call it off the event loop."""
        from fieldapp.geo.settings import TileSettings
        from fieldapp.geo.tiles import MBTilesServer, area_map_path, read_area_map

        path = area_map_path(self.store.path.parent)
        with self._tiles_lock:
            if path is None:
                self._stop_tiles()
                return None
            stamp = path.stat().st_mtime
            if self._tiles is None or self._tiles[:2] != (path, stamp):
                self._stop_tiles()
                area = read_area_map(path)
                server = MBTilesServer(path, origins=self.web_origins).start()
                settings = TileSettings(url_template=server.url_template, attribution=area.name,
                                        max_native_zoom=area.max_zoom or 19, probe_timeout_s=2.0)
                self._tiles = (path, stamp, server, settings)
            return self._tiles[3]

    def _stop_tiles(self) -> None:
        if self._tiles is not None:
            self._tiles[2].stop()
            self._tiles = None

    def sync_engine(self) -> Any:
        """The sync engine, or ``None`` when the sync package is not installed in this build."""
        if self._sync_engine is None and self.sync_available is not False:
            try:
                from fieldapp.sync import SyncEngine
            except ImportError:
                log.info("sync engine not available")
                self.sync_available = False
                return None
            self._sync_engine = SyncEngine(self.store)
            self.sync_available = True
        return self._sync_engine

    def start_auto_sync(self) -> None:
        """Start background sync (if the engine exists and the device is enrolled)."""
        engine = self.sync_engine()
        if engine is None or self._auto_sync is not None:
            return
        try:
            from fieldapp.sync import AutoSync

            if not engine.status().enrolled:
                return
            self._auto_sync = AutoSync(engine)
            self._auto_sync.start()
        except Exception:
            log.exception("automatic sync could not start")
            self._auto_sync = None

    def request_sync(self) -> None:
        if self._auto_sync is not None:
            self._auto_sync.request()

    def stop(self) -> None:
        with self._tiles_lock:
            self._stop_tiles()
        if self._auto_sync is not None:
            try:
                self._auto_sync.stop()
            except Exception:
                log.exception("automatic sync did not stop cleanly")
            self._auto_sync = None
