"""The Flet app: opens the device store once per process and gives each window/tab a shell.

``flet build apk`` runs this module (``[tool.flet.app] module``); ``fieldapp`` (``__main__``) calls
``run()`` with command-line options, or ``fieldapp.web.run`` to serve a browser.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flet as ft

from fieldapp.i18n import t
from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME, data_dir
from fieldapp.store.wipe import prune_old_files
from fieldapp.ui import registry, theme
from fieldapp.ui.app_lock import AppLock
from fieldapp.ui.context import AppServices, UiContext, locale_configuration
from fieldapp.ui.logfile import setup_logging
from fieldapp.ui.secure_token import has_secure_storage, use_secure_storage
from fieldapp.ui.shell import Shell

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
        AppLock(ctx).start()  # after the shell: it wraps the shell's route handlers
        if has_secure_storage(page):  # the sync token moves into the Keystore / Keychain
            page.run_task(use_secure_storage, page, services.sync_engine())

    return main


def open_store(folder: Path | None = None) -> Store:
    folder = Path(folder) if folder else data_dir()
    os.environ["TEREN_DATA_DIR"] = str(folder)  # so every part of the app agrees on the folder
    # Whatever the app writes (store, logs, exports, backups) is for its user alone; the store and
    # the log file set their modes themselves, this covers every other file the app creates.
    os.umask(0o077)
    setup_logging(folder)
    prune_old_files(folder)  # exports and old logs do not stay for ever (RODO retention)
    return Store(folder / DB_FILENAME)


def run(*, folder: Path | None = None) -> None:
    """Open the store and run the app in a window (a phone's screen, a desktop window); a browser is
    served by ``fieldapp.web.run``."""
    with started(folder) as (store, services):
        ft.run(make_main(store, services))


@contextmanager
def started(folder: Path | None = None) -> Iterator[tuple[Store, AppServices]]:
    """The store and the process-wide services, with the screens loaded and automatic sync on;
    both are stopped and closed at the end."""
    store = open_store(folder)
    services = AppServices(store)
    registry.load_screens()
    services.start_auto_sync()
    log.info("Teren starting (data: %s)", store.path)
    try:
        yield store, services
    finally:
        services.stop()
        store.close()


if __name__ == "__main__":  # `flet build` / `flet run` start the app this way
    run()
