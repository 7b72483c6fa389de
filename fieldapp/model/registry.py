"""The synced record types by wire name, and conversion of field values to and from the wire."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from fieldapp.model.action import NeighbourhoodAction
from fieldapp.model.attachment import Attachment
from fieldapp.model.base import SyncedRecord
from fieldapp.model.building import Building
from fieldapp.model.contact import Consent, Contact
from fieldapp.model.cooperation import NETWORK_RECORDS
from fieldapp.model.diagnosis import Diagnosis, Need, Resource
from fieldapp.model.editions import EDITION_RECORDS
from fieldapp.model.participants import ParticipantProfile
from fieldapp.model.places import PLACE_RECORDS
from fieldapp.model.review import Review
from fieldapp.model.rodo import RODO_RECORDS
from fieldapp.model.social_economy import OwesActivity
from fieldapp.model.visit import Visit
from fieldapp.model.zone import Zone

RECORD_TYPES: dict[str, type[SyncedRecord]] = {
    model.record_type: model
    for model in (
        Zone, Contact, Consent, Visit, Diagnosis, Need, Resource, NeighbourhoodAction, Review,
        *NETWORK_RECORDS, Building, *PLACE_RECORDS, OwesActivity, ParticipantProfile, *EDITION_RECORDS,
        Attachment, *RODO_RECORDS,
    )
}


def model_for(record_type: str) -> type[SyncedRecord]:
    """The table class of a wire record type; KeyError for an unknown type."""
    return RECORD_TYPES[record_type]


def to_wire(value: Any) -> Any:
    """A field value as JSON: dates and datetimes become ISO strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def field_kind(model: type[SyncedRecord], name: str) -> type | None:
    """The Python type behind a field (``date``, ``datetime``, ``float``…), unwrapping Optional."""
    annotation = model.model_fields[name].annotation
    args = getattr(annotation, "__args__", None)
    if args:
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) == 1:
            return non_none[0]
        return None
    return annotation if isinstance(annotation, type) else None


def from_wire(model: type[SyncedRecord], name: str, value: Any) -> Any:
    """A JSON field value converted back to the column's Python type."""
    if value is None:
        return None
    kind = field_kind(model, name)
    if kind is datetime and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def schema_signature() -> str:
    """A fingerprint of the record types and fields this version knows: both ends compare it (an
    app and a service that know different fields cannot prove they hold the same records)."""
    known = {name: sorted(model.data_fields()) for name, model in sorted(RECORD_TYPES.items())}
    return hashlib.sha256(json.dumps(known).encode()).hexdigest()[:16]
