"""Fixtures shared by every test: real SQLite files in a temporary folder. Hooks of the whole run:
the order tests are handed to the workers in (slow files first), and the browser tests' Chromium
stopped before any other test."""

from __future__ import annotations

import sys
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


def _heavy(item: pytest.Item) -> bool:
    return item.get_closest_marker("e2e") is not None or item.get_closest_marker("slow") is not None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with browser (``e2e``) or ``slow`` tests first, the rest in their usual order after.

    The run is spread over worker processes a file at a time (``--dist loadfile``, pyproject.toml),
    in this order: the long files start at once and the short ones fill the workers up to the end,
    instead of a long file starting last while the other workers sit idle.
    """
    heavy_files = {item.path for item in items if _heavy(item)}
    items.sort(key=lambda item: item.path not in heavy_files)  # stable: files stay whole


def _stop_browser() -> None:
    harness = sys.modules.get("tests.e2e.harness")  # imported only where browser tests are collected
    if harness is not None:
        harness.stop_shared_browser()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Playwright's event loop counts as running in this thread while the browser tests' Chromium is
    up, and ``asyncio.run`` fails there: stop it before a test that is not a browser test."""
    if item.get_closest_marker("e2e") is None:
        _stop_browser()


def pytest_sessionfinish() -> None:
    _stop_browser()


_reruns: list[pytest.TestReport] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.outcome == "rerun":  # pytest-rerunfailures' first attempt of a flaky test that failed
        _reruns.append(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Why each rerun test failed the first time: pytest-rerunfailures only names it, and a rerun
    that passes must not hide a new failure."""
    for report in _reruns:
        terminalreporter.write_sep("-", f"first failure of {report.nodeid} ({report.when}), rerun")
        terminalreporter.write_line(report.longreprtext[-4000:])
