"""Fixtures shared by every test: real SQLite files in a temporary folder. Hooks of the whole run:
the order files are handed to the workers in (browser and slow files first, browser files in two
lanes), the browser tests' Chromium stopped before any other test, and a rerun test's first
failure shown."""

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


#: Browser test files run in this many lanes, each lane's files one after another on one worker:
#: at most this many Chromiums render at once (Flutter in software, timing-sensitive on 2 cores).
E2E_LANES = 2


def _weight(item: pytest.Item) -> int:
    if item.get_closest_marker("e2e") is not None:
        return 0
    return 1 if item.get_closest_marker("slow") is not None else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser test files first, then files with ``slow`` tests, then the rest in their usual order.

    The run is spread over worker processes a file at a time (``--dist loadfile``, pyproject.toml),
    in this order (``--no-loadscope-reorder``): the long files start at once and the short ones fill
    the workers up to the end, instead of a long file starting last while the other workers idle.
    """
    weight: dict[Path, int] = {}
    for item in items:
        weight[item.path] = min(weight.get(item.path, 2), _weight(item))
    items.sort(key=lambda item: weight[item.path])  # stable: a file's tests stay together, in order


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadfile`` with the browser test files in ``E2E_LANES`` lanes (alternately, in the
    collection's order): a lane is one unit of work, its files run one after another."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserLanes(LoadFileScheduling):
        lanes: dict[str, str] = {}

        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            if not path.startswith("tests/e2e/"):
                return path
            return self.lanes.setdefault(path, f"tests/e2e (lane {len(self.lanes) % E2E_LANES + 1})")

    return BrowserLanes(config, log)  # type: ignore[arg-type]


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
