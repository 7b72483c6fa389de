"""The sync tests' service fixtures, for erasures and reviews travelling through the real service."""

from tests.sync.conftest import backend, server, world  # noqa: F401
