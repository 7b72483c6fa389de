"""The randomised fault campaign (``tests/faults/campaign.py``: duplicated, reordered, dropped and
delayed requests, clocks off by hours to a year, the service SIGKILLed and restarted): a short run
per backend in CI, the same seed each time; ``TEREN_CAMPAIGN_SECONDS=1800`` runs a long one with a
new seed (README, "Testing")."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tests.faults.campaign import Campaign

pytestmark = pytest.mark.slow

LONG = float(os.environ.get("TEREN_CAMPAIGN_SECONDS") or 0)
SECONDS = LONG or 10.0


def test_devices_and_service_agree_after_the_chaos(service_db: str, tmp_path: Path) -> None:
    seed = random.randrange(10**6) if LONG else 11
    outcome = Campaign(service_db, tmp_path, seed).run(SECONDS, kill_every=(2.0, 5.0))
    print(f"campaign (seed {seed}):", {k: v for k, v in outcome.items() if k != "problems"})
    assert outcome["problems"] == [], (seed, outcome["problems"])
    assert outcome["kills"] >= 1 and outcome["records"] and outcome["erased"], outcome
    events = outcome["proxy"]
    assert all(events.get(kind) for kind in ("drop", "cut_answers", "duplicated", "replayed")), events
