"""Supervisors resolve the conflict log through the real service: keep the current value (theirs),
bring back the overwritten one (mine) or enter another; the resolution is an edit that syncs to
every device and shows the conflict settled on every supervisor's phone."""

from __future__ import annotations

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.model import Contact
from fieldapp.services.conflicts import EDIT, KEEP_MINE, KEEP_THEIRS, is_resolved, resolve_conflict
from tests.sync.conftest import World
from tests.sync.helpers import add_contact, edit


def _conflict(world: World):  # type: ignore[no-untyped-def]
    one, two = world.device(), world.device()
    org = add_contact(one.store, "Fundacja Podwórko", kind="ngo")
    one.engine.sync()
    two.engine.sync()
    mine = two.store.get(Contact, org.id)
    assert mine is not None
    edit(one.store, org, name="Fundacja Nasze Podwórko")
    edit(two.store, mine, name="Fundacja Podwórko Polesie")  # later: it wins
    one.engine.sync()
    two.engine.sync()
    one.engine.sync()
    return one, two, org.id


@pytest.mark.parametrize(
    ("choice", "value", "expected"),
    [
        (KEEP_MINE, None, "Fundacja Nasze Podwórko"),
        (KEEP_THEIRS, None, "Fundacja Podwórko Polesie"),
        (EDIT, "  Fundacja Podwórko  ", "Fundacja Podwórko"),
    ],
)
def test_a_supervisor_resolves_and_it_syncs(
    world: World, choice: str, value: str | None, expected: str
) -> None:
    one, two, org_id = _conflict(world)
    boss, other_boss = world.device("supervisor"), world.device("supervisor")
    boss.engine.sync()
    other_boss.engine.sync()
    logged = [c for c in boss.engine.conflicts().conflicts if c.record_id == org_id]
    assert len(logged) == 1 and logged[0].field == "name"
    conflict = logged[0]
    assert conflict.winner_value == "Fundacja Podwórko Polesie" and not is_resolved(boss.store, conflict)
    resolve_conflict(boss.store, conflict, choice, value)
    assert is_resolved(boss.store, conflict) and boss.store.pending_changes() == 1
    boss.engine.sync()
    for device in (one, two, other_boss):
        device.engine.sync()
        got = device.store.get(Contact, org_id)
        assert got is not None and got.name == expected
    assert is_resolved(other_boss.store, conflict)


def test_resolution_refusals(world: World) -> None:
    one, _two, org_id = _conflict(world)
    boss = world.device("supervisor")
    boss.engine.sync()
    conflict = next(c for c in boss.engine.conflicts().conflicts if c.record_id == org_id)
    with pytest.raises(ValidationFailed) as refused:
        resolve_conflict(boss.store, conflict, EDIT, "x" * 201)  # the name's limit is 200
    assert [(e.field, e.code) for e in refused.value.errors] == [("name", "too_long")]
    with pytest.raises(ValidationFailed):
        resolve_conflict(boss.store, conflict, "toss_a_coin")
    with pytest.raises(ValidationFailed) as refused:
        resolve_conflict(one.store, conflict, KEEP_MINE)  # an animator
    assert boss.store.pending_changes() == 0 and one.store.pending_changes() == 0
