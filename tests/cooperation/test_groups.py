from datetime import date

import pytest

from fieldapp.errors import NotFound, ValidationFailed
from fieldapp.i18n import errors_by_field
from fieldapp.model import GroupMember, LocalActivityGroup
from fieldapp.services.cooperation import (
    add_member,
    add_members,
    create_group,
    end_membership,
    group_members,
    group_summary,
    groups_of_contact,
    link_action,
    list_groups,
    set_member_role,
    unlink_action,
    update_group,
)
from fieldapp.store import Store
from tests.cooperation.helpers import action, contact, outbox, zone


def test_group_with_first_members_is_one_transaction(store: Store) -> None:
    z = zone(store)
    anna, piotr = contact(store, "Anna"), contact(store, "Piotr")
    before = len(outbox(store))
    group = create_group(
        store,
        {"zone_id": z.id, "name": "Ogród na Bałutach", "theme": "ogród, zieleń", "founded_on": "2025-03-01"},
        member_ids=[piotr.id, anna.id],
        leader_ids=[anna.id],
    )
    written = outbox(store)[before:]
    assert [w[0] for w in written] == ["activity_group", "group_member", "group_member"]
    summary = group_summary(store, group.id)
    assert summary.group.status == "forming" and summary.group.status_since == date(2025, 3, 1)
    assert [c.name for c in summary.leaders] == ["Anna"]
    assert summary.member_count == 2
    assert list_groups(store, zone_id=z.id) == [group]
    assert [g.id for g, _ in groups_of_contact(store, piotr.id)] == [group.id]


def test_invalid_group_writes_nothing_and_names_every_problem(store: Store) -> None:
    before = len(outbox(store))
    with pytest.raises(ValidationFailed) as failed:
        create_group(
            store,
            {"name": " ", "bond": "hobby", "zone_id": "nope", "colour": "red"},
            member_ids=["ghost"],
        )
    codes = {(e.field, e.code) for e in failed.value.errors}
    assert codes == {
        ("name", "network.required"),
        ("theme", "network.required"),
        ("bond", "network.invalid_choice"),
        ("zone_id", "network.unknown_record"),
        ("colour", "network.unknown_field"),
        ("member_ids", "network.unknown_contact"),
    }
    assert errors_by_field(failed.value)["name"] == "Uzupełnij to pole."
    assert len(outbox(store)) == before
    with store.read() as session:
        assert session.get(LocalActivityGroup, "x") is None


def test_members_join_change_role_and_leave(store: Store) -> None:
    group = create_group(store, {"name": "Seniorzy z Piotrkowskiej", "theme": "seniorzy"})
    ewa, jan, ola = contact(store, "Ewa"), contact(store, "Jan"), contact(store, "Ola")
    member = add_member(store, group.id, ewa.id, joined_on=date(2025, 1, 10))
    with pytest.raises(ValidationFailed) as failed:
        add_member(store, group.id, ewa.id)
    assert failed.value.errors[0].code == "network.already_member"
    added = add_members(store, group.id, [ewa.id, jan.id, ola.id, jan.id])
    assert [m.contact_id for m in added] == [jan.id, ola.id]

    set_member_role(store, member.id, "leader", since="2025-02-01")
    stored = store.get(GroupMember, member.id)
    assert stored.role == "leader" and stored.role_since == date(2025, 2, 1)
    assert set(stored.field_hlcs) == {"role", "role_since"}

    with pytest.raises(ValidationFailed):
        end_membership(store, member.id, left_on="2024-12-31")
    end_membership(store, added[0].id)
    assert [m.contact_id for m in group_members(store, group.id)] == [ewa.id, ola.id]
    assert len(group_members(store, group.id, include_left=True)) == 3
    assert group_summary(store, group.id).member_count == 2
    with pytest.raises(NotFound):
        add_member(store, "no-such-group", ewa.id)


def test_status_change_is_dated_and_actions_link_once(store: Store) -> None:
    group = create_group(store, {"name": "Podwórko", "theme": "Wschodnia 5", "bond": "street"})
    update_group(store, group.id, {"status": "active", "status_since": "2025-04-02"})
    assert store.get(LocalActivityGroup, group.id).status_since == date(2025, 4, 2)
    festyn = action(store, "Festyn podwórkowy")
    first = link_action(store, group.id, festyn.id)
    assert link_action(store, group.id, festyn.id).id == first.id
    assert [a.title for a in group_summary(store, group.id).actions] == ["Festyn podwórkowy"]
    unlink_action(store, group.id, festyn.id)
    assert group_summary(store, group.id).actions == []
    with pytest.raises(ValidationFailed):
        link_action(store, group.id, "missing-action")
