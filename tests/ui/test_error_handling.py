"""No stack trace reaches the user: failures in event handlers become plain words, the trace goes
to the local log file."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import flet as ft

from fieldapp.errors import FieldError, ValidationFailed
from fieldapp.i18n import error_text, t
from fieldapp.store import Store
from fieldapp.ui.context import UiContext
from fieldapp.ui.logfile import setup_logging


class FakePage:
    """Stands in for Flet's page (the browser end): records what would be shown."""

    def __init__(self) -> None:
        self.shown: list[ft.Control] = []

    def show_dialog(self, dialog: ft.Control) -> None:
        self.shown.append(dialog)

    def update(self) -> None:
        pass


def shown_texts(page: FakePage) -> list[str]:
    return [d.content.value for d in page.shown if isinstance(d, ft.SnackBar)]


def test_unexpected_error_is_logged_not_shown(store: Store, tmp_path: Path) -> None:
    log_file = setup_logging(tmp_path)
    page = FakePage()
    ctx = UiContext(page, store)  # type: ignore[arg-type]

    async def broken(e) -> None:
        raise RuntimeError("database exploded at line 42")

    asyncio.run(ctx.handler(broken)(object()))
    for handler in logging.getLogger().handlers:
        handler.flush()

    [message] = shown_texts(page)
    assert message == t("ui.error.unexpected")
    assert "Traceback" not in message and "exploded" not in message
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and "database exploded at line 42" in logged


def test_validation_error_in_plain_words_in_the_users_language(store: Store) -> None:
    store.set_meta("ui.language", "en")
    page = FakePage()
    ctx = UiContext(page, store)  # type: ignore[arg-type]

    error = FieldError("outcome", "required")

    def invalid() -> None:
        raise ValidationFailed([error])

    asyncio.run(ctx.handler(invalid)())
    assert shown_texts(page) == [error_text(error, "en")]


def test_sync_handlers_and_handlers_without_arguments_run(store: Store) -> None:
    page = FakePage()
    ctx = UiContext(page, store)  # type: ignore[arg-type]
    calls = []
    asyncio.run(ctx.handler(lambda: calls.append("no args"))())
    asyncio.run(ctx.handler(lambda e: calls.append(e))("event"))
    assert calls == ["no args", "event"] and page.shown == []
