"""Operations tests: the service's database of the test's own (SQLite file or PostgreSQL), services
started and stopped by the test, real device stores syncing over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sync.conftest import service_db  # noqa: F401


@pytest.fixture(autouse=True)
def _no_multiprocess_metrics(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Metrics of this process only, whatever the environment says."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    yield


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """``teren-sync serve`` run in this process configures logging: put it back after the test."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
