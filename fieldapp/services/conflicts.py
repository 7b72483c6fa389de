"""Supervisors settle what the conflict log shows: for a field two devices edited concurrently, keep
the value the merge kept ("theirs", the current one), bring back the one it overwrote ("mine", the
losing device's), or write another. Each is an ordinary edit of that field on this device (a new
HLC, an outbox row): it syncs like any edit and, being the newest write, wins everywhere.

A conflict counts as resolved once the record's field was written after both of its values (its
HLC is past theirs), here or on any device: every supervisor's list then shows it settled, with no
state of its own to sync.
"""

from __future__ import annotations

from typing import Any

from fieldapp.errors import Errors, NotFound
from fieldapp.model import Contact, SyncedRecord
from fieldapp.model.registry import RECORD_TYPES, from_wire
from fieldapp.model.rules import REQUIRED
from fieldapp.services.roles import is_supervisor
from fieldapp.services.validation import check_record, field_parser, get_live, parse, wire_of
from fieldapp.store import Store

#: The value the merge kept, the one it overwrote, or a value the supervisor enters.
KEEP_THEIRS, KEEP_MINE, EDIT = "keep_theirs", "keep_mine", "edit"
CHOICES = (KEEP_THEIRS, KEEP_MINE, EDIT)


def resolve_conflict(
    store: Store,
    conflict: Any,
    choice: str,
    value: Any = None,
) -> SyncedRecord:
    """Settle ``conflict`` (``sync.protocol.Conflict``: record_type, record_id, field, winner_value,
    loser_value) by ``choice``; ``value`` (as typed) with ``EDIT``. ValidationFailed: not a
    supervisor, an unknown field or choice, a value breaking the field's rule, an erased person's
    personal field; NotFound: the record is not on this device."""
    errors = Errors()
    if not is_supervisor(store):
        errors.add("", "conflict_not_allowed")
    model = RECORD_TYPES.get(conflict.record_type)
    if model is None:
        raise NotFound(conflict.record_type, conflict.record_id)
    name = conflict.field
    if name not in model.data_fields():
        errors.add(name, "unknown_field", name=name)
    if choice not in CHOICES:
        errors.add("", "invalid_choice", value=choice, allowed=", ".join(CHOICES))
    errors.raise_if_any()
    record = get_live(store, model, conflict.record_id)
    if choice == EDIT:
        required = model.model_fields[name].is_required() or name in REQUIRED[model.record_type]
        chosen = parse({name: value}, {name: field_parser(model, name, required=required)}, errors).get(name)
    else:
        chosen = from_wire(
            model, name, conflict.winner_value if choice == KEEP_THEIRS else conflict.loser_value
        )
    if isinstance(record, Contact) and record.erased_at is not None and name in Contact.personal_fields:
        errors.add(name, "contact_erased")
    errors.raise_if_any()
    before = wire_of(record)
    setattr(record, name, chosen)
    check_record(before, record, errors)  # the kind's own rules (an action's lifecycle…)
    errors.raise_if_any()
    with store.write() as conn:
        store.save(conn, record, [name])
    return record


def is_resolved(store: Store, conflict: Any) -> bool:
    """Whether the field was written after both values of ``conflict`` (here or synced here)."""
    model = RECORD_TYPES.get(conflict.record_type)
    if model is None or conflict.field not in model.data_fields():
        return False
    record = store.get(model, conflict.record_id)
    if record is None:
        return False
    return record.field_hlc(conflict.field) > max(conflict.winner_hlc, conflict.loser_hlc)
