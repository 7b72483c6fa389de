"""Local Activity Groups: create and edit a group, its members and the actions it runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldapp.errors import Errors, NotFound
from fieldapp.model import Contact, GroupAction, GroupMember, LocalActivityGroup, NeighbourhoodAction, Zone
from fieldapp.model.base import today
from fieldapp.model.cooperation import MemberRole
from fieldapp.model.diagnosis import Need
from fieldapp.services.cooperation.common import (
    apply_changes,
    check_exists,
    check_people,
    delete_record,
    get_live,
    live,
    live_contact,
    live_rows,
    parse,
    parsers_for,
    two_roles,
)
from fieldapp.store import Store

_GROUP_FIELDS = parsers_for(LocalActivityGroup, required=("name", "theme"))


@dataclass(frozen=True)
class GroupSummary:
    group: LocalActivityGroup
    #: Current named members with their contact, oldest membership first.
    members: list[tuple[GroupMember, Contact]]
    #: Current members whose details were erased: they still count.
    anonymous_members: int
    actions: list[NeighbourhoodAction]

    @property
    def member_count(self) -> int:
        return len(self.members) + self.anonymous_members

    @property
    def leaders(self) -> list[Contact]:
        return [contact for member, contact in self.members if member.role == MemberRole.LEADER]


def _check_refs(session: Any, clean: dict[str, Any], errors: Errors) -> None:
    check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    check_exists(session, Need, clean.get("need_id"), "need_id", errors)


def create_group(
    store: Store,
    data: dict[str, Any],
    member_ids: Iterable[str] = (),
    leader_ids: Iterable[str] = (),
) -> LocalActivityGroup:
    """A new group, with its first members (e.g. picked from the suggestions) in the same transaction."""
    errors = Errors()
    clean = parse(data, _GROUP_FIELDS, errors, required=("name", "theme"))
    leaders, members = two_roles(leader_ids, member_ids)
    with store.read() as session:
        _check_refs(session, clean, errors)
        check_people(session, [*leaders, *members], "member_ids", errors)
    errors.raise_if_any()
    clean.setdefault("animator_id", store.user_id)
    started = clean.get("founded_on") or today()
    clean.setdefault("status_since", started)
    group = LocalActivityGroup(**clean)
    with store.write() as conn:
        store.save(conn, group)
        for contact_id in leaders:
            store.save(conn, _membership(group.id, contact_id, MemberRole.LEADER, started))
        for contact_id in members:
            store.save(conn, _membership(group.id, contact_id, MemberRole.MEMBER, started))
    return group


def update_group(store: Store, group_id: str, changes: dict[str, Any]) -> LocalActivityGroup:
    """Edit a group; a new status is dated today unless ``status_since`` is given."""
    group = get_live(store, LocalActivityGroup, group_id)
    errors = Errors()
    clean = parse(changes, _GROUP_FIELDS, errors)
    with store.read() as session:
        _check_refs(session, clean, errors)
    errors.raise_if_any()
    if clean.get("status", group.status) != group.status:
        clean.setdefault("status_since", today())
    changed = apply_changes(group, clean)
    if changed:
        with store.write() as conn:
            store.save(conn, group, changed)
    return group


def delete_group(store: Store, group_id: str) -> None:
    delete_record(store, LocalActivityGroup, group_id)


def list_groups(
    store: Store, *, zone_id: str | None = None, status: str | None = None
) -> list[LocalActivityGroup]:
    conditions = []
    if zone_id is not None:
        conditions.append(LocalActivityGroup.zone_id == zone_id)
    if status is not None:
        conditions.append(LocalActivityGroup.status == status)
    with store.read() as session:
        groups = live_rows(session, LocalActivityGroup, *conditions)
    return sorted(groups, key=lambda g: g.name.casefold())


# -- members --------------------------------------------------------------------------------------

_MEMBER_FIELDS = parsers_for(GroupMember, "role", "role_since", "joined_on", "left_on")


def _membership(group_id: str, contact_id: str, role: str, joined_on: date) -> GroupMember:
    return GroupMember(
        group_id=group_id, contact_id=contact_id, role=role, role_since=joined_on, joined_on=joined_on
    )


def _current_memberships(session: Any, group_id: str) -> list[GroupMember]:
    return [m for m in live_rows(session, GroupMember, GroupMember.group_id == group_id) if m.left_on is None]


def add_member(
    store: Store,
    group_id: str,
    contact_id: str,
    *,
    role: str = MemberRole.MEMBER,
    joined_on: date | str | None = None,
) -> GroupMember:
    errors = Errors()
    clean = parse({"role": role, "joined_on": joined_on}, _MEMBER_FIELDS, errors)
    with store.read() as session:
        if live(session, LocalActivityGroup, group_id) is None:
            raise NotFound(LocalActivityGroup.record_type, group_id)
        live_contact(session, contact_id, "contact_id", errors)
        if any(m.contact_id == contact_id for m in _current_memberships(session, group_id)):
            errors.add("contact_id", "network.already_member")
    errors.raise_if_any()
    member = _membership(group_id, contact_id, clean["role"], clean["joined_on"] or today())
    with store.write() as conn:
        store.save(conn, member)
    return member


def add_members(store: Store, group_id: str, contact_ids: Iterable[str]) -> list[GroupMember]:
    """Add several people at once (one transaction); those already in the group are skipped."""
    errors = Errors()
    with store.read() as session:
        if live(session, LocalActivityGroup, group_id) is None:
            raise NotFound(LocalActivityGroup.record_type, group_id)
        present = {m.contact_id for m in _current_memberships(session, group_id)}
        wanted = [c for c in dict.fromkeys(contact_ids) if c not in present]
        check_people(session, wanted, "contact_ids", errors)
    errors.raise_if_any()
    joined = today()
    added = [_membership(group_id, contact_id, MemberRole.MEMBER, joined) for contact_id in wanted]
    with store.write() as conn:
        for member in added:
            store.save(conn, member)
    return added


def set_member_role(
    store: Store, member_id: str, role: str, *, since: date | str | None = None
) -> GroupMember:
    member = get_live(store, GroupMember, member_id)
    errors = Errors()
    clean = parse({"role": role, "role_since": since}, _MEMBER_FIELDS, errors)
    errors.raise_if_any()
    if clean["role"] == member.role:
        return member
    clean["role_since"] = clean["role_since"] or today()
    with store.write() as conn:
        store.save(conn, member, apply_changes(member, clean))
    return member


def end_membership(store: Store, member_id: str, *, left_on: date | str | None = None) -> GroupMember:
    """The member left the group (the membership stays in the group's history)."""
    member = get_live(store, GroupMember, member_id)
    errors = Errors()
    clean = parse({"left_on": left_on}, _MEMBER_FIELDS, errors)
    left = clean["left_on"] or today()
    if left < member.joined_on:
        errors.add("left_on", "network.left_before_joined")
    errors.raise_if_any()
    member.left_on = left
    with store.write() as conn:
        store.save(conn, member, ["left_on"])
    return member


def delete_member(store: Store, member_id: str) -> None:
    """Remove a membership recorded by mistake."""
    delete_record(store, GroupMember, member_id)


def group_members(store: Store, group_id: str, *, include_left: bool = False) -> list[GroupMember]:
    """Named memberships of a group, one per person (two devices may have added the same person)."""
    with store.read() as session:
        rows = live_rows(session, GroupMember, GroupMember.group_id == group_id)
    seen: set[str] = set()
    result = []
    for member in rows:
        if member.contact_id is None or (member.left_on is not None and not include_left):
            continue
        if member.contact_id not in seen:
            seen.add(member.contact_id)
            result.append(member)
    return result


def group_summary(store: Store, group_id: str) -> GroupSummary:
    group = get_live(store, LocalActivityGroup, group_id)
    members = group_members(store, group_id)
    with store.read() as session:
        anonymous = sum(1 for m in _current_memberships(session, group_id) if m.contact_id is None)
        pairs = [(m, c) for m in members if (c := live(session, Contact, m.contact_id)) is not None]
        links = live_rows(session, GroupAction, GroupAction.group_id == group_id)
        actions = [
            a for link in links if (a := live(session, NeighbourhoodAction, link.action_id)) is not None
        ]
    unique_actions = list({a.id: a for a in actions}.values())
    return GroupSummary(group, pairs, anonymous, unique_actions)


def groups_of_contact(store: Store, contact_id: str) -> list[tuple[LocalActivityGroup, GroupMember]]:
    """The groups a person belongs (or belonged) to, with the membership."""
    with store.read() as session:
        rows = live_rows(session, GroupMember, GroupMember.contact_id == contact_id)
        found = {}
        for member in rows:
            group = live(session, LocalActivityGroup, member.group_id)
            if group is not None and group.id not in found:
                found[group.id] = (group, member)
    return list(found.values())


# -- actions ----------------------------------------------------------------------------------


def link_action(store: Store, group_id: str, action_id: str) -> GroupAction:
    """The group runs (or co-runs) a neighbourhood action."""
    errors = Errors()
    with store.read() as session:
        if live(session, LocalActivityGroup, group_id) is None:
            raise NotFound(LocalActivityGroup.record_type, group_id)
        check_exists(session, NeighbourhoodAction, action_id, "action_id", errors)
        existing = [
            g
            for g in live_rows(session, GroupAction, GroupAction.group_id == group_id)
            if g.action_id == action_id
        ]
    errors.raise_if_any()
    if existing:
        return existing[0]
    link = GroupAction(group_id=group_id, action_id=action_id)
    with store.write() as conn:
        store.save(conn, link)
    return link


def unlink_action(store: Store, group_id: str, action_id: str) -> None:
    with store.read() as session:
        links = [
            g
            for g in live_rows(session, GroupAction, GroupAction.group_id == group_id)
            if g.action_id == action_id
        ]
    with store.write() as conn:
        for link in links:
            store.delete(conn, link)


def linkable_actions(store: Store, group_id: str) -> list[NeighbourhoodAction]:
    """Live actions of the group's zone (all actions for a group without a zone) not linked to it yet."""
    group = get_live(store, LocalActivityGroup, group_id)
    conditions = [] if group.zone_id is None else [NeighbourhoodAction.zone_id == group.zone_id]
    with store.read() as session:
        linked = {g.action_id for g in live_rows(session, GroupAction, GroupAction.group_id == group_id)}
        actions = live_rows(session, NeighbourhoodAction, *conditions)
    return sorted((a for a in actions if a.id not in linked), key=lambda a: a.title.casefold())
