from datetime import date

import pytest

from fieldapp.errors import ValidationFailed
from fieldapp.model import Partnership
from fieldapp.services.cooperation import (
    add_partner,
    create_partnership,
    move_to_phase,
    partnership_summary,
    partnerships_of_contact,
    phase_history,
    update_partner,
    update_partnership,
)
from fieldapp.store import Store
from tests.cooperation.helpers import contact, outbox


def test_partners_get_their_sector_and_bring_things(store: Store) -> None:
    library = contact(store, "Biblioteka Miejska, filia 12", "culture")
    ngo = contact(store, "Stowarzyszenie Sąsiedzi", "ngo")
    shop = contact(store, "Piekarnia Kłos", "business")
    partnership = create_partnership(
        store,
        {"name": "Razem dla Bałut", "aim": "Festyn i świetlica", "phase_since": "2025-01-15"},
        partners=[
            {"contact_id": library.id, "brings": ["space", "skills"]},
            {"contact_id": ngo.id, "brings": ["people"], "sector": "civic"},
        ],
    )
    add_partner(store, partnership.id, shop.id, brings=["money"], brings_note="500 zł na nagrody")
    summary = partnership_summary(store, partnership.id)
    assert {c.name: p.sector for p, c in summary.partners} == {
        "Biblioteka Miejska, filia 12": "public",
        "Stowarzyszenie Sąsiedzi": "civic",
        "Piekarnia Kłos": "business",
    }
    assert summary.sectors == ["public", "civic", "business"] and summary.cross_sector
    assert summary.contributions == {"space": 1, "people": 1, "money": 1, "skills": 1}
    assert [(h.phase, h.changed_on) for h in summary.history] == [("forming", date(2025, 1, 15))]
    assert [p.id for p, _ in partnerships_of_contact(store, shop.id)] == [partnership.id]


def test_a_person_cannot_be_a_partner_and_duplicates_are_refused(store: Store) -> None:
    resident = contact(store, "Jan Kowalski")
    ngo = contact(store, "Fundacja Ogród", "ngo")
    before = len(outbox(store))
    with pytest.raises(ValidationFailed) as failed:
        create_partnership(store, {"name": "X"}, partners=[{"contact_id": resident.id}])
    assert [e.code for e in failed.value.errors] == ["network.partner_not_organisation"]
    assert len(outbox(store)) == before
    partnership = create_partnership(store, {"name": "Y"}, partners=[{"contact_id": ngo.id}])
    with pytest.raises(ValidationFailed) as failed:
        add_partner(store, partnership.id, ngo.id)
    assert failed.value.errors[0].code == "network.already_partner"
    with pytest.raises(ValidationFailed):
        add_partner(store, partnership.id, contact(store, "Firma", "business").id, brings=["gold"])


def test_phases_keep_their_dates_and_can_go_back(store: Store) -> None:
    partnership = create_partnership(store, {"name": "Forum Śródmieście", "phase_since": "2025-01-01"})
    move_to_phase(store, partnership.id, "storming", on=date(2025, 2, 1))
    move_to_phase(store, partnership.id, "norming", on="2025-03-01", note="Regulamin spisany")
    move_to_phase(store, partnership.id, "storming", on="2025-04-01", note="Spór o budżet")
    assert [(h.phase, h.changed_on.isoformat()) for h in phase_history(store, partnership.id)] == [
        ("forming", "2025-01-01"),
        ("storming", "2025-02-01"),
        ("norming", "2025-03-01"),
        ("storming", "2025-04-01"),
    ]
    current = store.get(Partnership, partnership.id)
    assert (current.phase, current.phase_since) == ("storming", date(2025, 4, 1))
    for phase, on, code in [
        ("storming", "2025-05-01", "network.same_phase"),
        ("performing", "2025-03-15", "network.phase_before_previous"),
        ("chaos", None, "network.invalid_choice"),
        ("performing", "1.05.2025", "network.invalid_date"),
    ]:
        with pytest.raises(ValidationFailed) as failed:
            move_to_phase(store, partnership.id, phase, on=on)
        assert failed.value.errors[0].code == code
    assert len(phase_history(store, partnership.id)) == 4


def test_agreement_and_partner_edits(store: Store) -> None:
    ngo = contact(store, "Klub Sportowy Orzeł", "ngo")
    partnership = create_partnership(store, {"name": "Boisko"}, partners=[{"contact_id": ngo.id}])
    with pytest.raises(ValidationFailed) as failed:
        update_partnership(store, partnership.id, {"agreement_signed_on": "2025-05-05"})
    assert failed.value.errors[0].code == "network.signed_without_agreement"
    update_partnership(
        store, partnership.id, {"written_agreement": True, "agreement_signed_on": "2025-05-05"}
    )
    assert store.get(Partnership, partnership.id).agreement_signed_on == date(2025, 5, 5)
    with pytest.raises(ValidationFailed):
        update_partnership(store, partnership.id, {"phase": "performing"})  # only through move_to_phase
    partner = partnership_summary(store, partnership.id).partners[0][0]
    update_partner(store, partner.id, {"brings": ["people", "space", "people"]})
    assert partnership_summary(store, partnership.id).partners[0][0].brings == ["space", "people"]
    update_partner(store, partner.id, {"left_on": partner.joined_on})
    assert partnership_summary(store, partnership.id).partners == []
