"""Who cooperates with whom in a zone: contacts, groups and organisations and the links between them.

Links (undirected, counted per kind):
- ``member``: a person or organisation and a group they currently belong to;
- ``partner``: two organisations in the same partnership (current partners);
- ``co_organised``: two contacts who organised the same meeting or action (organisers and partners of
  an action, organisers of a meeting), and a group and the organisers of an action the group runs;
- ``met``: two contacts on the attendance list of the same meeting.
A zone's graph holds its contacts and groups, and the links made by its groups, meetings, actions
and partnerships (plus the outside contacts those bring in, e.g. the city hall). Erased people, and
links whose person was erased, are left out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from sqlmodel import col, select

from fieldapp.model import (
    Attendance,
    Contact,
    GroupAction,
    GroupMember,
    LocalActivityGroup,
    Meeting,
    NeighbourhoodAction,
    Partner,
    Partnership,
)
from fieldapp.model.cooperation import AttendanceRole, EventType
from fieldapp.model.enums import NATURAL_PERSON_KINDS, ActionStatus
from fieldapp.store import Store

LINK_KINDS: tuple[str, ...] = ("member", "partner", "co_organised", "met")
PERSON, ORGANISATION, GROUP = "person", "organisation", "group"


@dataclass(frozen=True)
class Node:
    id: str
    #: person | organisation | group
    kind: str
    label: str
    #: The contact's kind (resident, ngo…), or the group's status.
    detail: str = ""
    zone_id: str | None = None


@dataclass
class Edge:
    a: str
    b: str
    #: How many shared things of each link kind join the two.
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def weight(self) -> int:
        return sum(self.kinds.values())


@dataclass
class NetworkGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)

    def link(self, a: str, b: str, kind: str) -> None:
        if a == b or a not in self.nodes or b not in self.nodes:
            return
        key = (a, b) if a < b else (b, a)
        edge = self.edges.get(key)
        if edge is None:
            edge = self.edges[key] = Edge(*key)
        edge.kinds[kind] += 1

    def neighbours(self) -> dict[str, set[str]]:
        result: dict[str, set[str]] = defaultdict(set)
        for a, b in self.edges:
            result[a].add(b)
            result[b].add(a)
        return result

    def weights(self) -> dict[str, int]:
        result: Counter[str] = Counter()
        for (a, b), edge in self.edges.items():
            result[a] += edge.weight
            result[b] += edge.weight
        return result


def _contact_node(contact: Contact) -> Node:
    kind = PERSON if contact.kind in NATURAL_PERSON_KINDS else ORGANISATION
    return Node(contact.id, kind, contact.name, contact.kind, contact.zone_id)


def _in_zone(zone_id: str | None, record_zone: str | None, people: Iterable[str], local: set[str]) -> bool:
    """Whether a group/meeting/action/partnership belongs to the zone's picture."""
    if zone_id is None or record_zone == zone_id:
        return True
    return record_zone is None and any(p in local for p in people)


def network_graph(store: Store, zone_id: str | None = None) -> NetworkGraph:
    """The cooperation network of a zone (``None``: everywhere)."""
    graph = NetworkGraph()
    with store.read() as session:

        def live(model, *conditions):  # type: ignore[no-untyped-def]
            return session.exec(select(model).where(model.deleted == False, *conditions)).all()  # noqa: E712

        visible = (Contact.erased_at.is_(None), col(Contact.restricted_at).is_(None))  # art. 18 too
        contacts = {c.id: c for c in live(Contact, *visible)}
        local = {cid for cid, c in contacts.items() if zone_id is None or c.zone_id == zone_id}
        groups = {g.id: g for g in live(LocalActivityGroup)}
        memberships = defaultdict(list)
        for m in live(GroupMember, GroupMember.contact_id.is_not(None), GroupMember.left_on.is_(None)):
            memberships[m.group_id].append(m.contact_id)
        partnerships = {p.id: p for p in live(Partnership)}
        partners = defaultdict(list)
        for p in live(Partner, Partner.contact_id.is_not(None), Partner.left_on.is_(None)):
            partners[p.partnership_id].append(p.contact_id)
        meetings = {m.id: m for m in live(Meeting)}
        actions = {
            a.id: a for a in live(NeighbourhoodAction, NeighbourhoodAction.status != ActionStatus.DROPPED)
        }
        attendance: dict[str, list[Attendance]] = defaultdict(list)
        for row in live(Attendance, Attendance.contact_id.is_not(None)):
            attendance[row.event_id].append(row)
        group_actions = [(g.group_id, g.action_id) for g in live(GroupAction)]

    def add_contacts(ids: Iterable[str]) -> list[str]:
        present = []
        for cid in dict.fromkeys(ids):
            if cid in contacts:
                graph.nodes.setdefault(cid, _contact_node(contacts[cid]))
                present.append(cid)
        return present

    def clique(ids: list[str], kind: str) -> None:
        for a, b in combinations(sorted(set(ids)), 2):
            graph.link(a, b, kind)

    add_contacts(sorted(local))
    for group in groups.values():
        if not _in_zone(zone_id, group.zone_id, memberships[group.id], local):
            continue
        graph.nodes[group.id] = Node(group.id, GROUP, group.name, group.status, group.zone_id)
        for cid in add_contacts(memberships[group.id]):
            graph.link(cid, group.id, "member")
    for partnership in partnerships.values():
        if _in_zone(zone_id, partnership.zone_id, partners[partnership.id], local):
            clique(add_contacts(partners[partnership.id]), "partner")
    organisers_of: dict[str, list[str]] = {}
    for meeting in meetings.values():
        rows = [r for r in attendance[meeting.id] if r.event_type == EventType.MEETING]
        if not _in_zone(zone_id, meeting.zone_id, [r.contact_id for r in rows], local):
            continue
        clique(add_contacts(r.contact_id for r in rows), "met")
        clique(add_contacts(r.contact_id for r in rows if r.role == AttendanceRole.ORGANISER), "co_organised")
    for action in actions.values():
        rows = [r for r in attendance[action.id] if r.event_type == EventType.ACTION]
        organisers = [*action.organiser_ids, *action.partner_ids]
        organisers += [r.contact_id for r in rows if r.role == AttendanceRole.ORGANISER]
        if not _in_zone(zone_id, action.zone_id, organisers, local):
            continue
        organisers_of[action.id] = add_contacts(organisers)
        clique(organisers_of[action.id], "co_organised")
    for group_id, action_id in group_actions:
        if group_id in graph.nodes:
            for cid in organisers_of.get(action_id, []):
                graph.link(group_id, cid, "co_organised")
    return graph


@dataclass(frozen=True)
class Connected:
    node: Node
    #: Distinct contacts and groups linked to this one.
    degree: int
    #: All shared things summed (two meetings together count twice).
    weight: int


def best_connected(
    graph: NetworkGraph, *, kinds: Iterable[str] = (PERSON,), limit: int = 10
) -> list[Connected]:
    """The most connected nodes of the given kinds (people by default), most links first."""
    wanted = set(kinds)
    neighbours, weights = graph.neighbours(), graph.weights()
    ranked = [
        Connected(node, len(neighbours[node.id]), weights[node.id])
        for node in graph.nodes.values()
        if node.kind in wanted and neighbours[node.id]
    ]
    ranked.sort(key=lambda c: (-c.degree, -c.weight, c.node.label.casefold(), c.node.id))
    return ranked[:limit]


def isolated(graph: NetworkGraph, *, kinds: Iterable[str] = (PERSON,)) -> list[Node]:
    """Nodes of the given kinds (people by default) with no link at all, by name."""
    wanted = set(kinds)
    linked = graph.neighbours()
    alone = [n for n in graph.nodes.values() if n.kind in wanted and not linked.get(n.id)]
    return sorted(alone, key=lambda n: (n.label.casefold(), n.id))
