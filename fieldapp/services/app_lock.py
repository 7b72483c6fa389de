"""The app lock (RODO art. 32): a PIN asked again after the app sat idle or in the background for
a set time, so a phone left on a bench does not show residents' data. The PIN is kept only as a
salted PBKDF2 hash in the store's meta; the store itself is wiped remotely when the phone is lost.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fieldapp.errors import Errors
from fieldapp.store import Store

META_PIN = "lock.pin"
META_IDLE = "lock.idle_minutes"
DEFAULT_IDLE_MINUTES = 5
_ITERATIONS = 200_000


def _hash(pin: str, salt: bytes, iterations: int = _ITERATIONS) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def lock_settings(store: Store) -> tuple[bool, int]:
    """Whether a PIN is set, and after how many idle minutes it is asked."""
    try:
        minutes = int(store.meta(META_IDLE) or DEFAULT_IDLE_MINUTES)
    except ValueError:
        minutes = DEFAULT_IDLE_MINUTES
    return bool(store.meta(META_PIN)), minutes


def set_pin(store: Store, pin: str, idle_minutes: int = DEFAULT_IDLE_MINUTES) -> bool:
    """Set (or change) the PIN: 4 to 8 digits; asked after 1 to 120 idle minutes. True once set."""
    errors = Errors()
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        errors.add("pin", "lock_pin_invalid")
    if not 1 <= idle_minutes <= 120:
        errors.add("idle_minutes", "lock_idle_invalid")
    errors.raise_if_any()
    store.set_meta(META_PIN, _hash(pin, secrets.token_bytes(16)))
    store.set_meta(META_IDLE, str(idle_minutes))
    return True


def verify_pin(store: Store, pin: str) -> bool:
    stored = store.meta(META_PIN)
    if not stored:
        return True
    _scheme, iterations, salt, _digest = stored.split("$")
    return hmac.compare_digest(_hash(pin, bytes.fromhex(salt), int(iterations)), stored)


def remove_pin(store: Store, pin: str) -> None:
    """Turn the lock off (the current PIN is needed)."""
    errors = Errors()
    if not verify_pin(store, pin):
        errors.add("pin", "lock_pin_wrong")
    errors.raise_if_any()
    store.set_meta(META_PIN, None)


def is_idle(last_activity: float, now: float, minutes: int) -> bool:
    """Whether the app sat unused for ``minutes`` (times in seconds, a monotonic clock)."""
    return now - last_activity >= minutes * 60
