"""Schemathesis walks every operation of the published OpenAPI schema, authenticated as each role:
never a server error, every answer conforms to the schema (errors carry a stable code), and a
refused request writes nothing (a push writes exactly the changes it reports as applied).

CI runs a few examples per operation and role; ``TEREN_FUZZ_EXAMPLES=2000`` runs a long, randomised
campaign (see README, "Testing").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from fieldapp.model.enums import Role
from sync.files_protocol import FileErrorCode
from sync.protocol import ErrorCode
from sync.server import accounts
from sync.server import tables as t
from sync.server.app import create_app
from sync.server.db import Database
from sync.server.local import LocalServer, start_local_server
from tests.sync.helpers import fuzz_examples, fuzz_randomised

schema = schemathesis.openapi.from_dict(create_app("sqlite://", migrate=False).openapi())

ROLES = (Role.ANIMATOR, Role.LIBRARY_STAFF, Role.SUPERVISOR, Role.ADMIN)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@dataclass
class Service:
    server: LocalServer
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    server = start_local_server(Path(tmp_path_factory.mktemp("contract")) / "sync.db")
    db = server.db
    program = accounts.create_program(db, "P")
    team = accounts.create_team(db, "A", program_id=program)
    running = Service(server)
    for role in ROLES:
        if role in (Role.SUPERVISOR, Role.ADMIN):
            user = accounts.create_user(db, role, role, program_id=program)
        else:
            user = accounts.create_user(db, role, role, team_id=team)
        code = accounts.create_enrollment(db, user, server.url).code
        running.tokens[role] = accounts.redeem(db, code, f"device-{role}").token
    yield running
    server.stop()
    db.dispose()


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return request.param


def snapshot(db: Database) -> dict[str, Any]:
    """What a request could write: records, the change counter, enrollments, revocations."""
    with db.read() as conn:
        return {
            "records": {
                (r.record_type, r.id): (r.seq, r.data, r.deleted)
                for r in conn.execute(
                    sa.select(t.record.c.record_type, t.record.c.id, t.record.c.seq, t.record.c.data,
                              t.record.c.deleted)
                )
            },
            "counter": conn.execute(sa.select(t.counter.c.value)).scalar_one(),
            "enrollments": set(conn.execute(sa.select(t.enrollment.c.id)).scalars()),
            "revoked": set(conn.execute(sa.select(t.device.c.id).where(t.device.c.revoked_at.is_not(None)))
                           .scalars()),
        }


def _check_writes(before: dict[str, Any], after: dict[str, Any], status: int, payload: Any) -> None:
    if status >= 400:
        assert after == before, "a refused request changed stored data"
        return
    if not isinstance(payload, dict) or "results" not in payload:
        return
    for result in payload["results"]:
        key = (result["record_type"], result["id"])
        was, now = before["records"].get(key), after["records"].get(key)
        if result["code"] == "erased":  # sent back to the device (a new seq), its values as they were
            assert was is not None and now is not None and was[1:] == now[1:], result
        elif result["status"] == "rejected":
            assert now == was, result
        else:
            assert key in after["records"], result
    changed = {k for k, v in after["records"].items() if before["records"].get(k) != v}
    written = [r for r in payload["results"] if r["status"] != "rejected" or r["code"] == "erased"]
    reported = {(r["record_type"], r["id"]) for r in written}
    assert changed <= reported, "a push changed records it did not report"


@schema.parametrize()
@settings(
    max_examples=fuzz_examples(6),
    derandomize=not fuzz_randomised(),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_as_every_role(case: schemathesis.Case, service: Service, role: str) -> None:
    db = service.server.db
    case.headers = {**(case.headers or {}), "authorization": f"Bearer {service.tokens[role]}"}
    before = snapshot(db)
    response = case.call(base_url=service.server.url, timeout=30)
    case.validate_response(response, checks=CHECKS)
    if case.path.startswith("/v1/files/") and (case.method.upper() == "HEAD" or response.status_code < 400):
        # The file lane's bytes, and HEAD answers without a body (a refusal's code in a header).
        assert snapshot(db) == before
        return
    payload = response.json()
    if response.status_code >= 400:
        assert payload.get("code") in set(ErrorCode) | set(FileErrorCode), payload
    _check_writes(before, snapshot(db), response.status_code, payload)
