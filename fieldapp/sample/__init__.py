"""Sample data: a realistic, clearly fictitious Łódź-like neighbourhood data set of any size.

Zones are Neighbourhood Activity Zones (SAS) around library branches, circles around real Łódź
neighbourhoods; contacts of every kind live at buildings inside them; natural persons carry a
consent (a share refused: then only the building is kept); visits follow a plain outcome mix
with follow-ups; each zone has a diagnosis with needs and resources and a few actions with
micro-grants in grosze. People are invented: Polish names from Faker's pl_PL locale (the ``demo``
extra), phones 500 000 xxx, e-mails at example.pl.

Every record is written through the store's write path (``Store.insert`` for the many contacts,
consents and visits, ``Store.save`` for the rest), so each one gets its HLCs, its outbox entry
and (contacts) its search row exactly as if a user had made it: sample data syncs like any other.

- ``fill`` (``neighbourhood``) makes it, from ``zones``, ``contacts``, ``visits``, ``diagnoses``
  and ``actions``, with names from ``people`` and random draws from ``draw``;
- ``data/`` holds the lists it is made of (also used by the UI tests' fast path);
- ``main`` (``cli``) is the ``teren-sample`` command.
"""

from fieldapp.sample.cli import main
from fieldapp.sample.data.kinds import KIND_WEIGHTS, KINDS, OUTCOME_WEIGHTS, PERSON_KINDS
from fieldapp.sample.data.names import FIRST, LAST
from fieldapp.sample.data.organisations import WORDS
from fieldapp.sample.data.texts import NEEDS, TAGS
from fieldapp.sample.data.zones import STREETS, ZONES, ZoneSpec
from fieldapp.sample.neighbourhood import fill
from fieldapp.sample.people import People
from fieldapp.sample.progress import Summary

__all__ = [
    "FIRST",
    "KINDS",
    "KIND_WEIGHTS",
    "LAST",
    "NEEDS",
    "OUTCOME_WEIGHTS",
    "PERSON_KINDS",
    "STREETS",
    "TAGS",
    "WORDS",
    "ZONES",
    "People",
    "Summary",
    "ZoneSpec",
    "fill",
    "main",
]
