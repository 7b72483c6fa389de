"""Enrollment: the code from the supervisor's QR exchanged for this device's token.

The server address is checked before the code leaves the device: https only (the code and then
the token would otherwise travel in clear text), plain http only to this device itself (loopback:
the embedded demo service, tests), and no user-info (``https://sync.lodz.pl@evil.example`` goes
to ``evil.example``; the address shown must be the one used). The service's answer is checked
against ``sync.protocol.EnrollResponse`` before anything is kept.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError

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
    K_USER_NAME,
    model_signature,
)
from fieldapp.sync.token_vault import TokenVault
from fieldapp.sync.transport import Transport
from sync.protocol import PROTOCOL_VERSION, EnrollResponse

#: What a token may look like: it goes into an HTTP header and a file.
_TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{16,512}")


def parse_enrollment(text: str) -> tuple[str, str]:
    """``(server_url, code)`` from ``teren://enroll?server=…&code=…``; SyncError otherwise."""
    value = text.strip()
    parsed = urlsplit(value)
    if parsed.scheme.lower() != "teren" or parsed.netloc.lower() != "enroll":
        raise SyncError("enrollment_invalid", "not an enrollment code")
    query = parse_qs(parsed.query)
    server = (query.get("server") or [""])[0].strip()
    code = (query.get("code") or [""])[0].strip()
    if not code:
        raise SyncError("enrollment_invalid", "the enrollment code is missing")
    if not server:
        raise SyncError("server_required", "the server address is missing")
    return server_address(server), code


def server_address(text: str) -> str:
    """The service's address as the device will use and show it (``https://`` added to a bare
    host); SyncError ``server_invalid`` or ``server_insecure`` if it must not be used."""
    value = text.strip()
    if "://" not in value:
        value = "https://" + value
    try:
        parsed = urlsplit(value)
        host, port = parsed.hostname, parsed.port  # port: ValueError when not a number
    except ValueError:
        raise SyncError("server_invalid", "the server address cannot be read") from None
    scheme = parsed.scheme.lower()
    if "@" in parsed.netloc or parsed.query or parsed.fragment or not host or scheme not in ("http", "https"):
        raise SyncError("server_invalid", "the server address must be https://host[:port][/path]")
    if scheme == "http" and not is_loopback(host):
        raise SyncError("server_insecure", "enrollment over plain http is refused (except loopback)")
    netloc = f"[{host}]" if ":" in host else host
    return f"{scheme}://{netloc}{f':{port}' if port else ''}{parsed.path.rstrip('/')}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this device itself (127.0.0.0/8, ::1, localhost)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def enroll(store: Store, transport: Transport, vault: TokenVault, text: str) -> None:
    """Exchange the QR content for a device token (kept in ``vault``) and keep what the service said
    of the user."""
    server, code = parse_enrollment(text)
    body = {"protocol": PROTOCOL_VERSION, "code": code, "device_id": store.device_id, "device_name": "Teren"}
    answer = _checked(transport.request("POST", server + "/v1/enroll", json=body))
    vault.write(answer.token)
    try:
        with store.write() as conn:
            store.set_meta(K_SERVER, server, conn)
            store.set_meta(K_USER_NAME, answer.user_name, conn)
            store.set_meta(K_ROLE, answer.role, conn)
            store.set_meta(K_TEAM, answer.team_id, conn)
            store.set_meta(K_LAST_ERROR, None, conn)
            # A new enrollment is a new device on the service: pull everything again, and do not
            # replay a batch id the service keeps under the old device.
            store.set_meta(K_CURSOR, None, conn)
            store.set_meta(K_EPOCH, None, conn)
            store.set_meta(K_INFLIGHT, None, conn)
            store.set_meta(K_MODEL, model_signature(), conn)
            store.set_user(answer.user_id, conn)
    except BaseException:
        vault.erase()
        raise
    store.adopt_service_time(answer.server_time_ms)


def _checked(answer: object) -> EnrollResponse:
    """The service's answer if it is a whole enrollment; SyncError ``enrollment_bad_response``."""
    try:
        checked = EnrollResponse.model_validate(answer)
    except ValidationError:
        raise SyncError("enrollment_bad_response", "the enrollment answer lacks a part") from None
    if not _TOKEN.fullmatch(checked.token) or not checked.user_id:
        raise SyncError("enrollment_bad_response", "the enrollment answer's token is unusable")
    return checked
