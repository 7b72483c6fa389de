"""The sample's one seeded random source and its clock: same seed and ``now``, same data."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from fieldapp.sample.data.zones import ZoneSpec


class Draw:
    """Random choices of the sample, all from ``random.Random(seed)``, and the moment it is made."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now

    def uid(self) -> str:
        """A UUID from the seed (record ids are new each fill; this is for ids stored in fields)."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def weighted(self, weights: dict[str, int]) -> Callable[[], str]:
        """A function that draws one of the names of ``weights``, as often as its weight says."""
        names, cum = list(weights), []
        total = 0
        for weight in weights.values():
            total += weight
            cum.append(total)
        rng = self.rng
        return lambda: rng.choices(names, cum_weights=cum)[0]

    def moment(self, days_back: float, after: datetime | None = None) -> datetime:
        """A moment in working hours, not on a Sunday, in the last ``days_back`` days (after ``after``)."""
        rng = self.rng
        start = max(after or self.now - timedelta(days=days_back), self.now - timedelta(days=days_back))
        span = max((self.now - start).total_seconds(), 3600.0)
        moment = start + timedelta(seconds=rng.random() * span)
        if moment.weekday() == 6:
            moment -= timedelta(days=1)
        moment = moment.replace(hour=rng.randint(8, 18), minute=rng.randint(0, 59), second=rng.randint(0, 59))
        return min(max(moment, start), self.now)

    def point_in(self, spec: ZoneSpec) -> tuple[float, float]:
        """A uniform point inside 90 % of the zone's radius (so it is clearly in the zone)."""
        rng = self.rng
        r = spec.radius_m * 0.9 * math.sqrt(rng.random())
        angle = rng.random() * 2 * math.pi
        dlat = r * math.cos(angle) / 111_320
        dlon = r * math.sin(angle) / (111_320 * math.cos(math.radians(spec.lat)))
        return round(spec.lat + dlat, 6), round(spec.lon + dlon, 6)

    def some(self, pool: Sequence[str], chance: float, most: int = 2) -> str:
        """With ``chance``: one to ``most`` items of ``pool``, comma-separated; otherwise ""."""
        if self.rng.random() >= chance:
            return ""
        return ", ".join(self.rng.sample(pool, self.rng.randint(1, most)))
