"""Enrollment: the code from the supervisor's QR exchanged for this device's token."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from fieldapp.store.db import Store
from fieldapp.sync.errors import SyncError
from fieldapp.sync.meta import (
    K_CURSOR,
    K_EPOCH,
    K_INFLIGHT,
    K_LAST_ERROR,
    K_MODEL,
    K_ROLE,
    K_SERVER,
    K_TEAM,
    K_TOKEN,
    K_USER_NAME,
    model_signature,
)
from fieldapp.sync.transport import Transport
from sync.protocol import PROTOCOL_VERSION


def parse_enrollment(text: str) -> tuple[str, str]:
    """``(server_url, code)`` from ``teren://enroll?server=…&code=…``; SyncError otherwise."""
    value = text.strip()
    parsed = urlparse(value)
    if parsed.scheme.lower() != "teren" or parsed.netloc.lower() != "enroll":
        raise SyncError("enrollment_invalid", "not an enrollment code")
    query = parse_qs(parsed.query)
    server = (query.get("server") or [""])[0].strip().rstrip("/")
    code = (query.get("code") or [""])[0].strip()
    if not code:
        raise SyncError("enrollment_invalid", "the enrollment code is missing")
    if not server:
        raise SyncError("server_required", "the server address is missing")
    if not server.lower().startswith(("http://", "https://")):
        server = "https://" + server
    return server, code


def enroll(store: Store, transport: Transport, text: str) -> None:
    """Exchange the QR content for a device token and keep what the service said of the user."""
    server, code = parse_enrollment(text)
    body = {"protocol": PROTOCOL_VERSION, "code": code, "device_id": store.device_id, "device_name": "Teren"}
    answer = transport.request("POST", server + "/v1/enroll", json=body)
    with store.write() as conn:
        store.set_meta(K_SERVER, server, conn)
        store.set_meta(K_TOKEN, answer["token"], conn)
        store.set_meta(K_USER_NAME, answer.get("user_name") or "", conn)
        store.set_meta(K_ROLE, answer.get("role") or "", conn)
        store.set_meta(K_TEAM, answer.get("team_id"), conn)
        store.set_meta(K_LAST_ERROR, None, conn)
        # A new enrollment is a new device on the service: pull everything again, and do not
        # replay a batch id the service keeps under the old device.
        store.set_meta(K_CURSOR, None, conn)
        store.set_meta(K_EPOCH, None, conn)
        store.set_meta(K_INFLIGHT, None, conn)
        store.set_meta(K_MODEL, model_signature(), conn)
        store.set_user(answer["user_id"], conn)
