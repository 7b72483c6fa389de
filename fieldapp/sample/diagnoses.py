"""A zone's diagnosis of needs and resources: the library branch, a yard, equipment, the zone's
organisations and its leaders who agreed to be stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection

from fieldapp.model import Diagnosis, Need, Resource, Zone
from fieldapp.model.enums import DiagnosisMethod
from fieldapp.sample.contacts import Person
from fieldapp.sample.data.diagnoses import NEED_CATEGORIES
from fieldapp.sample.data.kinds import PERSON_KINDS
from fieldapp.sample.data.texts import NEEDS, OFFERS
from fieldapp.sample.data.zones import ZoneSpec
from fieldapp.sample.draw import Draw
from fieldapp.sample.progress import Summary
from fieldapp.store import Store

#: A diagnosis names this many of the zone's organisations and leaders as resources, at most.
ORGANISATIONS = 4
LEADERS = 3


def partners(neighbours: list[Person]) -> tuple[list[Person], list[Person]]:
    """A zone's organisations and its leaders who may be stored, the first few of each."""
    organisations = [p for p in neighbours if p.kind not in PERSON_KINDS][:ORGANISATIONS]
    leaders = [p for p in neighbours if p.kind == "leader" and p.may_store][:LEADERS]
    return organisations, leaders


def write_diagnosis(
    store: Store,
    conn: Connection,
    draw: Draw,
    zone: Zone,
    spec: ZoneSpec,
    organisations: list[Person],
    leaders: list[Person],
    summary: Summary,
) -> list[Need]:
    """The zone's diagnosis with its needs and resources; returns the needs."""
    rng = draw.rng
    start = draw.now.date() - timedelta(days=rng.randint(120, 170))
    diagnosis = Diagnosis(
        zone_id=zone.id,
        title=f"Diagnoza potrzeb i zasobów — {zone.name}",
        period_start=start,
        period_end=start + timedelta(days=rng.randint(45, 75)),
        methods=rng.sample([method.value for method in DiagnosisMethod], rng.randint(2, 4)),
        people_reached=rng.randint(40, 220),
        summary="Mieszkańcy chcą miejsca spotkań i zieleni; aktywni seniorzy i rodzice.",
    )
    store.save(conn, diagnosis)
    summary.diagnoses += 1
    needs = [
        Need(
            diagnosis_id=diagnosis.id,
            category=category,
            people_count=rng.randint(3, 45),
            priority=rng.choices(("high", "medium", "low"), (3, 5, 2))[0],
            description=rng.choice(NEEDS).capitalize(),
        )
        for category in rng.sample(NEED_CATEGORIES, rng.randint(3, 6))
    ]
    resources = resources_of(draw, diagnosis, spec, organisations, leaders)
    for record in (*needs, *resources):
        store.save(conn, record)
    summary.needs += len(needs)
    summary.resources += len(resources)
    return needs


def resources_of(
    draw: Draw, diagnosis: Diagnosis, spec: ZoneSpec, organisations: list[Person], leaders: list[Person]
) -> list[Resource]:
    """What the zone has: its library branch, a yard, equipment, organisations and leaders."""
    rng = draw.rng
    resources = [
        Resource(
            diagnosis_id=diagnosis.id,
            kind="organisation",
            category="institutional",
            name=spec.branch,
            description="Sala na 30 osób, projektor",
            lat=spec.lat,
            lon=spec.lon,
        ),
        Resource(
            diagnosis_id=diagnosis.id,
            kind="place",
            category="material",
            name=f"Podwórko przy {rng.choice(spec.streets)}",
            description="Duże, zaniedbane, z trzepakiem",
        ),
        Resource(
            diagnosis_id=diagnosis.id,
            kind="equipment",
            category="material",
            name="Namiot i stoły z biblioteki",
        ),
    ]
    resources += [
        Resource(
            diagnosis_id=diagnosis.id,
            kind="organisation",
            category="institutional",
            name=organisation.name,
            contact_id=organisation.id,
            lat=organisation.door.lat,
            lon=organisation.door.lon,
        )
        for organisation in organisations
    ]
    resources += [
        Resource(
            diagnosis_id=diagnosis.id,
            kind="person",
            category="human",
            name="Liderka/lider z sąsiedztwa",
            description=rng.choice(OFFERS),
            contact_id=leader.id,
        )
        for leader in leaders
    ]
    return resources
