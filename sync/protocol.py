"""The sync wire format (pydantic v2), shared by the device client and the service.

Versioning: every request carries ``protocol``; the service accepts any version from
``MIN_PROTOCOL_VERSION`` up to ``PROTOCOL_VERSION`` and ignores fields it does not know (old apps stay
in the field for months, new apps may send fields an old service has not heard of).

Every request of the app carries ``X-Teren-Protocol``, ``X-Teren-Schema`` (the fields it knows,
``fieldapp.model.registry.schema_signature``) and ``X-Teren-App`` (its version); a service with a
minimum app version refuses older apps with 426 ``app_too_old`` and the ``min_version``. The last
pull page carries the scope's ``checksum`` when the schemas match (``sync.checksum``): the device
MUST compare it with its own records and pull a differing record type again (``kinds``), keeping
its unsent edits.

A change names one record and carries only the fields written on the device since the last push,
each with the HLC at which it was written (field-level last-writer-wins). A pull page carries whole
records with every field's HLC, in the order of the service's change sequence (``seq``).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sync.hlc import MAX_DRIFT_MS

PROTOCOL_VERSION = 1
MIN_PROTOCOL_VERSION = 1

#: Limits shared by both ends (the service enforces them, the client stays under them).
MAX_CHANGES_PER_BATCH = 2000
MAX_BODY_BYTES = 8 * 1024 * 1024  # decompressed request body
MAX_PULL_PAGE = 5000
#: Cursors are 64-bit sequence numbers in both databases.
MAX_CURSOR = 2**63 - 1
DEFAULT_PULL_PAGE = 2000
#: An HLC whose wall time is this far ahead of the service's clock is rejected (``clock_ahead``).
MAX_CLOCK_AHEAD_MS = MAX_DRIFT_MS


class ErrorCode(StrEnum):
    """Stable error codes; the app shows ``sync.error.<code>`` in plain words."""

    INVALID_REQUEST = "invalid_request"
    BODY_TOO_LARGE = "body_too_large"
    BATCH_TOO_LARGE = "batch_too_large"
    BAD_ENCODING = "bad_encoding"
    UNSUPPORTED_PROTOCOL = "unsupported_protocol"
    #: 426: the app (``X-Teren-App``) is older than the service's ``min_app_version``; the answer's
    #: ``min_version`` says which version to install.
    APP_TOO_OLD = "app_too_old"
    UNAUTHORIZED = "unauthorized"
    DEVICE_REVOKED = "device_revoked"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    ENROLLMENT_INVALID = "enrollment_invalid"
    ENROLLMENT_EXPIRED = "enrollment_expired"
    ENROLLMENT_USED = "enrollment_used"
    #: Kept for apps that know it; the service now answers wrong guesses with ``rate_limited``.
    ENROLLMENT_LOCKED = "enrollment_locked"
    #: 429 with ``Retry-After`` (seconds): too many wrong enrollment attempts from this address or
    #: against this code; the answer's ``retry_after`` repeats the seconds.
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"


class RejectCode(StrEnum):
    """Why one change of a batch was not applied (the rest of the batch still is)."""

    UNKNOWN_RECORD_TYPE = "unknown_record_type"
    #: A value breaks its field's rule, or the record as the merge leaves it breaks its kind's rules
    #: (an action's lifecycle, what a status needs): ``ChangeResult.errors`` says which field and
    #: which rule. Apps older than ``errors`` know this code alone, so it stays the code of both.
    INVALID_VALUE = "invalid_value"
    INVALID_HLC = "invalid_hlc"
    CLOCK_AHEAD = "clock_ahead"
    OUT_OF_SCOPE = "out_of_scope"
    MISSING_FIELDS = "missing_fields"
    #: The user's role may not write this (an animator approving a review, erasing a person). Not a
    #: per-change result: such a batch is refused whole with HTTP 403 ``forbidden`` whose ``changes``
    #: name the offending changes (the device drops them and sends the rest again).
    FORBIDDEN = "forbidden"
    #: The record's person was erased (RODO art. 17) and the change would bring personal data back:
    #: clear ``erased_at`` or write a personal field with anything but its empty value. Nothing of
    #: the change is kept; the service restamps the fields it named above its HLCs, so the device's
    #: next pull puts its copy back to the erased state (it shows the refusal, it need not undo it).
    #: (A deletion in it is still taken: tombstones are final on both ends.) Only an admin's
    #: ``teren-sync restore-erased`` takes a person off the erased list.
    ERASED = "erased"
    #: The record's person is restricted (RODO art. 18): their data is frozen until a supervisor
    #: lifts the restriction. Nothing of the change is kept; as with ``erased`` the service restamps
    #: the fields it named, so the sender's next pull puts its copy back.
    RESTRICTED = "restricted"


#: Headers every request of the app carries (``fieldapp.sync.transport.version_headers``).
APP_HEADER = "X-Teren-App"
SCHEMA_HEADER = "X-Teren-Schema"
PROTOCOL_HEADER = "X-Teren-Protocol"

#: Content codings of request bodies the service reads, named in its answers' ``Accept-Encoding``
#: (RFC 7694). Every service read gzip; one that names zstd gets zstd push bodies from devices that
#: can pack it (``fieldapp.sync.push``).
REQUEST_CODINGS = ("zstd", "gzip")


def codings(accept_encoding: str) -> frozenset[str]:
    """The codings an ``Accept-Encoding`` header admits: named with a q-value above 0 (the first
    mention of a name decides)."""
    admitted: set[str] = set()
    named: set[str] = set()
    for item in accept_encoding.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name or name in named:
            continue
        named.add(name)
        weight = "1"
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                weight = value
                break
        try:
            if float(weight) > 0:
                admitted.add(name)
        except ValueError:
            pass
    return frozenset(admitted)


def version_key(version: str) -> tuple[int, ...]:
    """``"1.2.10"`` as ``(1, 2, 10)`` for comparison (a part that is no number ends it)."""
    parts: list[int] = []
    for part in version.strip().split("."):
        digits = re.match(r"[0-9]+", part)
        if digits is None:
            break
        parts.append(int(digits.group()))
        if digits.end() != len(part):
            break
    return tuple(parts)


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): a host that is this machine."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_server_url(url: str, *, insecure_http: bool = False) -> str:
    """The sync service's address as devices are sent to it (in an enrollment QR, typed in), without
    a trailing slash; ValueError saying why devices must not be sent there. Enrollment codes and
    tokens travel only over https, or plain http to this machine (loopback) or, with
    ``insecure_http``, a lab's network. An address with user-info is refused: in
    ``http://sync.lodz.pl@127.0.0.1:8802`` the host is 127.0.0.1, whatever the reader sees first."""
    text = url.strip()
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in text):
        raise ValueError(f"{url!r}: spaces, control characters or backslashes in a server address")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"{url!r}: the server address must be https://host[:port][/path]")
    if "@" in parts.netloc:
        raise ValueError(
            f"{url!r}: a server address with user-info (name@host) hides its real host "
            f"({parts.hostname}); give the host alone"
        )
    try:
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise ValueError(f"{url!r}: {exc}") from None
    if not host:
        raise ValueError(f"{url!r}: no host in the server address")
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r}: a server address has no query or fragment")
    if scheme == "http" and not (insecure_http or is_loopback(host)):
        raise ValueError(
            f"{url!r}: plain http would carry enrollment codes and tokens in clear text; use the "
            "https address of the service's TLS proxy (http is accepted only on loopback, or with "
            "--insecure-http in a lab)"
        )
    return text.rstrip("/")


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; no id or name of ours contains one.
    if "\x00" in value:
        raise ValueError("NUL character")
    return value


Name = Annotated[str, AfterValidator(_no_nul)]


class _Wire(BaseModel):
    # Unknown keys from other app versions are dropped, never an error.
    model_config = ConfigDict(extra="ignore")


class ErrorBody(_Wire):
    code: str
    message: str = ""


class Change(_Wire):
    record_type: Name = Field(min_length=1, max_length=64)
    id: Name = Field(min_length=1, max_length=64)
    op: Literal["upsert", "delete"] = "upsert"
    #: Field values as JSON (dates as ISO strings), only the fields written since the last push.
    fields: dict[str, Any] = Field(default_factory=dict)
    #: HLC of each field in ``fields`` (and of ``deleted`` for a delete).
    hlcs: dict[str, Name] = Field(default_factory=dict)
    #: True when ``fields`` holds the whole record (its creation); the service may insert it.
    full: bool = False
    base_hlc: Name | None = None
    created_at: Name | None = Field(default=None, max_length=40)
    author_id: Name | None = Field(default=None, max_length=64)
    device_id: Name | None = Field(default=None, max_length=64)


class PushRequest(_Wire):
    protocol: int = PROTOCOL_VERSION
    batch_id: Name = Field(min_length=8, max_length=64)
    #: The device's pull cursor: values written after it were unseen by the device (conflict log).
    cursor: int | None = Field(default=None, ge=0, le=MAX_CURSOR)
    changes: list[Change]
    #: Ask for the results of only the changes not simply applied (``PushResponse.applied`` counts
    #: the rest); a batch of new records then gets a few bytes of answer instead of one per record.
    compact: bool = False


ChangeStatus = Literal["applied", "merged", "rejected"]


class FieldProblem(_Wire):
    """One broken rule of a rejected change: the field (``""`` for the whole record), the rule's
    stable code (the app shows ``error.<code>``, as for its own validation) and its parameters."""

    field: str
    code: str
    params: dict[str, Any] = Field(default_factory=dict)


class ChangeResult(_Wire):
    record_type: str
    id: str
    status: ChangeStatus
    #: Rejection reason (``RejectCode``), or for ``merged`` nothing.
    code: str | None = None
    #: Fields whose incoming value lost to a newer value on the service.
    lost_fields: list[str] = Field(default_factory=list)
    #: With ``invalid_value``: every rule the change broke (left out of other results).
    errors: list[FieldProblem] = Field(default_factory=list)


class PushResponse(_Wire):
    protocol: int = PROTOCOL_VERSION
    batch_id: str
    results: list[ChangeResult]
    #: With ``compact``: how many changes were applied as sent (they have no entry in ``results``).
    applied: int | None = None
    #: True when this batch had been applied before and the stored answer is repeated.
    replayed: bool = False
    server_time_ms: int
    #: The change sequence before and after this batch. When ``exact`` (the service stored exactly
    #: what was sent: nothing lost, nothing erased) and the device's cursor was ``seq_before``, the
    #: device already holds every change up to ``seq_after`` and may move its cursor there instead of
    #: pulling its own changes back.
    seq_before: int | None = None
    seq_after: int | None = None
    exact: bool = False


class RemoteRecord(_Wire):
    record_type: str
    id: str
    seq: int
    fields: dict[str, Any]
    hlcs: dict[str, str]
    base_hlc: str
    updated_hlc: str
    deleted: bool = False
    created_at: str | None = None
    author_id: str | None = None
    device_id: str | None = None


#: ``GET /v1/pull`` query parameter: record types a device wants in columns (``ColumnPage``), for
#: a first pull into empty tables. A service that does not know it ignores it and sends records.
PULL_COLUMNS_PARAM = "columns"


class ColumnPage(_Wire):
    """A page's records of one type as the device's table stores them (``sync.stored_rows``): the
    column names once, then each record's row in that order, values in their stored form, and each
    record's hash (``sync.checksum``, unsigned). Sent only to a device that asked for the type in
    ``PULL_COLUMNS_PARAM`` and knows the same fields (``X-Teren-Schema``)."""

    columns: list[str]
    rows: list[list[Any]]
    hashes: list[int]


class PullResponse(_Wire):
    protocol: int = PROTOCOL_VERSION
    records: list[RemoteRecord]
    #: Records of the types asked for in columns, per type (in place of ``records``; a record the
    #: row cannot be built of stays in ``records``).
    tables: dict[str, ColumnPage] | None = None
    #: Pass as ``after`` to get the next page. It never goes backwards, except when ``after`` is
    #: beyond the service's change counter (its database was restored from an older backup): then
    #: it is that counter, lower than ``after``, and the device starts again as for a new ``epoch``.
    cursor: int
    has_more: bool
    server_time_ms: int
    #: The service's epoch (``sync.server.epoch``): it changes when the service's database is
    #: restored from a backup. A device that merged pages of another epoch pulls everything again
    #: and sends again what it wrote. None from services older than epochs.
    epoch: int | None = None
    #: On the last page, when the device sent the service's schema signature (``X-Teren-Schema``):
    #: ``{"at": cursor, "kinds": {record_type: [count, sum]}}``, the scope's records at ``cursor``
    #: (``sync.checksum``); a kind missing has none.
    checksum: dict[str, Any] | None = None


class RecordKey(_Wire):
    record_type: Name = Field(min_length=1, max_length=64)
    id: Name = Field(min_length=1, max_length=64)


class HashesRequest(_Wire):
    """Records whose service hashes a device asks for (those it holds unsent edits of)."""

    records: list[RecordKey] = Field(max_length=MAX_CHANGES_PER_BATCH)


class RecordHash(_Wire):
    record_type: str
    id: str
    #: ``sync.checksum.record_hash`` (unsigned); None where the record is not in the device's scope.
    hash: int | None = None
    #: Whether the service holds the record at all (in the device's program, any scope): a record a
    #: device created that the service never took is kept on the device, not evicted.
    known: bool = False


class HashesResponse(_Wire):
    hashes: list[RecordHash]


class PhoneReport(_Wire):
    """What a phone reports of itself after a sync (``POST /v1/state``), for supervisors' view."""

    last_push_at: datetime | None = None
    last_pull_at: datetime | None = None
    pending: int | None = Field(default=None, ge=0, le=MAX_CURSOR)
    oldest_pending_at: datetime | None = None
    checksum_state: str | None = Field(default=None, max_length=20, pattern=r"^[a-z_]*$")
    checksum_at: int | None = Field(default=None, ge=0, le=MAX_CURSOR)
    clock_offset_ms: int | None = Field(default=None, ge=-MAX_CURSOR, le=MAX_CURSOR)
    cursor: int | None = Field(default=None, ge=0, le=MAX_CURSOR)


class PhoneOut(_Wire):
    """One phone as supervisors see it (``GET /v1/phones``; ``sync.server.phones``)."""

    id: str
    client_device_id: str
    name: str
    user_id: str
    user: str
    role: str
    team_id: str | None = None
    last_seen_at: str | None = None
    revoked_at: str | None = None
    reported_at: str | None = None
    app_version: str | None = None
    protocol: int | None = None
    schema_signature: str | None = None
    last_push_at: str | None = None
    last_pull_at: str | None = None
    pending: int | None = None
    oldest_pending_at: str | None = None
    oldest_pending_age_s: int | None = None
    checksum_state: str | None = None
    checksum_at: int | None = None
    clock_offset_ms: int | None = None
    cursor: int | None = None
    erasures_acknowledged: int = 0
    erasures_pending: int = 0
    wipe_confirmed_at: str | None = None
    #: Unsent changes waiting longer than the service's limit (a day): look after this phone.
    stalled: bool = False


class EnrollRequest(_Wire):
    protocol: int = PROTOCOL_VERSION
    code: Name = Field(min_length=1, max_length=200)
    device_id: Name = Field(min_length=1, max_length=64)
    device_name: Name = Field(default="", max_length=200)


class EnrollResponse(_Wire):
    token: str
    user_id: str
    user_name: str
    role: str
    team_id: str | None
    program_id: str
    server_time_ms: int


class MeResponse(_Wire):
    user_id: str
    user_name: str
    role: str
    team_id: str | None
    program_id: str
    device_id: str
    server_time_ms: int


class CreateEnrollmentRequest(_Wire):
    user_id: str
    ttl_minutes: int = Field(default=60 * 24, ge=1, le=60 * 24 * 14)


class EnrollmentOut(_Wire):
    code: str
    uri: str
    expires_at: str


class DeviceOut(_Wire):
    id: str
    client_device_id: str
    name: str
    user_id: str
    user: str
    role: str
    team_id: str | None = None
    created_at: str
    last_seen_at: str | None = None
    revoked_at: str | None = None


class Conflict(_Wire):
    id: int
    seq: int
    record_type: str
    record_id: str
    field: str
    winner_value: Any = None
    winner_hlc: str
    loser_value: Any = None
    loser_hlc: str
    loser_device: str | None = None
    team_id: str | None = None
    created_at: str


class ConflictsResponse(_Wire):
    conflicts: list[Conflict]
    cursor: int
    has_more: bool


class Health(_Wire):
    status: str = "ok"
    protocol: int = PROTOCOL_VERSION
    database: str = ""
