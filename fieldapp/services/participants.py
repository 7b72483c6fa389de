"""Who took part in an action or a meeting, without personal data: one anonymous profile per event
(counts by age band and by group), set whole each time it is edited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fieldapp.errors import Errors
from fieldapp.model import Meeting, NeighbourhoodAction, ParticipantProfile, SyncedRecord
from fieldapp.model.cooperation import EventType
from fieldapp.model.participants import AGE_BANDS, GROUPS
from fieldapp.services.validation import (
    apply_changes,
    check_exists,
    check_record,
    live_rows,
    parse,
    parsers_for,
    wire_of,
)
from fieldapp.store import Store

_COUNTS = parsers_for(ParticipantProfile, *AGE_BANDS, *GROUPS)
#: The namespace of profile ids (``profile_id``).
_PROFILES = uuid.UUID("5d2f0c1e-7b0a-4c7e-9a51-0e2b8c6f4d26")
_EVENTS: dict[str, type[SyncedRecord]] = {EventType.ACTION: NeighbourhoodAction, EventType.MEETING: Meeting}


def profile_id(event_type: str, event_id: str) -> str:
    """The one id of an event's profile: two devices counting the same event offline write the same
    record (the later count stands, field by field as any record merges) instead of two profiles
    that the report would add up."""
    return str(uuid.uuid5(_PROFILES, f"{event_type}:{event_id}"))


def _profile(session: Any, event_type: str, event_id: str) -> ParticipantProfile | None:
    """The event's profile: by its id, else (written elsewhere under another id) by the event."""
    found = session.get(ParticipantProfile, profile_id(event_type, event_id))
    if found is not None:
        return found
    rows = live_rows(
        session,
        ParticipantProfile,
        ParticipantProfile.event_type == event_type,
        ParticipantProfile.event_id == event_id,
    )
    return rows[0] if rows else None


def set_profile(store: Store, event_type: str, event_id: str, counts: dict[str, Any]) -> ParticipantProfile:
    """Set an event's anonymous counts (the fields not given are left as they were, 0 at first)."""
    errors = Errors()
    if event_type not in _EVENTS:
        errors.add("event_type", "invalid_choice", value=event_type, allowed=", ".join(_EVENTS))
        errors.raise_if_any()
    clean = parse(counts, _COUNTS, errors)
    with store.read() as session:
        check_exists(session, _EVENTS[event_type], event_id, "event_id", errors)
        existing = _profile(session, event_type, event_id)
    errors.raise_if_any()
    profile = existing or ParticipantProfile(
        id=profile_id(event_type, event_id), event_type=event_type, event_id=event_id
    )
    before = wire_of(profile) if existing is not None else None
    changed = apply_changes(profile, {k: v for k, v in clean.items() if v is not None})
    if profile.deleted:  # counted again after it was removed
        profile.deleted = False
        changed.append("deleted")
    check_record(before, profile, errors)
    errors.raise_if_any()
    with store.write() as conn:
        if existing is None:
            store.save(conn, profile)
        elif changed:
            store.save(conn, profile, changed)
    return profile


def profile_of(store: Store, event_type: str, event_id: str) -> ParticipantProfile | None:
    with store.read() as session:
        found = _profile(session, event_type, event_id)
    return None if found is None or found.deleted else found


@dataclass
class ProfileTotals:
    """The profiles of many events summed: counts by age band and by group."""

    events: int = 0
    ages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGE_BANDS, 0))
    groups: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))

    @property
    def people(self) -> int:
        return sum(self.ages.values())


def totals(profiles: list[ParticipantProfile]) -> ProfileTotals:
    found = ProfileTotals(events=len(profiles))
    for profile in profiles:
        for band in AGE_BANDS:
            found.ages[band] += getattr(profile, band)
        for group in GROUPS:
            found.groups[group] += getattr(profile, group)
    return found
