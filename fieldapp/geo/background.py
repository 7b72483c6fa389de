"""The geocoding queue's background resolver, one per store and process.

The app starts it once (``start_geocoding(store)``) — at start-up, and the map and walk screens
make sure it runs. ``wake_geocoding(store)`` makes it try at once, e.g. when the sync client sees
the network come back.
"""

from __future__ import annotations

import threading

from fieldapp.geo.geocoding import Geocoding
from fieldapp.geo.positions import GeocodeQueue, QueueResolver
from fieldapp.store import Store

_resolvers: dict[str, QueueResolver] = {}
_lock = threading.Lock()


def start_geocoding(store: Store, *, idle_s: float = 20.0) -> QueueResolver:
    """The running resolver of ``store`` (started on first call, with the store's settings)."""
    key = str(store.path.resolve())
    with _lock:
        resolver = _resolvers.get(key)
        if resolver is None:
            resolver = QueueResolver(GeocodeQueue(store, Geocoding(store)), idle_s=idle_s)
            _resolvers[key] = resolver
        return resolver.start()


def wake_geocoding(store: Store) -> None:
    resolver = _resolvers.get(str(store.path.resolve()))
    if resolver is not None:
        resolver.wake()


def stop_geocoding(store: Store) -> None:
    with _lock:
        resolver = _resolvers.pop(str(store.path.resolve()), None)
    if resolver is not None:
        resolver.stop()


def restart_geocoding(store: Store) -> QueueResolver:
    """Start again with the store's current settings (after they changed)."""
    stop_geocoding(store)
    return start_geocoding(store)
