"""Where the device keeps its sync token: never in the SQLite store.

The token opens the program's residents' data to whoever holds it, so it must not travel with the
store's file (a copy of it, its WAL, a backup). A ``TokenVault`` keeps it elsewhere: the platform's
secure storage on Android and iOS (``fieldapp.ui.secure_token``, Keystore and Keychain through
flet-secure-storage), else ``FileTokenVault``: a 0600 file in the app's data folder beside the store,
which backups and exports leave out (``fieldapp.services.backup`` exports records only).

A store written by an older version holds the token in its ``meta`` table: ``move_out_of_store``
moves it into the vault and scrubs it from the file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Protocol

from fieldapp.store import scrub
from fieldapp.store.db import Store
from fieldapp.store.private_files import write_private

#: Where older versions kept the token (the store's meta table).
LEGACY_META_KEY = "sync.token"
#: The token file's name after the store file's stem ("teren.db" -> "teren.sync-token").
FILE_SUFFIX = ".sync-token"


class TokenVault(Protocol):
    """Keeps one device token; every call is quick and may come from any thread."""

    def read(self) -> str | None: ...

    def write(self, token: str) -> None: ...

    def erase(self) -> None: ...


class FileTokenVault:
    """The token in a file only the app's user can read (0600, in the store's 0700 folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside(cls, store: Store) -> FileTokenVault:
        return cls(store.path.with_name(store.path.stem + FILE_SUFFIX))

    def read(self) -> str | None:
        try:
            return self.path.read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def write(self, token: str) -> None:
        write_private(self.path, token.encode("ascii"))

    def erase(self) -> None:
        """Overwrite, then remove (the overwrite is best effort: flash storage may remap blocks)."""
        with contextlib.suppress(FileNotFoundError):
            size = self.path.stat().st_size
            with open(self.path, "r+b") as file:
                file.write(b"\0" * size)
                file.flush()
                os.fsync(file.fileno())
            self.path.unlink()


def move_out_of_store(store: Store, vault: TokenVault) -> bool:
    """Move a token an older version kept in the store's meta into ``vault`` and scrub it from the
    file (``secure_delete`` zeroes the row, the checkpoint truncates the WAL); True if one was found."""
    token = store.meta(LEGACY_META_KEY)
    if token is None:
        return False
    if not vault.read():
        vault.write(token)
    store.set_meta(LEGACY_META_KEY, None)
    scrub.checkpoint(store.engine)
    return True


def move_between(source: TokenVault, target: TokenVault) -> None:
    """Move a token from one vault to another (e.g. from the file into secure storage)."""
    token = source.read()
    if token and not target.read():
        target.write(token)
    if token:
        source.erase()
