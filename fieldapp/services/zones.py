"""Zones: Neighbourhood Activity Zones, animators' quarters and other named areas."""

from __future__ import annotations

from typing import Any

from sqlmodel import func, select

from fieldapp.errors import Errors
from fieldapp.geo.zones import zone_shape_errors
from fieldapp.model import Zone
from fieldapp.services.validation import delete_record, parse, parsers_for, update_record
from fieldapp.store import Store

ZONE_PARSERS = parsers_for(Zone, required=("name",))


def _check(store: Store, zone: Zone, errors: Errors) -> None:
    """The shape is valid and no other live zone on this device has the same name."""
    for error in zone_shape_errors(zone.model_dump()):
        errors.add(error.field, error.code, **error.params)
    with store.read() as session:
        taken = session.exec(
            select(Zone.id).where(
                Zone.deleted == False,  # noqa: E712
                func.lower(Zone.name) == zone.name.lower(),
                Zone.id != zone.id,
            )
        ).first()
    if taken:
        errors.add("name", "zone_name_taken", name=zone.name)


def create_zone(store: Store, data: dict[str, Any]) -> Zone:
    errors = Errors()
    clean = parse(data, ZONE_PARSERS, errors, required=("name",))
    errors.raise_if_any()
    zone = Zone(**clean)
    _check(store, zone, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, zone)
    return zone


def update_zone(store: Store, zone_id: str, changes: dict[str, Any]) -> Zone:
    return update_record(
        store, Zone, zone_id, changes, ZONE_PARSERS, lambda _s, zone, _c, errors: _check(store, zone, errors)
    )


def delete_zone(store: Store, zone_id: str) -> None:
    """Tombstone a zone; its contacts and visits keep their records (with a dangling zone id)."""
    delete_record(store, Zone, zone_id)


def list_zones(store: Store) -> list[Zone]:
    """Live zones by name."""
    with store.read() as session:
        return list(
            session.exec(select(Zone).where(Zone.deleted == False).order_by(Zone.name)).all()  # noqa: E712
        )
