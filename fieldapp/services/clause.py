"""The information clause (RODO art. 13): what a person is told at the door before anything is
written about them — the controller, its DPO, purposes and legal basis, retention, their rights and
the right to complain to the PUODO.

The coordinator publishes a version (``publish_clause``); it syncs to every device, and the newest
is shown at the door with a short spoken version. Until one is published the app's own clause
(``BUILTIN_VERSION``, from the catalog) is used. Each consent records the version given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from fieldapp.errors import Errors
from fieldapp.i18n import t
from fieldapp.model import InfoClause, utcnow
from fieldapp.services.roles import is_supervisor
from fieldapp.services.validation import parse, parsers_for
from fieldapp.store import Store

#: The app's own clause, used until the program publishes its own.
BUILTIN_VERSION = "teren-2026.1"

CLAUSE_PARSERS = parsers_for(
    InfoClause, "version", "full_text", "short_text", "controller", "dpo_contact",
    required=("version", "full_text", "short_text"),
)


@dataclass(frozen=True)
class Clause:
    version: str
    full_text: str
    short_text: str
    controller: str
    dpo_contact: str


def builtin_clause(lang: str = "pl") -> Clause:
    return Clause(
        BUILTIN_VERSION,
        t("clause.builtin.full", lang),
        t("clause.builtin.short", lang),
        t("clause.builtin.controller", lang),
        t("clause.builtin.dpo", lang),
    )


def _published(session: Any) -> InfoClause | None:
    statement = (
        select(InfoClause)
        .where(InfoClause.deleted == False)  # noqa: E712
        .order_by(col(InfoClause.published_at).desc(), col(InfoClause.base_hlc).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def current_clause(store: Store, lang: str = "pl") -> Clause:
    """The clause to give at the door: the newest published, else the app's own."""
    with store.read() as session:
        found = _published(session)
    if found is None:
        return builtin_clause(lang)
    return Clause(found.version, found.full_text, found.short_text, found.controller, found.dpo_contact)


def is_known_version(store: Store, version: str) -> bool:
    """Whether ``version`` is the app's clause or one the program published."""
    if version == BUILTIN_VERSION:
        return True
    with store.read() as session:
        statement = select(InfoClause.id).where(InfoClause.version == version, InfoClause.deleted == False)  # noqa: E712
        return session.exec(statement).first() is not None


def publish_clause(store: Store, data: dict[str, Any]) -> InfoClause:
    """A new version of the program's clause (coordinators only; a version is never edited)."""
    errors = Errors()
    if not is_supervisor(store):
        errors.add("", "clause_not_allowed")
    clean = parse(data, CLAUSE_PARSERS, errors, required=("version", "full_text", "short_text"))
    if clean.get("version") and is_known_version(store, clean["version"]):
        errors.add("version", "clause_version_taken", value=clean["version"])
    errors.raise_if_any()
    clause = InfoClause(**clean, published_at=utcnow())
    with store.write() as conn:
        store.save(conn, clause)
    return clause
