"""The context and the screens navigate through ``Navigator``; nothing below the shell imports it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from types import SimpleNamespace

import pytest

from fieldapp.store import Store
from fieldapp.ui.context import UiContext


def test_context_screens_and_registry_load_without_the_shell() -> None:
    code = (
        "import sys, fieldapp.ui.context, fieldapp.ui.screen, fieldapp.ui.registry;"
        "print('fieldapp.ui.shell' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []

    async def back(self) -> None:
        self.calls.append(("back",))

    async def replace(self, route: str) -> None:
        self.calls.append(("replace", route))

    def rebuild(self) -> None:
        self.calls.append(("rebuild",))


def test_the_context_delegates_to_its_navigator(store: Store) -> None:
    ctx = UiContext(SimpleNamespace(update=lambda: None), store)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        asyncio.run(ctx.back())
    ctx.nav = nav = Recorder()

    async def navigate() -> None:
        await ctx.back()
        await ctx.replace("/contacts/1")
        await ctx.set_language("en")

    asyncio.run(navigate())
    assert nav.calls == [("back",), ("replace", "/contacts/1"), ("rebuild",)]
