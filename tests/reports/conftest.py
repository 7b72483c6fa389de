"""The sync tests' service fixtures, for report data travelling through the real service."""

from tests.sync.conftest import backend, server, world  # noqa: F401
