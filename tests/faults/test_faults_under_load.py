"""Faults under load, short (``tests/benchmarks/load.py --faults``, the full run: 50 devices x 60 s):
devices keep syncing while a service process is SIGKILLed and restarted and, on PostgreSQL (as
root), the cluster restarts; nothing is lost or doubled, every device resumes by itself, and pushes
outside the fault windows stay within 500 ms at the 99th percentile (checked unless the machine is
overloaded by other work, as a shared one can be).

The PostgreSQL run restarts a real cluster of the test's own (``throwaway_cluster``, as
test_postgres_restart.py does), not the machine's: the benchmark's fault injector is pointed at it,
so other tests' connections are not dropped."""

from __future__ import annotations

import argparse
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.benchmarks import load as load_benchmark
from tests.faults.helpers import Cluster, throwaway_cluster

pytestmark = pytest.mark.slow

DEVICES = 8
#: Above this 1-minute load average the machine runs other work than this test's (a shared
#: machine): the latency bound holds for the service, not for a starved one.
OVERLOADED = 3 * (os.cpu_count() or 1)


@pytest.fixture
def own_cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    """A throw-away cluster that the benchmark's ``Faults.restart_postgres`` restarts and then waits
    for, instead of the machine's."""
    with throwaway_cluster() as cluster:
        monkeypatch.setattr(load_benchmark, "postgres_cluster", lambda: cluster)
        monkeypatch.setattr(load_benchmark, "restart_postgres", Cluster.restart)
        monkeypatch.setattr(load_benchmark, "PG_ADMIN", cluster.admin_url)
        yield cluster


@pytest.mark.parametrize("label", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_devices_ride_out_a_killed_service_and_a_restarted_database(
    label: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    args = argparse.Namespace(devices=DEVICES, seconds=30.0, think=0.5, workers=2, device_nice=10)
    args.faults = True
    pg = request.getfixturevalue("own_cluster").create_database() if label == "postgres" else None
    url, processes_count = (pg.url, 2) if pg else (str(tmp_path / "service.db"), 1)
    figures = load_benchmark.run_backend(label, url, processes_count, args, tmp_path)
    assert (figures["lost"], figures["duplicated"], figures["still_pending"]) == (0, 0, 0), figures
    assert figures["resumed"] == DEVICES + figures["supervisors"], figures
    happened = {window["kind"] for window in figures["faults"] if "skipped" not in window}
    expected = {"service_sigkill"} | ({"postgres_restart"} if pg else set())
    assert happened == expected, figures["faults"]
    assert figures["pushes"] > figures["pushes_in_faults"] > 0, figures
    parallel = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1
    if figures["load_average_1m"] <= OVERLOADED and not parallel:
        assert figures["push_p99_outside_faults_ms"] <= 500, figures
    else:  # other work starves the service of CPU: latency says nothing about it then
        load = figures["load_average_1m"]
        why = "other test files run beside it" if parallel else f"machine overloaded (load {load})"
        warnings.warn(f"{why}: push latency not checked (run this file with -n 0 to check it)", stacklevel=1)
