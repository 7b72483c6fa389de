"""The reports screen's month periods (no browser)."""

from __future__ import annotations

from datetime import date

import pytest

from fieldapp.ui.reports import month_period


@pytest.mark.parametrize(
    ("today", "kind", "expected"),
    [
        (date(2026, 3, 15), "this_month", (date(2026, 3, 1), date(2026, 3, 31))),
        (date(2026, 3, 1), "last_month", (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2028, 3, 31), "last_month", (date(2028, 2, 1), date(2028, 2, 29))),
        (date(2026, 1, 10), "last_month", (date(2025, 12, 1), date(2025, 12, 31))),
        (date(2026, 12, 31), "this_month", (date(2026, 12, 1), date(2026, 12, 31))),
    ],
)
def test_month_periods(today: date, kind: str, expected: tuple[date, date]) -> None:
    assert month_period(kind, today) == expected
