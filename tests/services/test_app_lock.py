"""The app lock's PIN: kept hashed, checked, changed and turned off only with the PIN."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.services.app_lock import is_idle, lock_settings, remove_pin, set_pin, verify_pin
from fieldapp.store import Store


def test_the_pin_is_hashed_checked_and_removed_only_with_itself(tmp_path: Path) -> None:
    store = Store(tmp_path / "teren.db")
    assert lock_settings(store) == (False, 5) and verify_pin(store, "")
    for pin, minutes in (("12a4", 5), ("123", 5), ("123456789", 5), ("1234", 0), ("1234", 121)):
        with pytest.raises(ValidationFailed):
            set_pin(store, pin, minutes)
    set_pin(store, "2580", 3)
    assert lock_settings(store) == (True, 3)
    assert "2580" not in (store.meta("lock.pin") or "")
    assert verify_pin(store, "2580") and not verify_pin(store, "0852")
    with pytest.raises(ValidationFailed) as wrong:
        remove_pin(store, "0000")
    assert [e.code for e in wrong.value.errors] == ["lock_pin_wrong"]
    remove_pin(store, "2580")
    assert lock_settings(store)[0] is False
    assert is_idle(0, 180, 3) and not is_idle(0, 179, 3)
    store.close()
