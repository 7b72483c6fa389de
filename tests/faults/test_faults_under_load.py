"""Faults under load, short (``tests/benchmarks/load.py --faults``, the full run: 50 devices x 60 s):
devices keep syncing while a service process is SIGKILLed and restarted and, on PostgreSQL (as
root), the cluster restarts; nothing is lost or doubled, every device resumes by itself, and pushes
outside the fault windows stay within 500 ms at the 99th percentile (checked unless the machine is
overloaded by other work, as a shared one can be).

The PostgreSQL run restarts the machine's real cluster (see test_postgres_restart.py): other tests
using PostgreSQL at that moment see their connections dropped."""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

import pytest

from tests.benchmarks.load import run_backend
from tests.faults.helpers import postgres_cluster
from tests.sync.conftest import create_pg_database

pytestmark = pytest.mark.slow

DEVICES = 8
#: Above this 1-minute load average the machine runs other work than this test's (a shared
#: machine): the latency bound holds for the service, not for a starved one.
OVERLOADED = 3 * (os.cpu_count() or 1)


@pytest.mark.parametrize("label", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_devices_ride_out_a_killed_service_and_a_restarted_database(label: str, tmp_path: Path) -> None:
    args = argparse.Namespace(devices=DEVICES, seconds=30.0, think=0.5, workers=2, device_nice=10)
    args.faults = True
    pg = create_pg_database() if label == "postgres" else None
    try:
        url, processes_count = (pg.url, 2) if pg else (str(tmp_path / "service.db"), 1)
        figures = run_backend(label, url, processes_count, args, tmp_path)
    finally:
        if pg:
            pg.drop()
    assert (figures["lost"], figures["duplicated"], figures["still_pending"]) == (0, 0, 0), figures
    assert figures["resumed"] == DEVICES + figures["supervisors"], figures
    happened = {window["kind"] for window in figures["faults"] if "skipped" not in window}
    expected = {"service_sigkill"} | ({"postgres_restart"} if pg and postgres_cluster() else set())
    assert happened == expected, figures["faults"]
    assert figures["pushes"] > figures["pushes_in_faults"] > 0, figures
    if figures["load_average_1m"] <= OVERLOADED:
        assert figures["push_p99_outside_faults_ms"] <= 500, figures
    else:  # other work starves the service of CPU: latency says nothing about it then
        load = figures["load_average_1m"]
        warnings.warn(f"machine overloaded (load {load}): push latency not checked", stacklevel=1)
