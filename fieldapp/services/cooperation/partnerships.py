"""Cross-sector partnerships: partners and what they bring, the phase and its history, the agreement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fieldapp.errors import Errors, NotFound
from fieldapp.model import Contact, Partner, Partnership, PartnershipPhaseChange, Zone
from fieldapp.model.base import today
from fieldapp.model.cooperation import SECTOR_OF_KIND, Contribution, PartnershipPhase, Sector
from fieldapp.model.enums import NATURAL_PERSON_KINDS
from fieldapp.services.cooperation.common import (
    check_exists,
    delete_record,
    get_live,
    live,
    live_contact,
    live_rows,
    parse,
    parsers_for,
    update_record,
)
from fieldapp.store import Store

#: What the partnership form edits; the phase moves with ``move_to_phase``.
_PARTNERSHIP_FIELDS = parsers_for(
    Partnership, "zone_id", "name", "aim", "written_agreement", "agreement_signed_on", "notes",
    required=("name",),
)
_NEW_PARTNERSHIP_FIELDS = {**_PARTNERSHIP_FIELDS, **parsers_for(Partnership, "phase", "phase_since")}
_PARTNER_FIELDS = parsers_for(
    Partner, "contact_id", "sector", "brings", "brings_note", "joined_on", "left_on"
)
_PHASE_FIELDS = parsers_for(PartnershipPhaseChange, "phase", "changed_on", "note")


@dataclass(frozen=True)
class PartnershipSummary:
    partnership: Partnership
    #: Current partners with their contact.
    partners: list[tuple[Partner, Contact]]
    #: Every phase change, oldest first.
    history: list[PartnershipPhaseChange]

    @property
    def sectors(self) -> list[str]:
        present = {partner.sector for partner, _ in self.partners}
        return [sector for sector in Sector if sector in present]

    @property
    def cross_sector(self) -> bool:
        return len(self.sectors) >= 2

    @property
    def contributions(self) -> dict[str, int]:
        """How many partners bring each kind of contribution."""
        return {c.value: sum(c in p.brings for p, _ in self.partners) for c in Contribution}


def _check_agreement(partnership: Partnership, errors: Errors) -> None:
    if partnership.agreement_signed_on is not None and not partnership.written_agreement:
        errors.add("agreement_signed_on", "network.signed_without_agreement")


def _partner_record(
    session: Any, partnership_id: str, clean: dict[str, Any], errors: Errors, field: str = "contact_id"
) -> Partner | None:
    contact = live_contact(session, clean.get("contact_id"), field, errors)
    if contact is None:
        return None
    if contact.kind in NATURAL_PERSON_KINDS:
        errors.add(field, "network.partner_not_organisation")
        return None
    sector = clean.get("sector") or SECTOR_OF_KIND.get(contact.kind)
    if sector is None:
        errors.add("sector", "network.required")
        return None
    return Partner(
        partnership_id=partnership_id,
        contact_id=contact.id,
        sector=sector,
        brings=clean.get("brings", []),
        brings_note=clean.get("brings_note", ""),
        joined_on=clean.get("joined_on") or today(),
        left_on=clean.get("left_on"),
    )


def create_partnership(
    store: Store, data: dict[str, Any], partners: Iterable[dict[str, Any]] = ()
) -> Partnership:
    """A new partnership (phase "forming" unless given), its first partners and the first phase record.

    Each partner is ``{"contact_id", "sector"?, "brings"?, "brings_note"?, "joined_on"?}``; the sector
    defaults to the usual one of the organisation's kind.
    """
    errors = Errors()
    clean = parse(data, _NEW_PARTNERSHIP_FIELDS, errors, required=("name",))
    clean.setdefault("phase", PartnershipPhase.FORMING)
    clean["phase_since"] = clean.get("phase_since") or today()
    partnership = Partnership(**clean)
    _check_agreement(partnership, errors)
    records: list[Partner] = []
    with store.read() as session:
        check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)
        seen: set[str] = set()
        for entry in partners:
            partner_clean = parse(dict(entry), _PARTNER_FIELDS, errors)
            if partner_clean.get("contact_id") in seen:
                errors.add("partners", "network.already_partner")
                continue
            record = _partner_record(session, partnership.id, partner_clean, errors, "partners")
            if record is not None:
                seen.add(record.contact_id or "")
                records.append(record)
    errors.raise_if_any()
    first = PartnershipPhaseChange(
        partnership_id=partnership.id, phase=partnership.phase, changed_on=partnership.phase_since
    )
    with store.write() as conn:
        store.save(conn, partnership)
        store.save(conn, first)
        for record in records:
            store.save(conn, record)
    return partnership


def update_partnership(store: Store, partnership_id: str, changes: dict[str, Any]) -> Partnership:
    """Edit name, aim, zone, notes and the agreement; the phase moves with ``move_to_phase``."""

    def check(session: Any, partnership: Partnership, clean: dict[str, Any], errors: Errors) -> None:
        _check_agreement(partnership, errors)
        check_exists(session, Zone, clean.get("zone_id"), "zone_id", errors)

    return update_record(store, Partnership, partnership_id, changes, _PARTNERSHIP_FIELDS, check)


def move_to_phase(
    store: Store, partnership_id: str, phase: str, *, on: date | str | None = None, note: str = ""
) -> PartnershipPhaseChange:
    """The partnership enters ``phase`` (going back, e.g. to storming, happens too)."""
    partnership = get_live(store, Partnership, partnership_id)
    errors = Errors()
    clean = parse({"phase": phase, "changed_on": on, "note": note}, _PHASE_FIELDS, errors)
    if clean.get("phase") == partnership.phase:
        errors.add("phase", "network.same_phase")
    changed_on = clean.get("changed_on") or today()
    if partnership.phase_since and changed_on < partnership.phase_since:
        errors.add("changed_on", "network.phase_before_previous", since=partnership.phase_since.isoformat())
    errors.raise_if_any()
    change = PartnershipPhaseChange(
        partnership_id=partnership.id, phase=clean["phase"], changed_on=changed_on, note=clean["note"]
    )
    partnership.phase, partnership.phase_since = clean["phase"], changed_on
    with store.write() as conn:
        store.save(conn, change)
        store.save(conn, partnership, ["phase", "phase_since"])
    return change


def phase_history(store: Store, partnership_id: str) -> list[PartnershipPhaseChange]:
    with store.read() as session:
        rows = live_rows(
            session, PartnershipPhaseChange, PartnershipPhaseChange.partnership_id == partnership_id
        )
    return sorted(rows, key=lambda r: (r.changed_on, r.base_hlc))


def add_partner(
    store: Store,
    partnership_id: str,
    contact_id: str,
    *,
    sector: str | None = None,
    brings: Iterable[str] = (),
    brings_note: str = "",
    joined_on: date | str | None = None,
) -> Partner:
    errors = Errors()
    data: dict[str, Any] = {
        "contact_id": contact_id,
        "brings": list(brings),
        "brings_note": brings_note,
        "joined_on": joined_on,
    }
    if sector:
        data["sector"] = sector
    clean = parse(data, _PARTNER_FIELDS, errors)
    with store.read() as session:
        if live(session, Partnership, partnership_id) is None:
            raise NotFound(Partnership.record_type, partnership_id)
        current = [
            p
            for p in live_rows(session, Partner, Partner.partnership_id == partnership_id)
            if p.left_on is None
        ]
        if any(p.contact_id == contact_id for p in current):
            errors.add("contact_id", "network.already_partner")
        record = _partner_record(session, partnership_id, clean, errors)
    errors.raise_if_any()
    assert record is not None
    with store.write() as conn:
        store.save(conn, record)
    return record


def update_partner(store: Store, partner_id: str, changes: dict[str, Any]) -> Partner:
    """Edit a partner's sector, what it brings, or its dates (``left_on`` = it left)."""
    parsers = {k: v for k, v in _PARTNER_FIELDS.items() if k != "contact_id"}

    def check(_session: Any, partner: Partner, _clean: dict[str, Any], errors: Errors) -> None:
        if partner.joined_on and partner.left_on and partner.left_on < partner.joined_on:
            errors.add("left_on", "network.left_before_joined")

    return update_record(store, Partner, partner_id, changes, parsers, check)


def delete_partner(store: Store, partner_id: str) -> None:
    """Remove a partner recorded by mistake (one that left keeps its record: set ``left_on``)."""
    delete_record(store, Partner, partner_id)


def partnership_summary(store: Store, partnership_id: str) -> PartnershipSummary:
    partnership = get_live(store, Partnership, partnership_id)
    with store.read() as session:
        rows = live_rows(session, Partner, Partner.partnership_id == partnership_id)
        pairs: dict[str, tuple[Partner, Contact]] = {}
        for partner in rows:
            contact = live(session, Contact, partner.contact_id)
            if partner.left_on is None and contact is not None and contact.id not in pairs:
                pairs[contact.id] = (partner, contact)
    return PartnershipSummary(partnership, list(pairs.values()), phase_history(store, partnership_id))


def list_partnerships(store: Store, *, zone_id: str | None = None) -> list[Partnership]:
    conditions = [] if zone_id is None else [Partnership.zone_id == zone_id]
    with store.read() as session:
        rows = live_rows(session, Partnership, *conditions)
    return sorted(rows, key=lambda p: p.name.casefold())


def partnerships_of_contact(store: Store, contact_id: str) -> list[tuple[Partnership, Partner]]:
    with store.read() as session:
        rows = live_rows(session, Partner, Partner.contact_id == contact_id)
        found: dict[str, tuple[Partnership, Partner]] = {}
        for partner in rows:
            partnership = live(session, Partnership, partner.partnership_id)
            if partnership is not None and partnership.id not in found:
                found[partnership.id] = (partnership, partner)
    return list(found.values())
