"""An erased person's words leave the search index's segments, not just its live view: on the device
that erased and on a teammate's device that pulled the erasure through the real service.

The byte scans of ``tests.rodo.helpers`` cannot see a term FTS5 stores prefix-compressed
("kowalski" after "kowalska" is "i"), so the segments are read term by term here.
"""

from __future__ import annotations

from fieldapp.services import contacts
from fieldapp.services.rodo import erase_person
from fieldapp.store import Store
from tests.rodo.helpers import GIVEN, byte_hits
from tests.store.fts5_terms import index_terms
from tests.sync.conftest import World

PERSON = {"kind": "resident", "name": "Jadwiga Kowalski", "address": "Jaśminowa 4", "tags": "rękodzieło"}
#: Neighbours whose words share the person's prefixes: the person's terms would be stored as suffixes.
NEIGHBOURS = ("Jadwiga Kowalska", "Jan Kowalsky")
#: The person's own words (the street stays: erasure keeps it for coverage, without the flat).
ERASED_WORDS = {"kowalski", "rekodzielo"}
NEEDLES = ("Kowalski", "rękodzieło", "rekodzielo")


def _people(store: Store) -> str:
    for name in NEIGHBOURS:
        contacts.create_contact(store, {"kind": "resident", "name": name, "address": "Jasna 1"}, GIVEN)
    return contacts.create_contact(store, PERSON, GIVEN).id


def test_an_erased_person_leaves_the_index_segments(store: Store) -> None:
    store.set_meta("user.role", "supervisor")
    person = _people(store)
    assert index_terms(store.path) >= ERASED_WORDS

    assert erase_person(store, person, by="supervisor-1").purged

    terms = index_terms(store.path)
    assert ERASED_WORDS.isdisjoint(terms) and {"kowalska", "kowalsky", "jadwiga"} <= terms
    assert byte_hits(store.path, NEEDLES) == []


def test_a_pulled_erasure_leaves_the_teammates_index_segments(world: World) -> None:
    animator, supervisor = world.device(), world.device(role="supervisor")
    person = _people(animator.store)
    animator.engine.sync()
    supervisor.engine.sync()
    assert index_terms(animator.store.path) >= ERASED_WORDS

    erase_person(supervisor.store, person, by=supervisor.user_id)
    supervisor.engine.sync()
    animator.engine.sync()  # the pull brings the erasure; the sync settles it

    for device in (animator, supervisor):
        assert ERASED_WORDS.isdisjoint(index_terms(device.store.path))
        assert byte_hits(device.store.path, NEEDLES) == []
