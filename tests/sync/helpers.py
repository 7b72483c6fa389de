"""Small builders for sync tests."""

from __future__ import annotations

import gzip
import json
import os
import time
from typing import Any

import requests

from fieldapp.model import Contact
from fieldapp.store import Store
from sync.server.compression import zstd
from tests.sync.conftest import Device


def add_contact(store: Store, name: str, **fields: Any) -> Contact:
    with store.write() as conn:
        return store.save(conn, Contact(kind=fields.pop("kind", "resident"), name=name, **fields))


def edit(store: Store, record: Any, **values: Any) -> Any:
    """Edit fields through the write path, a few milliseconds after any earlier edit (HLC order)."""
    time.sleep(0.003)
    for name, value in values.items():
        setattr(record, name, value)
    with store.write() as conn:
        return store.save(conn, record, list(values))


def behind_proxy(address: str) -> requests.Session:
    """A session whose requests the service sees as coming from ``address``: it trusts
    ``X-Forwarded-For`` from loopback, as from a reverse proxy (``--forwarded-allow-ips``)."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = address
    return session


def push_raw(url: str, device: Device, body: Any, **kwargs: Any) -> requests.Response:
    return requests.post(f"{url}/v1/push", json=body, headers=device.headers(), timeout=10, **kwargs)


def outbox_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar_one()


def gz(body: Any) -> bytes:
    return gzip.compress(json.dumps(body).encode())


def unpack_push(kwargs: dict[str, Any]) -> bytes:
    """The JSON of a push body a device hands ``requests`` (``data``), in its ``Content-Encoding``."""
    coding = kwargs["headers"].get("Content-Encoding")
    return zstd.decompress(kwargs["data"]) if coding == "zstd" else gzip.decompress(kwargs["data"])


def contact_names(store: Store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT id, name FROM contact").all())


def fuzz_examples(default: int) -> int:
    """Examples per fuzz test: ``default`` in CI, ``TEREN_FUZZ_EXAMPLES`` for a long campaign."""
    return max(default, int(os.environ.get("TEREN_FUZZ_EXAMPLES") or 0))


def fuzz_randomised() -> bool:
    """A long campaign explores new inputs each run; CI repeats the same ones."""
    return bool(os.environ.get("TEREN_FUZZ_EXAMPLES"))
