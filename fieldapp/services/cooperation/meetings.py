"""Meetings (forums, social labs, consultations, training sessions, neighbourhood forums), their
attendance and head-counts, and training series.

A training session is a meeting of kind ``training`` with its length (``duration_min``) and, when it
is one of a cycle, its ``series_id``: attendance is kept per session, so a series has attendance
per session. A consultation keeps its ``outcome``. Attendance records also say who took part in (or
co-organised) a neighbourhood action, which the engagement ladder reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fieldapp.errors import Errors, NotFound
from fieldapp.model import (
    Attendance,
    Contact,
    LocalActivityGroup,
    Meeting,
    NeighbourhoodAction,
    Partnership,
    TrainingSeries,
    Zone,
)
from fieldapp.model.cooperation import AttendanceRole, EventType, MeetingKind
from fieldapp.services.cooperation.common import (
    check_exists,
    check_people,
    delete_record,
    get_live,
    live,
    live_rows,
    parse,
    parsers_for,
    two_roles,
    update_record,
)
from fieldapp.store import Store

_MEETING_FIELDS = parsers_for(Meeting, required=("topic", "held_on"))
_SERIES_FIELDS = parsers_for(TrainingSeries, required=("name",))
_ROLE_FIELDS = parsers_for(Attendance, "role")
_EVENT_MODELS = {EventType.MEETING: Meeting, EventType.ACTION: NeighbourhoodAction}


@dataclass(frozen=True)
class MeetingSummary:
    meeting: Meeting
    #: Named attendees (organisers and participants) with their contact, in the order added.
    attendees: list[tuple[Attendance, Contact]]
    #: Attendees whose details were erased later: still people who came.
    erased: int

    @property
    def organisers(self) -> list[Contact]:
        return [c for a, c in self.attendees if a.role == AttendanceRole.ORGANISER]

    @property
    def participants(self) -> list[Contact]:
        return [c for a, c in self.attendees if a.role != AttendanceRole.ORGANISER]

    @property
    def head_count(self) -> int:
        """Everybody who came: named attendees, erased ones and those who left no details."""
        return len(self.attendees) + self.erased + self.meeting.anonymous_count


def _check_refs(session: Any, clean: dict[str, Any], errors: Errors) -> None:
    check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    check_exists(session, LocalActivityGroup, clean.get("group_id"), "group_id", errors)
    check_exists(session, Partnership, clean.get("partnership_id"), "partnership_id", errors)
    check_exists(session, TrainingSeries, clean.get("series_id"), "series_id", errors)


def create_meeting(
    store: Store,
    data: dict[str, Any],
    organiser_ids: Iterable[str] = (),
    attendee_ids: Iterable[str] = (),
) -> Meeting:
    """A meeting with its organisers and first attendees, in one transaction."""
    errors = Errors()
    clean = parse(data, _MEETING_FIELDS, errors, required=("topic", "held_on"))
    organisers, participants = two_roles(organiser_ids, attendee_ids)
    with store.read() as session:
        _check_refs(session, clean, errors)
        check_people(session, organisers, "organiser_ids", errors)
        check_people(session, participants, "attendee_ids", errors)
    errors.raise_if_any()
    meeting = Meeting(**clean)
    with store.write() as conn:
        store.save(conn, meeting)
        for contact_id in organisers:
            store.save(conn, _attendance(EventType.MEETING, meeting.id, contact_id, AttendanceRole.ORGANISER))
        for contact_id in participants:
            store.save(
                conn, _attendance(EventType.MEETING, meeting.id, contact_id, AttendanceRole.PARTICIPANT)
            )
    return meeting


def update_meeting(store: Store, meeting_id: str, changes: dict[str, Any]) -> Meeting:
    return update_record(
        store, Meeting, meeting_id, changes, _MEETING_FIELDS,
        lambda session, _meeting, clean, errors: _check_refs(session, clean, errors),
    )


def set_anonymous_count(store: Store, meeting_id: str, number: int) -> Meeting:
    """How many people came without leaving their details."""
    return update_meeting(store, meeting_id, {"anonymous_count": number})


def delete_meeting(store: Store, meeting_id: str) -> None:
    delete_record(store, Meeting, meeting_id)


def list_meetings(store: Store, *, zone_id: str | None = None) -> list[Meeting]:
    """Meetings, the latest first."""
    conditions = [] if zone_id is None else [Meeting.zone_id == zone_id]
    with store.read() as session:
        rows = live_rows(session, Meeting, *conditions)
    return sorted(rows, key=lambda m: (m.held_on, m.start_time), reverse=True)


# -- training series ------------------------------------------------------------------------------


def create_series(store: Store, data: dict[str, Any]) -> TrainingSeries:
    """A training series (its sessions are meetings of kind training naming it)."""
    errors = Errors()
    clean = parse(data, _SERIES_FIELDS, errors, required=("name",))
    with store.read() as session:
        check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    errors.raise_if_any()
    series = TrainingSeries(**clean)
    with store.write() as conn:
        store.save(conn, series)
    return series


def update_series(store: Store, series_id: str, changes: dict[str, Any]) -> TrainingSeries:
    return update_record(store, TrainingSeries, series_id, changes, _SERIES_FIELDS)


def list_series(store: Store, *, zone_id: str | None = None) -> list[TrainingSeries]:
    """Training series (of a zone, and those of no zone), by name."""
    with store.read() as session:
        rows = live_rows(session, TrainingSeries)
    if zone_id is not None:
        rows = [s for s in rows if s.zone_id in (zone_id, None)]
    return sorted(rows, key=lambda s: s.name.casefold())


def series_sessions(store: Store, series_id: str) -> list[Meeting]:
    """The sessions of a series, the earliest first."""
    with store.read() as session:
        rows = live_rows(session, Meeting, Meeting.series_id == series_id)
    return sorted(rows, key=lambda m: (m.held_on, m.start_time))


@dataclass(frozen=True)
class SeriesProgress:
    """A training series against its plan: sessions and their hours, individual support hours, and
    attendance per session (named attendees plus those who left no details)."""

    series: TrainingSeries
    sessions: int
    session_minutes: int
    support_sessions: int
    support_minutes: int
    attendance: list[tuple[Meeting, int]]


def series_progress(store: Store, series_id: str) -> SeriesProgress:
    """How far a series got: training sessions (kind training) and individual support (kind
    support) held in it, their minutes, and how many people came to each session."""
    series = get_live(store, TrainingSeries, series_id)
    meetings = series_sessions(store, series_id)
    trainings = [m for m in meetings if m.kind != MeetingKind.SUPPORT]
    support = [m for m in meetings if m.kind == MeetingKind.SUPPORT]
    with store.read() as session:
        counts = [
            (m, len(_event_rows(session, EventType.MEETING, m.id)) + m.anonymous_count) for m in trainings
        ]
    return SeriesProgress(
        series,
        len(trainings),
        sum(m.duration_min for m in trainings),
        len(support),
        sum(m.duration_min for m in support),
        counts,
    )


# -- attendance -----------------------------------------------------------------------------------


def _attendance(event_type: str, event_id: str, contact_id: str, role: str) -> Attendance:
    return Attendance(event_type=event_type, event_id=event_id, contact_id=contact_id, role=role)


def _event_rows(session: Any, event_type: str, event_id: str) -> list[Attendance]:
    rows = live_rows(session, Attendance, Attendance.event_id == event_id)
    return [row for row in rows if row.event_type == event_type]


def _add(
    store: Store, event_type: str, event_id: str, contact_ids: Iterable[str], role: str, *, strict: bool
) -> list[Attendance]:
    errors = Errors()
    parse({"role": role}, _ROLE_FIELDS, errors)
    model = _EVENT_MODELS[EventType(event_type)]
    with store.read() as session:
        if live(session, model, event_id) is None:
            raise NotFound(model.record_type, event_id)
        present = {row.contact_id for row in _event_rows(session, event_type, event_id)}
        wanted = list(dict.fromkeys(contact_ids))
        if strict and present.intersection(wanted):
            errors.add("contact_id", "network.already_attending")
        wanted = [c for c in wanted if c not in present]
        check_people(session, wanted, "contact_id", errors)
    errors.raise_if_any()
    added = [_attendance(event_type, event_id, contact_id, role) for contact_id in wanted]
    with store.write() as conn:
        for row in added:
            store.save(conn, row)
    return added


def add_attendee(
    store: Store, meeting_id: str, contact_id: str, *, role: str = AttendanceRole.PARTICIPANT
) -> Attendance:
    return _add(store, EventType.MEETING, meeting_id, [contact_id], role, strict=True)[0]


def add_attendees(
    store: Store, meeting_id: str, contact_ids: Iterable[str], *, role: str = AttendanceRole.PARTICIPANT
) -> list[Attendance]:
    """Several people at once; those already on the list are skipped."""
    return _add(store, EventType.MEETING, meeting_id, contact_ids, role, strict=False)


def record_action_participants(
    store: Store,
    action_id: str,
    contact_ids: Iterable[str],
    *,
    role: str = AttendanceRole.PARTICIPANT,
) -> list[Attendance]:
    """Who took part in a neighbourhood action (those already recorded are skipped)."""
    return _add(store, EventType.ACTION, action_id, contact_ids, role, strict=False)


def quick_add_attendee(
    store: Store,
    meeting_id: str,
    contact_data: dict[str, Any],
    consent: dict[str, Any] | None,
) -> tuple[Contact, Attendance]:
    """A new person met at the meeting: the contact (under the consent rules) and their attendance.

    The contact and its consent are created by ``services.contacts.create_contact``, which decides
    what may be stored without consent; the attendance follows.
    """
    from fieldapp.services.contacts import create_contact

    get_live(store, Meeting, meeting_id)
    contact = create_contact(store, contact_data, consent)
    return contact, add_attendee(store, meeting_id, contact.id)


def set_attendance_role(store: Store, attendance_id: str, role: str) -> Attendance:
    return update_record(store, Attendance, attendance_id, {"role": role}, _ROLE_FIELDS)


def remove_attendance(store: Store, attendance_id: str) -> None:
    """Take a person off a list they were put on by mistake."""
    delete_record(store, Attendance, attendance_id)


def _named(session: Any, rows: list[Attendance]) -> tuple[list[tuple[Attendance, Contact]], int]:
    """Named attendees (one per person, organiser role winning) and the number of erased ones."""
    named: dict[str, tuple[Attendance, Contact]] = {}
    erased = 0
    for row in rows:
        if row.contact_id is None:
            erased += 1
            continue
        contact = live(session, Contact, row.contact_id)
        if contact is None:
            continue
        if contact.id not in named or row.role == AttendanceRole.ORGANISER:
            named[contact.id] = (row, contact)
    return list(named.values()), erased


def meeting_summary(store: Store, meeting_id: str) -> MeetingSummary:
    meeting = get_live(store, Meeting, meeting_id)
    with store.read() as session:
        attendees, erased = _named(session, _event_rows(session, EventType.MEETING, meeting_id))
    return MeetingSummary(meeting, attendees, erased)


def action_participants(store: Store, action_id: str) -> list[tuple[Attendance, Contact]]:
    with store.read() as session:
        attendees, _ = _named(session, _event_rows(session, EventType.ACTION, action_id))
    return attendees


def meetings_of_contact(store: Store, contact_id: str) -> list[tuple[Meeting, Attendance]]:
    """The meetings a person came to, the latest first."""
    with store.read() as session:
        rows = live_rows(session, Attendance, Attendance.contact_id == contact_id)
        found: dict[str, tuple[Meeting, Attendance]] = {}
        for row in rows:
            if row.event_type != EventType.MEETING:
                continue
            meeting = live(session, Meeting, row.event_id)
            if meeting is not None and meeting.id not in found:
                found[meeting.id] = (meeting, row)
    return sorted(found.values(), key=lambda pair: pair[0].held_on, reverse=True)
