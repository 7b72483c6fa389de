"""The device token in the phone's secure storage: Android Keystore, iOS Keychain.

Flet 1.0 reaches them through the ``flet-secure-storage`` extension (a Flet service over Flutter's
flutter_secure_storage). It lives in the Flutter client, so it exists only in an app built with
``flet build apk|ipa`` that lists the package; elsewhere (desktop, the web server, tests) the token
stays in ``fieldapp.sync.token_vault.FileTokenVault``. ``use_secure_storage`` moves it across when
the app's page opens on a phone that has it.

``SecureStorageVault`` adapts the extension's async calls to the sync engine's ``TokenVault``: it
reads the token once when opened and keeps it in memory; writes and removals go to the Flutter side
and are waited for when they come from a worker thread (the sync engine's), only scheduled when they
come from the page's own event loop (which must not block on itself).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import flet as ft

log = logging.getLogger(__name__)

#: The secure-storage key of a device's token (one per device id: a reinstall enrolls anew).
KEY_PREFIX = "teren.sync.token."
#: How long a worker thread waits for the Flutter side to confirm a write.
WAIT_SECONDS = 10.0


class SecureStorageVault:
    """``TokenVault`` over a flet-secure-storage ``SecureStorage`` service (or anything with its
    async ``get``, ``set`` and ``remove``)."""

    def __init__(self, storage: Any, key: str, loop: asyncio.AbstractEventLoop, token: str | None) -> None:
        self.storage = storage
        self.key = key
        self.loop = loop
        self._token = token

    @classmethod
    async def open(cls, storage: Any, key: str) -> SecureStorageVault:
        """The vault with the token it holds now (on the page's event loop)."""
        return cls(storage, key, asyncio.get_running_loop(), await storage.get(key) or None)

    def read(self) -> str | None:
        return self._token

    def write(self, token: str) -> None:
        self._token = token
        self._finish(self.storage.set(self.key, token))

    def erase(self) -> None:
        self._token = None
        self._finish(self.storage.remove(self.key))

    def _finish(self, call: Coroutine[Any, Any, Any]) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.loop.create_task(call)
        else:
            asyncio.run_coroutine_threadsafe(call, self.loop).result(WAIT_SECONDS)


def has_secure_storage(page: ft.Page) -> bool:
    """Android or iOS, as a built app (not the web page of a desktop server)."""
    return not page.web and page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS)


async def use_secure_storage(page: ft.Page, engine: Any) -> bool:
    """Keep ``engine``'s token in the phone's secure storage from now on (moving it out of the file);
    False where there is none (the file stays)."""
    if engine is None or not has_secure_storage(page):
        return False
    if isinstance(engine.vault, SecureStorageVault):
        return True
    try:
        from flet_secure_storage import IOSOptions, KeychainAccessibility, SecureStorage
    except ImportError:
        log.warning("flet-secure-storage is not in this build: the token stays in a private file")
        return False
    # After the first unlock (background sync), and never restored onto another phone.
    ios = IOSOptions(accessibility=KeychainAccessibility.FIRST_UNLOCK_THIS_DEVICE)
    vault = await SecureStorageVault.open(SecureStorage(ios_options=ios), KEY_PREFIX + engine.store.device_id)
    await asyncio.to_thread(engine.use_vault, vault)
    return True
