"""A zone's neighbourhood actions in many states, each having walked its lifecycle as a user would,
with micro-grants in grosze: mostly within the programmes' range, in whole 50 PLN, now and then
outside it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection

from fieldapp.model import Need, NeighbourhoodAction, Zone
from fieldapp.model.enums import MICRO_GRANT_MAX_PLN, MICRO_GRANT_MIN_PLN
from fieldapp.sample.contacts import Person
from fieldapp.sample.data.diagnoses import ACTIONS, STATUS_PATH
from fieldapp.sample.data.zones import ZoneSpec
from fieldapp.sample.draw import Draw
from fieldapp.sample.progress import Summary
from fieldapp.store import Store

#: Grants requested outside the programmes' range (PLN), now and then.
OUTSIDE_RANGE_PLN = (800, 1_200, 6_000)


def write_actions(
    store: Store,
    conn: Connection,
    draw: Draw,
    zone: Zone,
    spec: ZoneSpec,
    needs: list[Need],
    organisations: list[Person],
    leaders: list[Person],
    summary: Summary,
) -> None:
    """Four actions of the zone: reported, funded, an idea, and one planned, done or dropped."""
    rng = draw.rng
    statuses = ["reported", "funded", "idea", rng.choice(("planned", "done", "dropped"))]
    for (title, kind), status in zip(rng.sample(ACTIONS, len(statuses)), statuses, strict=True):
        action = NeighbourhoodAction(
            zone_id=zone.id,
            title=title,
            kind=kind,
            description=f"{title} dla mieszkańców: {zone.name}.",
            need_ids=[rng.choice(needs).id] if needs else [],
            # The lead implementer (counted in the program's table) is a leader or an organisation;
            # decisions on applications are the coordinator's, never the demo animator's.
            lead_id=next((p.id for p in (*leaders[:1], *organisations[:1])), None),
            organiser_ids=[p.id for p in leaders[:1]],
            partner_ids=[p.id for p in organisations[:2]],
            starts_on=starts_on(draw, status),
            place=f"Podwórko przy {rng.choice(spec.streets)}",
            status="idea",
            status_changed_at=draw.now - timedelta(days=90),
            grant_requested_gr=grant_requested(draw, status),
            participants=0,
        )
        if status == "idea" and action.grant_requested_gr and action.lead_id:
            # An idea with an amount was sent as a micro-grant application; the coordinator decides.
            action.application_status = "submitted"
            action.loi_signed = True
            action.submitted_on = action.loi_signed_on = (
                draw.now - timedelta(days=rng.randint(1, 30))
            ).date()
        store.save(conn, action)
        walk_lifecycle(store, conn, draw, action, status)
        summary.actions += 1


def grant_requested(draw: Draw, status: str) -> int | None:
    """In grosze; none for half the ideas."""
    rng = draw.rng
    if status == "idea" and rng.random() >= 0.5:
        return None
    if rng.random() < 0.9:
        return rng.randrange(MICRO_GRANT_MIN_PLN, MICRO_GRANT_MAX_PLN + 1, 50) * 100
    return rng.choice(OUTSIDE_RANGE_PLN) * 100


def starts_on(draw: Draw, status: str) -> date | None:
    """None for an idea; done and reported ones started in the last two months."""
    rng = draw.rng
    if status == "idea":
        return None
    if status in ("done", "reported"):
        return (draw.now - timedelta(days=rng.randint(10, 60))).date()
    return (draw.now + timedelta(days=rng.randint(-60, 60))).date()


def walk_lifecycle(
    store: Store, conn: Connection, draw: Draw, action: NeighbourhoodAction, status: str
) -> None:
    """Move a new action (an idea) to ``status`` through the states before it, each move its own
    change (and outbox entry)."""
    rng = draw.rng
    for step in STATUS_PATH[status][1:]:
        action.status = step
        action.status_changed_at = draw.now - timedelta(days=rng.randint(1, 80))
        changed = ["status", "status_changed_at"]
        if step == "funded":
            action.grant_granted_gr = granted(draw, action.grant_requested_gr)
            changed.append("grant_granted_gr")
        if step == "done":
            action.participants = rng.randint(15, 180)
            changed.append("participants")
        if step == "reported":
            action.report = f"Przyszło {action.participants} osób; sąsiedzi chcą powtórki."
            changed.append("report")
        store.save(conn, action, changed)


def granted(draw: Draw, requested: int | None) -> int | None:
    """At most what was requested (grosze)."""
    if requested is None:
        return None
    return min(requested, draw.rng.randrange(MICRO_GRANT_MIN_PLN, MICRO_GRANT_MAX_PLN + 1, 50) * 100)
