"""The Flet app: opens the device store once per process and gives each window/tab a shell.

``flet build apk`` runs this module (``[tool.flet.app] module``); ``fieldapp`` (``__main__``) calls
``run()`` with command-line options.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import flet as ft

from fieldapp.i18n import t
from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME, data_dir
from fieldapp.ui import registry, theme
from fieldapp.ui.context import AppServices, UiContext, locale_configuration
from fieldapp.ui.logfile import setup_logging
from fieldapp.ui.shell import Shell
from fieldapp.ui.web_page import write_web_assets

log = logging.getLogger("fieldapp")


def make_main(store: Store, services: AppServices):
    """The per-session entry point Flet calls for each window / browser tab."""

    def main(page: ft.Page) -> None:
        ctx = UiContext(page, store, services=services)
        # A safety net: Flet would show an unhandled error's trace to the user; log it instead.
        page.session.error = lambda message: log.error("unhandled error in a Flet handler: %s", message)
        page.title = t("ui.app.title", ctx.lang)
        page.locale_configuration = locale_configuration(ctx.lang)
        page.theme = theme.app_theme()
        page.theme_mode = ft.ThemeMode.LIGHT
        page.padding = 0
        Shell(ctx).start()

    return main


def open_store(folder: Path | None = None) -> Store:
    folder = Path(folder) if folder else data_dir()
    os.environ["TEREN_DATA_DIR"] = str(folder)  # so every part of the app agrees on the folder
    # Whatever the app writes (store, logs, exports, backups) is for its user alone; the store and
    # the log file set their modes themselves, this covers every other file the app creates.
    os.umask(0o077)
    setup_logging(folder)
    return Store(folder / DB_FILENAME)


def run(*, folder: Path | None = None, web: bool = False, port: int = 0, host: str | None = None) -> None:
    """Open the store and run the app: a desktop window, or a web server with ``web=True``."""
    store = open_store(folder)
    services = AppServices(store)
    registry.load_screens()
    services.start_auto_sync()
    log.info("Teren starting (data: %s, web: %s)", store.path, web)
    try:
        if web:
            os.environ["FLET_FORCE_WEB_SERVER"] = "1"
            services.web_origins = (f"http://{host or '127.0.0.1'}:{port}",)
            ft.run(
                make_main(store, services),
                view=ft.AppView.WEB_BROWSER,
                port=port,
                host=host,
                no_cdn=True,
                name="",
                # Flet's own page, kept from asking a public CDN for anything (ui/web_page.py).
                assets_dir=str(write_web_assets(store.path.parent / "web")),
            )
        else:
            ft.run(make_main(store, services))
    finally:
        services.stop()
        store.close()


if __name__ == "__main__":  # `flet build` / `flet run` start the app this way
    run()
