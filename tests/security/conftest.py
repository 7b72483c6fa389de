"""Security test fixtures: one SQLite service per module and a caller for every role (``cast``); and
the sync tests' real service per module and backend with enrolled devices (``world``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sync.server import accounts
from sync.server.local import LocalServer, start_local_server
from tests.sync.conftest import backend, server, service_db, world  # noqa: F401

#: Every kind of caller the role table covers.
ROLES = (
    "anonymous",
    "bad_token",
    "animator",
    "library_staff",
    "supervisor",
    "admin",
    "revoked",
    "other_team",
    "other_program",
)


@dataclass
class Cast:
    """A program P (teams A and B) and a program Q on one service; a bearer token per role."""

    server: LocalServer
    program: str = ""
    team_a: str = ""
    team_b: str = ""
    other_program: str = ""
    tokens: dict[str, str | None] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def user(self, role: str = "animator", *, team: str | None = None, program: str | None = None) -> str:
        name = f"{role}-{uuid.uuid4().hex[:6]}"
        if role in ("supervisor", "admin"):
            return accounts.create_user(self.server.db, name, role, program_id=program or self.program)
        return accounts.create_user(self.server.db, name, role, team_id=team or self.team_a)

    def enroll(self, user_id: str) -> accounts.Redeemed:
        code = accounts.create_enrollment(self.server.db, user_id, self.url).code
        return accounts.redeem(self.server.db, code, uuid.uuid4().hex)

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens[role]
        return {} if token is None else {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def cast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cast]:
    running = start_local_server(Path(tmp_path_factory.mktemp("security")) / "sync.db")
    c = Cast(running)
    db = running.db
    c.program = accounts.create_program(db, "P")
    c.team_a = accounts.create_team(db, "A", program_id=c.program)
    c.team_b = accounts.create_team(db, "B", program_id=c.program)
    c.other_program = accounts.create_program(db, "Q")
    c.tokens = {"anonymous": None, "bad_token": "tk_" + "x" * 43}
    for role, user in {
        "animator": c.user("animator"),
        "library_staff": c.user("library_staff"),
        "supervisor": c.user("supervisor"),
        "admin": c.user("admin"),
        "revoked": c.user("animator"),
        "other_team": c.user("animator", team=c.team_b),
        "other_program": c.user("supervisor", program=c.other_program),
    }.items():
        done = c.enroll(user)
        c.tokens[role], c.users[role] = done.token, user
        if role == "revoked":
            accounts.revoke(db, done.device_id)
    yield c
    running.stop()
    running.db.dispose()
