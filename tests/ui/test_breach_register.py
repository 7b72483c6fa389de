"""The breach register's date: when a breach typed as a day was noticed (the 72 hours run from it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.ui.breach_register import noticed_at_of


def test_today_is_now_and_an_earlier_day_its_start() -> None:
    today = date.today()
    now = noticed_at_of(today.isoformat())
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
    earlier = noticed_at_of("10.01.2026", today=date(2026, 3, 1))
    assert earlier.astimezone().date() == date(2026, 1, 10) and earlier.astimezone().hour == 0


@pytest.mark.parametrize(("text", "code"), [("", "invalid_date"), ("31.02.2026", "invalid_date"),
                                             ("2026-03-02", "date_in_future")])
def test_a_bad_or_future_day_is_refused(text: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as failed:
        noticed_at_of(text, today=date(2026, 3, 1))
    assert [(e.field, e.code) for e in failed.value.errors] == [("noticed_at", code)]
