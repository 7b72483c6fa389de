"""The token in the phone's secure storage: the adapter over flet-secure-storage's async calls.

The Flutter side (Keystore, Keychain) cannot run here (it needs an app built with ``flet build``),
so a stand-in with the extension's ``get``/``set``/``remove`` plays it, answering on the event loop
as the Flutter client does. The sync engine, its store and its file vault are real.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from fieldapp.store import Store
from fieldapp.sync import SyncEngine
from fieldapp.sync.token_vault import FileTokenVault
from fieldapp.ui.secure_token import SecureStorageVault
from tests.rodo.helpers import byte_hits

TOKEN = "tk_" + "x" * 40


class FlutterSide:
    """What flet-secure-storage's ``SecureStorage`` service answers (one key-value map)."""

    def __init__(self) -> None:
        self.held: dict[str, str] = {}
        self.loop_thread: list[int] = []

    async def get(self, key: str) -> str | None:
        return self.held.get(key)

    async def set(self, key: str, value: str) -> None:
        self.loop_thread.append(threading.get_ident())
        self.held[key] = value

    async def remove(self, key: str) -> None:
        self.held.pop(key, None)


def test_the_token_moves_from_the_file_into_secure_storage_and_back_out_on_wipe(tmp_path: Path) -> None:
    store = Store(tmp_path / "teren.db")
    engine = SyncEngine(store)
    engine.vault.write(TOKEN)  # enrolled before the page opened: the file held it
    flutter = FlutterSide()

    async def page_opens() -> None:
        loop_thread = threading.get_ident()
        vault = await SecureStorageVault.open(flutter, "teren.sync.token.device")
        await asyncio.to_thread(engine.use_vault, vault)  # as ``use_secure_storage`` does
        assert flutter.held == {"teren.sync.token.device": TOKEN} and flutter.loop_thread == [loop_thread]
        assert not FileTokenVault.beside(store).path.exists()
        assert engine.status().enrolled and engine.vault.read() == TOKEN
        await asyncio.to_thread(engine.wipe)  # from the syncing thread, as a revocation does
        assert flutter.held == {} and not engine.status().enrolled

    asyncio.run(page_opens())
    assert byte_hits(store.path, (TOKEN,)) == []
    store.close()


def test_a_write_from_the_page_loop_is_scheduled_not_waited_for() -> None:
    flutter = FlutterSide()

    async def on_the_loop() -> None:
        vault = await SecureStorageVault.open(flutter, "k")
        vault.write(TOKEN)  # blocking here would deadlock the page's loop
        assert vault.read() == TOKEN
        await asyncio.sleep(0)
        assert flutter.held == {"k": TOKEN}

    asyncio.run(on_the_loop())
