"""Who to invite next: people in the zone with no links yet, those already met first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fieldapp.cooperation.graph import NetworkGraph, isolated
from fieldapp.cooperation.ladder import Ladder, ladders
from fieldapp.model import Contact
from fieldapp.store import Store


@dataclass(frozen=True)
class Invitation:
    contact: Contact
    ladder: Ladder

    @property
    def last_step_on(self) -> date | None:
        history = self.ladder.history
        return history[-1].reached_on if history else None


def who_to_invite(store: Store, graph: NetworkGraph, *, limit: int = 20) -> list[Invitation]:
    """Isolated people who may be contacted, highest rung first, then the most recently met."""
    alone = [node.id for node in isolated(graph)]
    found = ladders(store, alone)
    with store.read() as session:
        contacts = [session.get(Contact, contact_id) for contact_id in alone]
    result = [Invitation(c, found[c.id]) for c in contacts if c is not None and not c.do_not_knock]
    result.sort(
        key=lambda i: (
            -(i.ladder.level or 0),
            -(i.last_step_on or date.min).toordinal(),
            i.contact.name.casefold(),
            i.contact.id,
        )
    )
    return result[:limit]
