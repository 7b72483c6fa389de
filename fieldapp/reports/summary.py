"""Section "summary": the period's work in figures, door-knocks, who was reached, active leaders,
actions by status, micro-grants, participants, and who carried out the actions.

(Issue 20's program summary and implementers take this section's place: ``fieldapp.reports.program``.)

Definitions:

- **door-knocks** — live visits in the period (of the zones), counted by outcome;
- **contacts reached** — distinct live contacts the team *talked* to at the door (outcome
  ``talked``) in the period, and organisations (not natural persons) on the attendance list of a
  meeting held in the period, counted by contact kind. People at meetings are counted as meeting
  participants instead: their attendance is anonymised when they are erased, a visit is not;
- **active local leaders** — distinct live contacts of kind ``leader`` who, in the period, were
  talked to at the door, attended a meeting, took part in or organised an action that was not
  dropped (organiser, partner or attendance), or led a Local Activity Group (membership with role
  leader overlapping the period). Erasing a leader anonymises their meeting, action and group
  links, so only their visits and their place in actions' organiser lists keep counting for them;
- **actions of the period** — live actions whose day (``starts_on``, else the local date of their
  last status change, else of their creation) falls in the period; by status;
- **micro-grants** — sums requested and granted over the period's actions that were not dropped;
- **participants** — of the period's actions that happened (done or reported), and of the period's
  meetings (attendance list + anonymous head-count);
- **who carried out the actions** — organisers of the period's actions that happened (the
  action's ``organiser_ids`` and attendance rows with role organiser), grouped by contact kind;
  Local Activity Groups linked to an action count under ``activity_group``. An action that happened
  with nobody named counts under ``not_named``: the action screens did not ask who ran it, and a
  reported action must not vanish from the table (it showed "Brak danych").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from fieldapp.i18n import t
from fieldapp.model.enums import NATURAL_PERSON_KINDS, ActionStatus, ContactKind, VisitOutcome
from fieldapp.reports.query import HAPPENED, PeriodAction, Query, chunks, marks, period_actions, pln
from fieldapp.reports.scans import contacts, meeting_attendees, visit_counts, visits
from fieldapp.reports.section import Chart, Headline, Section
from fieldapp.reports.tables import Cell, Table, headers, label

#: Outcomes that mean the animator met the person (the engagement ladder's first rung).
REACHED_OUTCOMES: tuple[str, ...] = (VisitOutcome.TALKED,)
#: The "kind" under which Local Activity Groups appear among those who carried out actions.
ACTIVITY_GROUP = "activity_group"
#: The "kind" of actions that happened with no organiser named.
NOT_NAMED = "not_named"

#: Bar colours of the charts: the app's own (``fieldapp.ui.theme``), which this layer cannot import.
OUTCOME_COLORS = {
    "not_home": "#37474F",
    "talked": "#1B5E20",
    "come_back": "#7A4100",
    "refused": "#A50E0E",
    "do_not_knock": "#3E1F6E",
}
STATUS_COLORS = {
    "idea": "#455A64",
    "planned": "#0B4A8F",
    "funded": "#6A1B9A",
    "done": "#1B5E20",
    "reported": "#004D40",
    "dropped": "#5D4037",
}


@dataclass(frozen=True)
class CarriedBy:
    """Who carried out the period's actions: organisers of one kind and the actions they ran."""

    kind: str
    organisers: int
    actions: int


@dataclass
class Summary:
    """Plain figures; money in grosze (``*_pln`` for złoty)."""

    visits: int = 0
    knocks_by_outcome: dict[str, int] = field(default_factory=dict)
    contacts_by_kind: dict[str, int] = field(default_factory=dict)
    active_leaders: int = 0
    #: Distinct leaders per kind of activity: door, meeting, action, group.
    leaders_by_activity: dict[str, int] = field(default_factory=dict)
    actions: int = 0
    actions_by_status: dict[str, int] = field(default_factory=dict)
    grant_requested_gr: int = 0
    grant_granted_gr: int = 0
    grants_requested: int = 0
    grants_granted: int = 0
    action_participants: int = 0
    meetings: int = 0
    meeting_participants: int = 0
    carried_out_by: list[CarriedBy] = field(default_factory=list)

    @property
    def contacts_reached(self) -> int:
        return sum(self.contacts_by_kind.values())

    @property
    def grant_requested_pln(self) -> Decimal:
        return pln(self.grant_requested_gr)

    @property
    def grant_granted_pln(self) -> Decimal:
        return pln(self.grant_granted_gr)

    @property
    def participants(self) -> int:
        return self.action_participants + self.meeting_participants


def kinds_of(q: Query, ids: set[str]) -> dict[str, str]:
    """Kinds of the live contacts among ``ids``."""
    facts = contacts(q)
    return {cid: facts[cid].kind for cid in ids if cid in facts}


def attendance_of_actions(q: Query, action_ids: list[str]) -> list[tuple[str, str, str]]:
    """(action id, contact id, role) of the attendance rows of these actions."""
    rows: list[tuple[str, str, str]] = []
    for part in chunks(action_ids):
        rows += q.rows(
            "SELECT event_id, contact_id, role FROM attendance WHERE deleted = 0 AND event_type = 'action'"
            f" AND contact_id IS NOT NULL AND event_id IN ({marks(part)})",
            part,
        )
    return rows


def _knocks(q: Query, s: Summary) -> None:
    outcomes = visits(q).outcomes
    s.knocks_by_outcome = dict(sorted(outcomes.items(), key=lambda r: (-r[1], r[0])))
    s.visits = sum(outcomes.values())


def _reached(q: Query, s: Summary) -> None:
    facts = contacts(q)
    reached = {cid for cid in visits(q).talked if cid in facts}
    reached |= {
        cid for cid in meeting_attendees(q) if cid in facts and facts[cid].kind not in NATURAL_PERSON_KINDS
    }
    counts = Counter(facts[cid].kind for cid in reached)
    s.contacts_by_kind = dict(sorted(counts.items(), key=lambda r: (-r[1], r[0])))


def _actions(q: Query, s: Summary, actions: list[PeriodAction]) -> None:
    s.actions = len(actions)
    statuses = Counter(a.status for a in actions)
    s.actions_by_status = {st.value: statuses.pop(st.value, 0) for st in ActionStatus} | dict(statuses)
    live = [a for a in actions if a.status != ActionStatus.DROPPED]
    s.grant_requested_gr = sum(a.requested or 0 for a in live)
    s.grant_granted_gr = sum(a.granted or 0 for a in live)
    s.grants_requested = sum(1 for a in live if a.requested)
    s.grants_granted = sum(1 for a in live if a.granted)
    s.action_participants = sum(a.participants for a in actions if a.status in HAPPENED)
    s.meetings, s.meeting_participants = meeting_head_count(q)


def meeting_head_count(q: Query) -> tuple[int, int]:
    """Meetings of the period and the people at them (listed + anonymous)."""
    mwhere, mparams = q.meetings_where()
    meetings, anonymous = q.one(
        f"SELECT count(*), coalesce(sum(m.anonymous_count), 0) FROM meeting m WHERE {mwhere}", mparams
    )
    (listed,) = q.one(
        "SELECT count(*) FROM attendance a JOIN meeting m ON m.id = a.event_id"
        f" WHERE a.deleted = 0 AND a.event_type = 'meeting' AND {mwhere}",
        mparams,
    )
    return meetings, anonymous + listed


def _carried_out(q: Query, s: Summary, actions: list[PeriodAction]) -> None:
    happened = [a for a in actions if a.status in HAPPENED]
    ids = [a.id for a in happened]
    organisers: dict[str, set[str]] = {a.id: set(a.organisers) for a in happened}
    for action_id, contact_id, role in attendance_of_actions(q, ids):
        if role == "organiser":
            organisers[action_id].add(contact_id)
    kinds = kinds_of(q, set().union(*organisers.values()) if organisers else set())
    people: dict[str, set[str]] = defaultdict(set)
    runs: dict[str, set[str]] = defaultdict(set)
    for action_id, contact_ids in organisers.items():
        for contact_id in contact_ids:
            kind = kinds.get(contact_id)
            if kind:
                people[kind].add(contact_id)
                runs[kind].add(action_id)
    for part in chunks(ids):
        for group_id, action_id in q.rows(
            "SELECT ga.group_id, ga.action_id FROM group_action ga"
            " JOIN activity_group g ON g.id = ga.group_id AND g.deleted = 0"
            f" WHERE ga.deleted = 0 AND ga.action_id IN ({marks(part)})",
            part,
        ):
            people[ACTIVITY_GROUP].add(group_id)
            runs[ACTIVITY_GROUP].add(action_id)
    named = set().union(*runs.values()) if runs else set()
    unnamed = [a for a in ids if a not in named]
    carried = [CarriedBy(kind, len(people[kind]), len(runs[kind])) for kind in people]
    s.carried_out_by = sorted(carried, key=lambda c: (-c.actions, -c.organisers, c.kind))
    if unnamed:
        s.carried_out_by.append(CarriedBy(NOT_NAMED, 0, len(unnamed)))


def _leaders(q: Query, s: Summary, actions: list[PeriodAction]) -> None:
    facts = contacts(q)

    def leaders(ids: set[str]) -> set[str]:
        return {cid for cid in ids if cid in facts and facts[cid].kind == ContactKind.LEADER}

    door = leaders(visits(q).talked)
    meeting = leaders(meeting_attendees(q))
    live = [a for a in actions if a.status != ActionStatus.DROPPED]
    in_actions = {cid for a in live for cid in (*a.organisers, *a.partners)}
    in_actions |= {row[1] for row in attendance_of_actions(q, [a.id for a in live])}
    action = leaders(in_actions)
    zone, zparams = q.in_zones("g.zone_id")
    group = leaders(
        {
            r[0]
            for r in q.rows(
                "SELECT DISTINCT gm.contact_id FROM group_member gm"
                " JOIN activity_group g ON g.id = gm.group_id AND g.deleted = 0"
                " WHERE gm.deleted = 0 AND gm.role = 'leader' AND gm.contact_id IS NOT NULL"
                f" AND gm.joined_on <= ? AND (gm.left_on IS NULL OR gm.left_on >= ?){zone}",
                [q.end.isoformat(), q.start.isoformat(), *zparams],
            )
        }
    )
    s.leaders_by_activity = {
        "door": len(door),
        "meeting": len(meeting),
        "action": len(action),
        "group": len(group),
    }
    s.active_leaders = len(door | meeting | action | group)


def compute(q: Query) -> Summary:
    s = Summary()
    _knocks(q, s)
    _reached(q, s)
    actions = period_actions(q)
    _actions(q, s, actions)
    _carried_out(q, s, actions)
    _leaders(q, s, actions)
    return s


def headline(q: Query) -> Headline:
    """Visits, actions, micro-grants and participants of the period (the comparison's rows)."""
    s = Summary()
    s.visits = visit_counts(q)[0]
    _actions(q, s, period_actions(q))
    return [
        ("visits", s.visits),
        ("actions", s.actions),
        ("granted", s.grant_granted_pln),
        ("meetings", s.meetings),
        ("participants", s.participants),
    ]


def summary_rows(s: Summary, lang: str) -> list[list[Cell]]:
    figures: list[tuple[str, Cell]] = [
        ("visits", s.visits),
        ("contacts", s.contacts_reached),
        ("leaders", s.active_leaders),
        ("actions", s.actions),
        ("requested", s.grant_requested_pln),
        ("granted", s.grant_granted_pln),
        ("grants_requested", s.grants_requested),
        ("grants_granted", s.grants_granted),
        ("action_participants", s.action_participants),
        ("meetings", s.meetings),
        ("meeting_participants", s.meeting_participants),
        ("participants", s.participants),
    ]
    return [[t(f"report.fig.{name}", lang), value] for name, value in figures]


def carrier_name(kind: str, lang: str) -> str:
    if kind in (ACTIVITY_GROUP, NOT_NAMED):
        return t(f"report.kind.{kind}", lang)
    return label("contact.kind", kind, lang)


def tables(s: Summary, lang: str) -> list[Table]:
    def tr(key: str) -> str:
        return t(key, lang)

    leaders: list[list[Cell]] = [
        [tr(f"report.activity.{name}"), count] for name, count in s.leaders_by_activity.items()
    ]
    leaders.append([tr("report.activity.any"), s.active_leaders])
    return [
        Table(
            "summary",
            tr("report.section.summary"),
            headers(lang, "figure", "value"),
            summary_rows(s, lang),
            tr("report.note.grants"),
        ),
        Table(
            "knocks",
            tr("report.section.knocks"),
            headers(lang, "outcome", "count"),
            [[label("visit.outcome", k, lang), n] for k, n in s.knocks_by_outcome.items()],
        ),
        Table(
            "contacts",
            tr("report.section.contacts"),
            headers(lang, "kind", "count"),
            [[label("contact.kind", k, lang), n] for k, n in s.contacts_by_kind.items()],
            tr("report.note.reached"),
        ),
        Table("leaders", tr("report.section.leaders"), headers(lang, "activity", "people"), leaders),
        Table(
            "actions",
            tr("report.section.actions"),
            headers(lang, "status", "count"),
            [[label("action.status", k, lang), n] for k, n in s.actions_by_status.items()],
        ),
        Table(
            "carried_out_by",
            tr("report.section.carried"),
            headers(lang, "kind", "organisers", "actions"),
            [[carrier_name(c.kind, lang), c.organisers or None, c.actions] for c in s.carried_out_by],
            tr("report.note.carried"),
        ),
    ]


def charts(s: Summary, lang: str) -> list[Chart]:
    knocks = list(s.knocks_by_outcome.items())
    statuses = [(k, n) for k, n in s.actions_by_status.items() if n]
    return [
        Chart(
            "knocks",
            t("report.chart.knocks", lang),
            [label("visit.outcome", k, lang) for k, _ in knocks],
            [n for _, n in knocks],
            [OUTCOME_COLORS.get(k, "#607D8B") for k, _ in knocks],
        ),
        Chart(
            "actions",
            t("report.chart.actions", lang),
            [label("action.status", k, lang) for k, _ in statuses],
            [n for _, n in statuses],
            [STATUS_COLORS.get(k, "#607D8B") for k, _ in statuses],
        ),
    ]


SECTION = Section("summary", "report.part.summary", compute, tables, charts, headline)
