"""``fill``: a whole sample neighbourhood — zones, contacts, consents, visits, diagnoses, actions."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from fieldapp.model import Zone
from fieldapp.sample.actions import write_actions
from fieldapp.sample.contacts import Contacts, Person
from fieldapp.sample.data.zones import ZONES
from fieldapp.sample.diagnoses import partners, write_diagnosis
from fieldapp.sample.draw import Draw
from fieldapp.sample.people import People
from fieldapp.sample.progress import Progress, Summary
from fieldapp.sample.visits import Visits
from fieldapp.sample.zones import draw_doors, write_zones
from fieldapp.store import Store

#: Contacts a zone, about, when the number of zones is not given.
CONTACTS_PER_ZONE = 40


def fill(
    store: Store,
    contacts: int = 1_000,
    visits: int = 4_000,
    seed: int = 7,
    *,
    zones: int | None = None,
    chunk: int = 2_000,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Fill ``store`` with sample zones, contacts, consents, visits, diagnoses and actions.

    Same ``seed`` (and ``now``) → same content (record ids and HLCs are always new). Contacts,
    consents and visits go through ``Store.insert``, one transaction per ``chunk`` of them; the
    few zones, diagnoses and actions through ``Store.save``. Returns a summary dict.
    """
    started = time.perf_counter()
    zone_count = zones if zones is not None else min(len(ZONES), max(1, contacts // CONTACTS_PER_ZONE))
    if not 1 <= zone_count <= len(ZONES):
        raise ValueError(f"zones must be between 1 and {len(ZONES)}")
    draw = Draw(seed, (now or datetime.now(UTC)).astimezone(UTC))
    summary = Summary()
    zone_records, animators = write_zones(store, draw, zone_count, summary)
    zone_ids = [zone.id for zone in zone_records]
    doors = draw_doors(draw, zone_count, contacts)
    people = Contacts(draw, People(seed, draw.rng), zone_ids, doors, summary).write(
        store, contacts, chunk, progress
    )
    Visits(draw, zone_ids, doors, people, animators, summary).write(store, visits, chunk, progress)
    write_diagnoses_and_actions(store, draw, zone_records, people, summary)
    summary.seconds = round(time.perf_counter() - started, 2)
    result = summary.__dict__.copy()
    store.set_meta("sample.summary", json.dumps({"seed": seed, **result}, ensure_ascii=False))
    return result


def write_diagnoses_and_actions(
    store: Store, draw: Draw, zones: list[Zone], people: list[Person], summary: Summary
) -> None:
    """Each zone's diagnosis and actions, in one transaction."""
    by_zone: dict[int, list[Person]] = {}
    for person in people:
        by_zone.setdefault(person.zone, []).append(person)
    with store.write() as conn:
        for z, zone in enumerate(zones):
            organisations, leaders = partners(by_zone.get(z, []))
            needs = write_diagnosis(store, conn, draw, zone, ZONES[z], organisations, leaders, summary)
            write_actions(store, conn, draw, zone, ZONES[z], needs, organisations, leaders, summary)
