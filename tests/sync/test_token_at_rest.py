"""The device token never rests in the store: not in its tables, its WAL, nor a copy or export of it.

It lives in a ``TokenVault`` (a 0600 file beside the store here; the platform's secure storage on
phones), a token an older version kept in ``meta`` moves there and leaves the file's bytes.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import requests

from fieldapp.services.backup import export_bytes
from fieldapp.store import Store
from fieldapp.sync import SyncEngine
from fieldapp.sync.token_vault import LEGACY_META_KEY, FileTokenVault
from sync.server import accounts
from tests.rodo.helpers import byte_hits
from tests.sync.conftest import World
from tests.sync.helpers import add_contact


def _token_hits(store: Store, token: str) -> list[tuple[str, str]]:
    return byte_hits(store.path, (token, token[3:24]))


def test_an_enrolled_device_keeps_its_token_outside_the_store(world: World) -> None:
    a = world.device()
    add_contact(a.store, "Ala Nowak")
    a.engine.sync()
    token = a.token
    assert token and requests.get(f"{world.url}/v1/me", headers=a.headers(), timeout=10).ok

    assert _token_hits(a.store, token) == []
    copy = a.store.path.with_name("copy.db")  # a copy of the whole store, as a backup tool makes
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{a.store.path}{suffix}").exists():
            shutil.copy(f"{a.store.path}{suffix}", f"{copy}{suffix}")
    assert byte_hits(copy, (token,)) == []
    _name, exported, _counts = export_bytes(a.store)
    assert token.encode() not in exported
    held = FileTokenVault.beside(a.store).path
    assert held.read_text() == token and held.parent == a.store.path.parent
    assert stat.S_IMODE(held.stat().st_mode) == 0o600


def test_a_token_left_in_meta_moves_out_and_leaves_the_file(world: World) -> None:
    """A store from before the vault: the token in ``meta`` (and so in the file's pages)."""
    user = world.user()
    store = Store(world.tmp_path / "old.db")
    token = accounts.redeem(world.db, accounts.create_enrollment(world.db, user, world.url).code, "old").token
    store.set_meta("sync.server_url", world.url)
    store.set_meta(LEGACY_META_KEY, token)
    store.set_user(user)
    assert _token_hits(store, token)

    engine = SyncEngine(store)

    assert store.meta(LEGACY_META_KEY) is None and engine.vault.read() == token
    assert _token_hits(store, token) == []
    add_contact(store, "Ala Nowak")
    assert engine.sync().applied == 1  # the moved token still works
    store.close()


def test_revocation_and_wipe_remove_the_token(world: World, tmp_path: Path) -> None:
    a = world.device()
    vault = FileTokenVault.beside(a.store)
    assert vault.path.exists()
    a.engine.wipe()
    assert not vault.path.exists() and not a.engine.status().enrolled
