"""Fixtures shared by every test: real SQLite files in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldapp.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh device store in a real SQLite file."""
    s = Store(tmp_path / "device.db")
    yield s
    s.close()
