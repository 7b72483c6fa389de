"""Fault tests reuse the sync fixtures: a real service per module and backend, enrolled devices."""

from tests.sync.conftest import backend, server, service_db, world  # noqa: F401
