"""Full-text search of contacts with SQLite FTS5.

The index holds *folded* text (see ``text.fold``) written by the store in the same transaction as
the contact, so "lodz" finds "Łódź" and "zolkiewskiego" finds "Żółkiewskiego" — FTS5's own
``remove_diacritics`` cannot do that for letters such as "ł" that Unicode does not decompose.
The index row's rowid is the contact's rowid.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from fieldapp.store.text import fold, tokens

#: The FTS5 table (also its name in ``bulk_deferred`` while a first pull defers it).
TABLE = "contact_search"
#: Indexed contact columns and their bm25 weights (a hit in the name counts most).
INDEXED: tuple[tuple[str, float], ...] = (
    ("name", 10.0),
    ("address", 5.0),
    ("tags", 3.0),
    ("needs", 2.0),
    ("offers", 2.0),
    ("interests", 1.0),
)
_COLUMNS = ", ".join(name for name, _ in INDEXED)
_WEIGHTS = ", ".join(str(weight) for _, weight in INDEXED)


def create_index(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"CREATE VIRTUAL TABLE contact_search USING fts5({_COLUMNS}, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )


def index_rows(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """(Re)index contacts given as ``(rowid, name, address, tags, needs, offers, interests, …)``."""
    params = [(row[0], *(fold(value or "") for value in row[1 : len(INDEXED) + 1])) for row in rows]
    conn.executemany("DELETE FROM contact_search WHERE rowid = ?", [(p[0],) for p in params])
    conn.executemany(
        f"INSERT INTO contact_search (rowid, {_COLUMNS}) VALUES (?{', ?' * len(INDEXED)})", params
    )


def index_all(conn: sqlite3.Connection) -> None:
    """Index every live contact anew with one statement (after a bulk load)."""
    conn.create_function("teren_fold", 1, _fold_column, deterministic=True)
    conn.execute("DELETE FROM contact_search")
    # Printable ASCII folds to its lower case in SQL; only other text needs a call into Python.
    folded = ", ".join(
        f"CASE WHEN {name} NOT GLOB '*[^ -~]*' THEN lower({name}) ELSE teren_fold({name}) END"
        for name, _ in INDEXED
    )
    conn.execute(
        f"INSERT INTO contact_search (rowid, {_COLUMNS}) "
        f"SELECT rowid, {folded} FROM contact WHERE deleted = 0"
    )


def _fold_column(value: str | None) -> str:
    return fold(value) if value else ""


def unindex(conn: sqlite3.Connection, rowids: Iterable[int]) -> None:
    conn.executemany("DELETE FROM contact_search WHERE rowid = ?", [(rowid,) for rowid in rowids])


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for a user's query: every word as a prefix, all required.

    The words are folded and reduced to letters and digits, so FTS5 syntax in the input (quotes,
    ``*``, ``NEAR(``, ``OR``) is searched for as plain words and can never make the query fail.
    """
    words = tokens(query)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words[:16])


def search_contact_ids(
    conn: sqlite3.Connection, query: str, *, limit: int = 50, offset: int = 0
) -> list[str]:
    """Ids of live contacts matching ``query``, best first (erased people are not live: RODO art. 17)."""
    expression = match_expression(query)
    if expression is None:
        return []
    if is_deferred(conn):
        return scan_contact_ids(conn, query, limit=limit, offset=offset)
    # Rank inside the FTS index first and read only the best rows of ``contact``: ranking every
    # match and then joining all of them costs ~4 µs a match (common words match thousands).
    # The slack keeps ties at the cut-off and the rare not-yet-unindexed row from shortening a page.
    window = 2 * (offset + limit) + 20
    rows = conn.execute(
        f"""
        SELECT c.id FROM (
            SELECT rowid, bm25(contact_search, {_WEIGHTS}) AS score FROM contact_search
            WHERE contact_search MATCH ? ORDER BY score LIMIT ?
        ) s
        JOIN contact c ON c.rowid = s.rowid
        WHERE c.deleted = 0 AND c.erased_at IS NULL
        ORDER BY s.score, c.name
        LIMIT ? OFFSET ?
        """,
        (expression, window, limit, offset),
    )
    return [row[0] for row in rows]


def is_deferred(conn: sqlite3.Connection) -> bool:
    """Whether a first pull is loading contacts without their index rows (``fieldapp.store.bulk``)."""
    found = conn.execute("SELECT 1 FROM bulk_deferred WHERE name = ?", (TABLE,))
    return found.fetchone() is not None


def scan_contact_ids(
    conn: sqlite3.Connection, query: str, *, limit: int = 50, offset: int = 0
) -> list[str]:
    """``search_contact_ids`` without the index: the contacts FTS5 would match for
    ``match_expression(query)``, ranked by the summed weights of the columns that matched, then by
    name. Reads every live contact (~10 µs each): only while a first pull defers the index."""
    # FTS5 splits a query word such as "a_b" into the phrase "a b" (the last part a prefix); a word
    # of separators only is an empty phrase, which FTS5 leaves out.
    phrases = [parts for word in tokens(query)[:16] if (parts := _words(word))]
    if not phrases:
        return []
    wanted = set(range(len(phrases)))
    found: list[tuple[float, str, str]] = []
    rows = conn.execute(f"SELECT id, {_COLUMNS} FROM contact WHERE deleted = 0 AND erased_at IS NULL")
    for record_id, *values in rows:
        matched = [{i for i, parts in enumerate(phrases) if _has_phrase(_words(v), parts)} for v in values]
        if set().union(*matched) == wanted:
            score = sum(weight for (_name, weight), hits in zip(INDEXED, matched, strict=True) if hits)
            found.append((-score, values[0] or "", record_id))
    found.sort()
    return [record_id for _score, _name, record_id in found[offset : offset + limit]]


def _words(value: str | None) -> list[str]:
    """The words FTS5's unicode61 tokenizer makes of a folded value (``_`` separates them too)."""
    return [part for word in tokens(value or "") for part in word.split("_") if part]


def _has_phrase(words: list[str], parts: list[str]) -> bool:
    """Whether ``parts`` occur in ``words`` one after the other, the last one as a prefix."""
    head, last = parts[:-1], parts[-1]
    return any(
        words[i : i + len(head)] == head and words[i + len(head)].startswith(last)
        for i in range(len(words) - len(head))
    )
