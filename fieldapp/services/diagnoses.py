"""A zone's needs-and-resources diagnosis: the diagnosis, its needs and its local resources."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case
from sqlmodel import select

from fieldapp.errors import Errors
from fieldapp.model import Diagnosis, Need, Resource, Zone
from fieldapp.model.enums import RESOURCE_GROUP_OF_KIND, NeedPriority
from fieldapp.services.reviews import mark_corrected
from fieldapp.services.validation import (
    check_exists,
    delete_record,
    get_live,
    live_contact,
    parse,
    parsers_for,
    update_record,
)
from fieldapp.store import Store

DIAGNOSIS_PARSERS = parsers_for(Diagnosis, required=("title", "period_start"))
NEED_PARSERS = parsers_for(
    Need, "category", "description", "people_count", "priority", required=("category",)
)
RESOURCE_PARSERS = parsers_for(
    Resource, *(n for n in Resource.data_fields() if n != "diagnosis_id"), required=("name",)
)
_PRIORITY_RANK = {NeedPriority.HIGH: 0, NeedPriority.MEDIUM: 1, NeedPriority.LOW: 2}


def _check_period(diagnosis: Diagnosis, errors: Errors) -> None:
    if diagnosis.period_end and diagnosis.period_start and diagnosis.period_end < diagnosis.period_start:
        errors.add("period_end", "period_order")


def create_diagnosis(store: Store, data: dict[str, Any]) -> Diagnosis:
    """A new diagnosis of a zone (``zone_id``, ``title`` and ``period_start`` are required)."""
    errors = Errors()
    clean = parse(data, DIAGNOSIS_PARSERS, errors, required=("zone_id", "title", "period_start"))
    if "zone_id" in data and not clean.get("zone_id"):
        errors.add("zone_id", "required")
    with store.read() as session:
        check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
    errors.raise_if_any()
    diagnosis = Diagnosis(**clean)
    _check_period(diagnosis, errors)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, diagnosis)
    return diagnosis


def update_diagnosis(store: Store, diagnosis_id: str, changes: dict[str, Any]) -> Diagnosis:
    parsers = {k: v for k, v in DIAGNOSIS_PARSERS.items() if k != "zone_id"}
    return update_record(
        store,
        Diagnosis,
        diagnosis_id,
        changes,
        parsers,
        lambda _s, d, _c, errors: _check_period(d, errors),
        after=lambda conn, d: mark_corrected(store, Diagnosis.record_type, d.id, conn),
    )


def list_diagnoses(store: Store, zone_id: str | None = None) -> list[Diagnosis]:
    """Live diagnoses (of one zone), the latest period first."""
    statement = select(Diagnosis).where(Diagnosis.deleted == False)  # noqa: E712
    if zone_id:
        statement = statement.where(Diagnosis.zone_id == zone_id)
    with store.read() as session:
        return list(session.exec(statement.order_by(Diagnosis.period_start.desc(), Diagnosis.title)).all())


def add_need(store: Store, diagnosis_id: str, data: dict[str, Any]) -> Need:
    get_live(store, Diagnosis, diagnosis_id)
    errors = Errors()
    clean = parse(data, NEED_PARSERS, errors, required=("category",))
    errors.raise_if_any()
    need = Need(diagnosis_id=diagnosis_id, **clean)
    with store.write() as conn:
        store.save(conn, need)
    return need


def update_need(store: Store, need_id: str, changes: dict[str, Any]) -> Need:
    """Edit a need (its priority too); it is part of its diagnosis: a returned diagnosis's review
    becomes "corrected"."""
    return update_record(
        store,
        Need,
        need_id,
        changes,
        NEED_PARSERS,
        after=lambda conn, n: mark_corrected(store, Diagnosis.record_type, n.diagnosis_id, conn),
    )


def delete_need(store: Store, need_id: str) -> None:
    delete_record(store, Need, need_id)


def needs_ranked(store: Store, diagnosis_id: str) -> list[Need]:
    """The diagnosis's needs, the most often raised first (then by priority, then by name)."""
    priority = case(_PRIORITY_RANK, value=Need.priority, else_=3)
    statement = (
        select(Need)
        .where(Need.diagnosis_id == diagnosis_id, Need.deleted == False)  # noqa: E712
        .order_by(Need.people_count.desc(), priority, Need.category)
    )
    with store.read() as session:
        return list(session.exec(statement).all())


def _resource_checks(session: Any, clean: dict[str, Any], errors: Errors) -> None:
    if clean.get("contact_id"):
        live_contact(session, clean["contact_id"], "contact_id", errors)


def add_resource(store: Store, diagnosis_id: str, data: dict[str, Any]) -> Resource:
    """A local asset; its group (institutional, material, human) follows its kind unless given."""
    get_live(store, Diagnosis, diagnosis_id)
    errors = Errors()
    data = {k: v for k, v in data.items() if not (k == "category" and v in (None, ""))}
    clean = parse(data, RESOURCE_PARSERS, errors, required=("kind", "name"))
    with store.read() as session:
        _resource_checks(session, clean, errors)
    errors.raise_if_any()
    clean.setdefault("category", RESOURCE_GROUP_OF_KIND[clean["kind"]])
    resource = Resource(diagnosis_id=diagnosis_id, **clean)
    with store.write() as conn:
        store.save(conn, resource)
    return resource


def update_resource(store: Store, resource_id: str, changes: dict[str, Any]) -> Resource:
    return update_record(
        store,
        Resource,
        resource_id,
        changes,
        RESOURCE_PARSERS,
        lambda session, _r, clean, errors: _resource_checks(session, clean, errors),
        after=lambda conn, r: mark_corrected(store, Diagnosis.record_type, r.diagnosis_id, conn),
    )


def delete_resource(store: Store, resource_id: str) -> None:
    delete_record(store, Resource, resource_id)


def resources_of(store: Store, diagnosis_id: str) -> list[Resource]:
    """A diagnosis's live resources, by group then name."""
    with store.read() as session:
        rows = session.exec(
            select(Resource)
            .where(Resource.diagnosis_id == diagnosis_id, Resource.deleted == False)  # noqa: E712
            .order_by(Resource.category, Resource.name)
        ).all()
    return list(rows)
