"""The OWES animation log: activities with their form or task, the entities supported (PES/PS among
the contacts, initiative groups), hours, outcome and follow-up; and a period's indicators.

Indicators for a period (activities held in it): entities supported (distinct contacts and groups
named), initiative groups formed, social enterprises created, partnerships formed (what activities
brought about), consultations held (activities in the form of civic dialogue) and hours of animation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldapp.errors import Errors
from fieldapp.model import Contact, LocalActivityGroup, OwesActivity, Zone
from fieldapp.model.social_economy import CONSULTATION_FORMS
from fieldapp.services.validation import (
    check_exists,
    check_record,
    delete_record,
    live_rows,
    parse,
    parsers_for,
    update_record,
)
from fieldapp.store import Store

_FIELDS = parsers_for(OwesActivity, required=("held_on", "title"))


def _check_refs(session: Any, clean: dict[str, Any], errors: Errors) -> None:
    check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    for entity_id in clean.get("entity_ids") or ():
        check_exists(session, Contact, entity_id, "entity_ids", errors)
    for group_id in clean.get("group_ids") or ():
        check_exists(session, LocalActivityGroup, group_id, "group_ids", errors)


def log_activity(store: Store, data: dict[str, Any]) -> OwesActivity:
    """Log an animation activity (``held_on``, ``title`` and its ``form`` or ``task``)."""
    errors = Errors()
    clean = parse(data, _FIELDS, errors, required=("held_on", "title"))
    with store.read() as session:
        _check_refs(session, clean, errors)
    errors.raise_if_any()
    activity = OwesActivity(**{k: v for k, v in clean.items() if v is not None})
    check_record(None, activity, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, activity)
    return activity


def update_activity(store: Store, activity_id: str, changes: dict[str, Any]) -> OwesActivity:
    return update_record(
        store, OwesActivity, activity_id, changes, _FIELDS, check=lambda s, _r, c, e: _check_refs(s, c, e)
    )


def delete_activity(store: Store, activity_id: str) -> None:
    delete_record(store, OwesActivity, activity_id)


def list_activities(
    store: Store, *, start: date | None = None, end: date | None = None, zone_id: str | None = None
) -> list[OwesActivity]:
    """Activities held within ``start``–``end`` (each bound optional), the latest first."""
    conditions: list[Any] = []
    if start is not None:
        conditions.append(OwesActivity.held_on >= start)
    if end is not None:
        conditions.append(OwesActivity.held_on <= end)
    if zone_id:
        conditions.append(OwesActivity.zone_id == zone_id)
    with store.read() as session:
        rows = live_rows(session, OwesActivity, *conditions)
    return sorted(rows, key=lambda a: (a.held_on, a.base_hlc), reverse=True)


@dataclass(frozen=True)
class OwesIndicators:
    """A period's indicators of animation."""

    activities: int = 0
    entities_supported: int = 0
    groups_formed: int = 0
    enterprises_created: int = 0
    partnerships_formed: int = 0
    consultations: int = 0
    minutes: int = 0

    @property
    def hours(self) -> float:
        return self.minutes / 60


def indicators(activities: list[OwesActivity]) -> OwesIndicators:
    """The indicators of these activities (a period's, as ``list_activities`` gives them)."""
    supported = {("c", i) for a in activities for i in a.entity_ids} | {
        ("g", i) for a in activities for i in a.group_ids
    }
    return OwesIndicators(
        activities=len(activities),
        entities_supported=len(supported),
        groups_formed=sum(a.groups_formed for a in activities),
        enterprises_created=sum(a.enterprises_created for a in activities),
        partnerships_formed=sum(a.partnerships_formed for a in activities),
        consultations=sum(1 for a in activities if a.form in CONSULTATION_FORMS),
        minutes=sum(a.minutes for a in activities),
    )


def period_indicators(store: Store, start: date | None, end: date | None) -> OwesIndicators:
    return indicators(list_activities(store, start=start, end=end))
