"""Programs, teams, users, devices: enrollment codes, bearer tokens, revocation.

Enrollment code: ``<lookup>-<secret>``, the lookup part (8 base32 characters) finds the row, the
secret part (100 random bits) is stored only as a SHA-256 hash and compared in constant time. A
code is single use and expires; wrong tries are rate-limited per client address and per code with
growing delays (``throttle``), and an admin can replace a code (``enrollments.reissue``). The
address a code's QR carries must be https, or http on loopback (``check_server_url``). A device
token (256 random bits) is likewise stored only as its SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from fieldapp.model.base import new_id
from fieldapp.model.enums import Role
from sync.protocol import ErrorCode, check_server_url
from sync.server import tables as t
from sync.server import throttle
from sync.server.clock import utc
from sync.server.db import Database
from sync.server.errors import ApiError

DEFAULT_TTL = timedelta(hours=24)
LOOKUP_LEN = 8
SECRET_LEN = 20
#: Roles that see and review their whole program, not just one team.
PROGRAM_ROLES = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})


def now() -> datetime:
    return datetime.now(UTC)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _random_base32(length: int) -> str:
    return base64.b32encode(secrets.token_bytes(length)).decode()[:length]


# -- accounts ----------------------------------------------------------------------------------


def create_program(db: Database, name: str) -> str:
    program_id = new_id()
    with db.write() as conn:
        conn.execute(sa.insert(t.program).values(id=program_id, name=name, created_at=now()))
    return program_id


def create_team(db: Database, name: str, *, program_id: str | None = None, program: str | None = None) -> str:
    """A team in a program, given by id or by name (a program with that name is made if missing)."""
    with db.write() as conn:
        if program_id is None:
            program_name = program or "Program"
            program_id = conn.execute(
                sa.select(t.program.c.id).where(t.program.c.name == program_name)
            ).scalar()
            if program_id is None:
                program_id = new_id()
                conn.execute(sa.insert(t.program).values(id=program_id, name=program_name, created_at=now()))
        team_id = new_id()
        conn.execute(sa.insert(t.team).values(id=team_id, program_id=program_id, name=name, created_at=now()))
    return team_id


def create_user(
    db: Database, name: str, role: str, *, team_id: str | None = None, program_id: str | None = None
) -> str:
    """A user: animators and library staff belong to a team; supervisors and admins to a program."""
    role = Role(role).value
    with db.write() as conn:
        if team_id is not None:
            team_program = conn.execute(sa.select(t.team.c.program_id).where(t.team.c.id == team_id)).scalar()
            if team_program is None:
                raise ValueError(f"no team {team_id}")
            program_id = team_program
        elif role not in PROGRAM_ROLES:
            raise ValueError(f"a user with role {role} needs a team")
        if program_id is None:
            raise ValueError("a supervisor or admin needs a program or a team")
        user_id = new_id()
        conn.execute(
            sa.insert(t.account).values(
                id=user_id, program_id=program_id, team_id=team_id, name=name, role=role, created_at=now()
            )
        )
    return user_id


def program_of_user(db: Database, user_id: str) -> str | None:
    with db.read() as conn:
        return conn.execute(sa.select(t.account.c.program_id).where(t.account.c.id == user_id)).scalar()


def user_in_program(db: Database, user_id: str, program_id: str) -> tuple[str, str] | None:
    """``(user_id, role)`` of a user of ``program_id``, None if there is no such user there."""
    query = sa.select(t.account.c.id, t.account.c.role).where(
        (t.account.c.id == user_id) & (t.account.c.program_id == program_id)
    )
    with db.read() as conn:
        row = conn.execute(query).first()
    return None if row is None else (row.id, row.role)


def owner_roles(db: Database, device: str, program_id: str) -> set[str]:
    """Roles of the users owning the active devices ``revoke(device, program_id=…)`` would revoke."""
    query = (
        sa.select(t.account.c.role)
        .join(t.device, t.device.c.account_id == t.account.c.id)
        .where(sa.or_(t.device.c.id == device, t.device.c.client_device_id == device))
        .where(t.device.c.revoked_at.is_(None))
        .where(t.account.c.program_id == program_id)
    )
    with db.read() as conn:
        return set(conn.execute(query).scalars())


def may_enroll(actor: DeviceContext, user_id: str, role: str) -> bool:
    """Admins enroll anyone of their program; supervisors team members and themselves (a supervisor
    enrolling an admin's or another supervisor's phone would act as them)."""
    if actor.role == Role.ADMIN.value:
        return True
    if actor.role == Role.SUPERVISOR.value:
        return role in (Role.ANIMATOR.value, Role.LIBRARY_STAFF.value) or user_id == actor.user_id
    return False


def may_revoke(actor: DeviceContext, roles: set[str]) -> bool:
    """Admins revoke any device of their program; supervisors any but an admin's."""
    if actor.role == Role.ADMIN.value:
        return True
    return actor.role == Role.SUPERVISOR.value and Role.ADMIN.value not in roles


# -- enrollment --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrollment:
    code: str
    uri: str
    expires_at: datetime


def enrollment_uri(server_url: str, code: str) -> str:
    return f"teren://enroll?server={quote(server_url, safe='')}&code={quote(code, safe='')}"


def create_enrollment(
    db: Database,
    user_id: str,
    server_url: str,
    *,
    ttl: timedelta = DEFAULT_TTL,
    created_by: str | None = None,
    insecure_http: bool = False,
) -> Enrollment:
    """A one-time code for ``user_id``'s device and its QR content. ValueError for an unknown user
    or a ``server_url`` devices must not be sent to (``check_server_url``)."""
    server_url = check_server_url(server_url, insecure_http=insecure_http)
    with db.write() as conn:
        return new_code(conn, user_id, server_url, ttl, created_by)


def new_code(
    conn: sa.Connection, user_id: str, server_url: str, ttl: timedelta, created_by: str | None
) -> Enrollment:
    if conn.execute(sa.select(t.account.c.id).where(t.account.c.id == user_id)).scalar() is None:
        raise ValueError(f"no user {user_id}")
    lookup, secret = _random_base32(LOOKUP_LEN), _random_base32(SECRET_LEN)
    created = now()
    conn.execute(
        sa.insert(t.enrollment).values(
            id=lookup,
            secret_hash=sha256(secret),
            account_id=user_id,
            created_by=created_by,
            created_at=created,
            expires_at=created + ttl,
            server_url=server_url,
        )
    )
    code = f"{lookup}-" + "-".join(secret[i : i + 5] for i in range(0, SECRET_LEN, 5))
    return Enrollment(code, enrollment_uri(server_url, code), created + ttl)


#: Base32 has no 0, 1 or 8: read as the letters people mistake them for.
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def split_code(code: str) -> tuple[str, str]:
    cleaned = "".join(ch for ch in code.upper().translate(_LOOKALIKES) if ch.isalnum())
    return cleaned[:LOOKUP_LEN], cleaned[LOOKUP_LEN:]


@dataclass(frozen=True)
class Redeemed:
    token: str
    device_id: str
    user_id: str
    user_name: str
    role: str
    team_id: str | None
    program_id: str


def redeem(
    db: Database, code: str, client_device_id: str, device_name: str = "", *, client: str | None = None
) -> Redeemed:
    """Exchange a one-time code for a device token; ApiError with an ``enrollment_*`` code
    otherwise, or 429 ``rate_limited`` while ``client`` (the caller's address) or the code must wait
    after wrong tries (``throttle``)."""
    lookup, secret = split_code(code)
    at = now()
    with db.read() as conn:  # a waiting address is refused without queueing for the write lock
        throttle.check_address(conn, client, at)
    with db.write() as conn:
        address_failures = throttle.check_address(conn, client, at, lock=True)
        row = conn.execute(
            sa.select(t.enrollment).where(t.enrollment.c.id == lookup).with_for_update()
        ).first()
        if row is not None:
            throttle.check_code(row, address_failures, at)
        if row is None or not hmac.compare_digest(sha256(secret), row.secret_hash):
            throttle.note_failure(conn, client, row, at)
            failure = ApiError(400, ErrorCode.ENROLLMENT_INVALID, "unknown or wrong enrollment code")
        elif row.used_at is not None:
            raise ApiError(409, ErrorCode.ENROLLMENT_USED, "this code has been used already")
        elif row.revoked_at is not None:
            raise ApiError(410, ErrorCode.ENROLLMENT_EXPIRED, "this code was replaced; ask for the new one")
        elif utc(row.expires_at) <= at:
            raise ApiError(410, ErrorCode.ENROLLMENT_EXPIRED, "this code has expired")
        else:
            throttle.forget_address(conn, client)
            return _enroll_device(conn, row, client_device_id, device_name)
    raise failure  # after the commit: the failure is counted


def _enroll_device(conn: sa.Connection, code: Any, client_device_id: str, device_name: str) -> Redeemed:
    """The device of a redeemed code, with its token; the code marked used."""
    user = conn.execute(sa.select(t.account).where(t.account.c.id == code.account_id)).one()
    token = "tk_" + secrets.token_urlsafe(32)
    device_id = new_id()
    conn.execute(
        sa.insert(t.device).values(
            id=device_id,
            account_id=user.id,
            client_device_id=client_device_id,
            name=device_name,
            token_hash=sha256(token),
            created_at=now(),
        )
    )
    conn.execute(
        sa.update(t.enrollment).where(t.enrollment.c.id == code.id).values(used_at=now(), device_id=device_id)
    )
    return Redeemed(token, device_id, user.id, user.name, user.role, user.team_id, user.program_id)


# -- devices -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceContext:
    """Who is calling: the device, its user and the user's scope."""

    id: str
    client_device_id: str
    user_id: str
    user_name: str
    role: str
    team_id: str | None
    program_id: str
    last_pull_seq: int
    #: The team the user left, and when (ms), if moved (``scope_moves``).
    previous_team_id: str | None = None
    moved_at_ms: int | None = None

    @property
    def program_wide(self) -> bool:
        return self.role in PROGRAM_ROLES


def authenticate(db: Database, authorization: str | None, *, allow_revoked: bool = False) -> DeviceContext:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, ErrorCode.UNAUTHORIZED, "a bearer token is required")
    query = (
        sa.select(t.device, t.account.c.name.label("user_name"), t.account.c.role, t.account.c.team_id,
                  t.account.c.program_id, t.account.c.previous_team_id, t.account.c.moved_at)
        .join(t.account, t.account.c.id == t.device.c.account_id)
        .where(t.device.c.token_hash == sha256(token.strip()))
    )
    with db.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise ApiError(401, ErrorCode.UNAUTHORIZED, "unknown token")
    if row.revoked_at is not None and not allow_revoked:
        raise ApiError(403, ErrorCode.DEVICE_REVOKED, "this device has been revoked; wipe its data")
    return DeviceContext(
        id=row.id,
        client_device_id=row.client_device_id,
        user_id=row.account_id,
        user_name=row.user_name,
        role=row.role,
        team_id=row.team_id,
        program_id=row.program_id,
        last_pull_seq=row.last_pull_seq,
        previous_team_id=row.previous_team_id,
        moved_at_ms=int(utc(row.moved_at).timestamp() * 1000) if row.moved_at is not None else None,
    )


def revoke(db: Database, device: str, *, program_id: str | None = None) -> int:
    """Revoke a device given by its service id or by the id it gave itself (only in ``program_id``
    if given); returns how many."""
    query = (
        sa.update(t.device)
        .where(sa.or_(t.device.c.id == device, t.device.c.client_device_id == device))
        .where(t.device.c.revoked_at.is_(None))
    )
    if program_id is not None:
        in_program = sa.select(t.account.c.id).where(t.account.c.program_id == program_id)
        query = query.where(t.device.c.account_id.in_(in_program))
    with db.write() as conn:
        result = conn.execute(query.values(revoked_at=now()))
    return result.rowcount


def devices(db: Database, *, program_id: str | None = None) -> list[dict[str, object]]:
    query = (
        sa.select(t.device.c.id, t.device.c.client_device_id, t.device.c.name, t.device.c.created_at,
                  t.device.c.last_seen_at, t.device.c.revoked_at, t.account.c.id.label("user_id"),
                  t.account.c.name.label("user"), t.account.c.role, t.account.c.team_id)
        .join(t.account, t.account.c.id == t.device.c.account_id)
        .order_by(t.device.c.created_at)
    )
    if program_id is not None:
        query = query.where(t.account.c.program_id == program_id)
    with db.read() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


# -- QR codes ----------------------------------------------------------------------------------


def qr_png(text: str) -> bytes:
    import qrcode

    image = qrcode.make(text)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_ascii(text: str) -> str:
    import qrcode

    qr = qrcode.QRCode(border=2)
    qr.add_data(text)
    qr.make(fit=True)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


# -- demo --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSetup:
    program_id: str
    team_id: str
    user_id: str
    enrollment: Enrollment


def create_demo_setup(db: Database, server_url: str, *, user_name: str = "Animator demo") -> DemoSetup:
    """A demo program, team and animator (reused when present) and a fresh enrollment for them."""
    with db.read() as conn:
        user = conn.execute(
            sa.select(t.account).where(t.account.c.name == user_name).order_by(t.account.c.created_at)
        ).first()
    if user is None:
        team_id = create_team(db, "Zespół demo", program="Program demo")
        user_id = create_user(db, user_name, Role.ANIMATOR, team_id=team_id)
        with db.read() as conn:
            query = sa.select(t.team.c.program_id).where(t.team.c.id == team_id)
            program_id = conn.execute(query).scalar_one()
    else:
        team_id, user_id, program_id = user.team_id, user.id, user.program_id
    return DemoSetup(program_id, team_id, user_id, create_enrollment(db, user_id, server_url))
