"""Schemathesis walks every operation of the published OpenAPI schema: never a server error, and
every error answer carries a stable code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from fieldapp.model.enums import Role
from sync.server import accounts
from sync.server.app import create_app
from sync.server.local import LocalServer, start_local_server

schema = schemathesis.openapi.from_dict(create_app("sqlite://", migrate=False).openapi())


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, str]]:
    server = start_local_server(Path(tmp_path_factory.mktemp("contract")) / "sync.db")
    team = accounts.create_team(server.db, "A")
    animator = accounts.create_user(server.db, "x", Role.ANIMATOR, team_id=team)
    program = accounts.program_of_user(server.db, animator)
    boss = accounts.create_user(server.db, "Boss", Role.SUPERVISOR, program_id=program)
    code = accounts.create_enrollment(server.db, boss, server.url).code
    token = accounts.redeem(server.db, code, "d").token
    yield server, token
    server.stop()


@schema.parametrize()
@settings(max_examples=8, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation(case: schemathesis.Case, service: tuple[LocalServer, str]) -> None:
    server, token = service
    response = case.call(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert isinstance(response.json().get("code"), str)
