"""Full-text search of contacts: SQLite FTS5, or a table of word lists where SQLite lacks FTS5.

The index holds *folded* text (see ``text.fold``) written by the store in the same transaction as
the contact, so "lodz" finds "Łódź" and "zolkiewskiego" finds "Żółkiewskiego" — FTS5's own
``remove_diacritics`` cannot do that for letters such as "ł" that Unicode does not decompose.
The index row's rowid is the contact's rowid.

SQLite built without FTS5 (CPython's Android build is reported to be) gets ``contact_search`` as a
plain table of the same columns, each holding the value's words as " word word …" (see
``word_list``), and ``words``: all of them in one text, the columns apart (" |" between). A word
typed is then a prefix of a stored word exactly where " " + word occurs, so the whole query —
matching on ``words``, ranking by the weights of the columns that matched, paging — is one SQL
statement with ``instr`` and no Python call per row (one ``instr`` a row and query word: 2-3x
faster than one per column). It finds what FTS5 finds (tests/store/test_search.py compares them);
ties in rank differ (no bm25). At 5,000 contacts (``tests/benchmarks/device.py``, the store
benchmark's queries, a page of 50 contacts read): p95 ~6 ms of CPU a search, FTS5's ~3; the scan
of the index ~1.2 ms of it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from fieldapp.store.text import fold, tokens

#: The index table (also its name in ``bulk_deferred`` while a first pull defers it).
TABLE = "contact_search"
#: Indexed contact columns and their weights (bm25's, and the word-list path's): a hit in the
#: name counts most. Needs, notes and special-category notes are NOT indexed (RODO art. 9: free
#: text about a person's needs can reveal health or poverty; it is read on the card, not searched).
INDEXED: tuple[tuple[str, float], ...] = (
    ("name", 10.0),
    ("address", 5.0),
    ("tags", 3.0),
    ("offers", 2.0),
    ("interests", 1.0),
)
_COLUMNS = ", ".join(name for name, _ in INDEXED)
_WEIGHTS = ", ".join(str(weight) for _, weight in INDEXED)
#: Words of a query that count (FTS5 MATCH and the word-list path alike).
MAX_WORDS = 16
#: Between the columns in the word-list table's ``words``: no query phrase can span it.
_SEPARATOR = " |"


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite library has FTS5."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.contact_search_probe USING fts5(a)")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.contact_search_probe")
    return True


def create_index(conn: sqlite3.Connection) -> None:
    """The empty index: FTS5 where SQLite has it, the word-list table otherwise."""
    if fts5_available(conn):
        conn.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5({_COLUMNS}, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        conn.execute(f"CREATE TABLE {TABLE} (contact_rowid INTEGER PRIMARY KEY, {_COLUMNS}, words)")


def uses_fts5(conn: sqlite3.Connection) -> bool:
    """Whether the store's index is FTS5 (False: the word-list table)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? AND sql LIKE 'CREATE VIRTUAL%'",
        (TABLE,),
    )
    return found.fetchone() is not None


def index_text(conn: sqlite3.Connection) -> Callable[[str | None], str]:
    """What the store's index holds for a contact's value: its folded text (FTS5 tokenizes it),
    or its ``word_list``."""
    return _fold_column if uses_fts5(conn) else word_list


def word_list(value: str | None) -> str:
    """A value as the word-list index stores it: its folded words, each after one space."""
    return "".join(f" {word}" for word in _words(value))


def index_rows(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """(Re)index contacts given as ``(rowid, name, address, tags, offers, interests, …)``."""
    fts5 = uses_fts5(conn)
    text = _fold_column if fts5 else word_list
    params = [(row[0], *(text(value) for value in row[1 : len(INDEXED) + 1])) for row in rows]
    conn.executemany(f"DELETE FROM {TABLE} WHERE rowid = ?", [(p[0],) for p in params])
    if fts5:
        insert = f"INSERT INTO {TABLE} (rowid, {_COLUMNS}) VALUES (?{', ?' * len(INDEXED)})"
    else:
        params = [(*p, _SEPARATOR.join(p[1:])) for p in params]
        insert = f"INSERT INTO {TABLE} (rowid, {_COLUMNS}, words) VALUES (?{', ?' * (len(INDEXED) + 1)})"
    conn.executemany(insert, params)


def index_all(conn: sqlite3.Connection) -> None:
    """Index every live contact anew with one statement (after a bulk load)."""
    conn.execute(f"DELETE FROM {TABLE}")
    if uses_fts5(conn):
        conn.create_function("teren_fold", 1, _fold_column, deterministic=True)
        # Printable ASCII folds to its lower case in SQL; only other text needs a call into Python.
        text = ", ".join(
            f"CASE WHEN {name} NOT GLOB '*[^ -~]*' THEN lower({name}) ELSE teren_fold({name}) END"
            for name, _ in INDEXED
        )
        conn.execute(
            f"INSERT INTO {TABLE} (rowid, {_COLUMNS}) SELECT rowid, {text} FROM contact WHERE deleted = 0"
        )
        return
    conn.create_function("teren_word_list", 1, word_list, deterministic=True)
    lists = ", ".join(f"teren_word_list({name}) AS {name}" for name, _ in INDEXED)
    words = f" || '{_SEPARATOR}' || ".join(name for name, _ in INDEXED)
    # Materialized: each word list is made once, not again for ``words``.
    conn.execute(
        f"WITH listed AS MATERIALIZED (SELECT rowid AS id, {lists} FROM contact WHERE deleted = 0) "
        f"INSERT INTO {TABLE} (rowid, {_COLUMNS}, words) SELECT id, {_COLUMNS}, {words} FROM listed"
    )


def _fold_column(value: str | None) -> str:
    return fold(value) if value else ""


def unindex(conn: sqlite3.Connection, rowids: Iterable[int]) -> None:
    conn.executemany(f"DELETE FROM {TABLE} WHERE rowid = ?", [(rowid,) for rowid in rowids])


def merge_deleted(conn: sqlite3.Connection) -> None:
    """Make deleted index rows leave the file's pages (after an erasure): FTS5 keeps them in its
    segments until merged; the word-list table's rows are gone already (``secure_delete``)."""
    if uses_fts5(conn):
        conn.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES('optimize')")


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for a user's query: every word as a prefix, all required.

    The words are folded and reduced to letters and digits, so FTS5 syntax in the input (quotes,
    ``*``, ``NEAR(``, ``OR``) is searched for as plain words and can never make the query fail.
    """
    words = tokens(query)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words[:MAX_WORDS])


def search_contact_ids(
    conn: sqlite3.Connection, query: str, *, limit: int = 50, offset: int = 0
) -> list[str]:
    """Ids of live contacts matching ``query``, best first (erased people are not live: RODO art. 17)."""
    expression = match_expression(query)
    if expression is None:
        return []
    if is_deferred(conn):
        return scan_contact_ids(conn, query, limit=limit, offset=offset)
    if not uses_fts5(conn):
        return _word_list_ids(conn, query, limit=limit, offset=offset)
    # Rank inside the FTS index first and read only the best rows of ``contact``: ranking every
    # match and then joining all of them costs ~4 µs a match (common words match thousands).
    # The slack keeps ties at the cut-off and the rare not-yet-unindexed row from shortening a page.
    window = 2 * (offset + limit) + 20
    rows = conn.execute(
        f"""
        SELECT c.id FROM (
            SELECT rowid, bm25({TABLE}, {_WEIGHTS}) AS score FROM {TABLE}
            WHERE {TABLE} MATCH ? ORDER BY score LIMIT ?
        ) s
        JOIN contact c ON c.rowid = s.rowid
        WHERE c.deleted = 0 AND c.erased_at IS NULL AND c.restricted_at IS NULL
        ORDER BY s.score, c.name
        LIMIT ? OFFSET ?
        """,
        (expression, window, limit, offset),
    )
    return [row[0] for row in rows]


def _phrases(query: str) -> list[list[str]]:
    """The query as FTS5 reads it: a word such as "a_b" is the phrase "a b" (its last part a
    prefix); a word of separators only is an empty phrase, which FTS5 leaves out."""
    return [parts for word in tokens(query)[:MAX_WORDS] if (parts := _words(word))]


def _word_list_ids(conn: sqlite3.Connection, query: str, *, limit: int, offset: int) -> list[str]:
    """``search_contact_ids`` on the word-list table: every phrase at a word start of some column,
    ranked by the summed weights of the columns where any phrase is, then by name."""
    phrases = _phrases(query)
    if not phrases:
        return []
    params = {f"p{i}": " " + " ".join(parts) for i, parts in enumerate(phrases)}
    found_in = {name: " OR ".join(f"instr(s.{name}, :{key}) > 0" for key in params) for name, _ in INDEXED}
    score = " + ".join(f"{weight} * ({found_in[name]})" for name, weight in INDEXED)
    every = " AND ".join(f"instr(s.words, :{key})" for key in params)
    # CROSS JOIN: scan the index and look up the few matching contacts, never the other way round
    # (the planner would walk ``contact`` by an index and probe the index table for every row).
    rows = conn.execute(
        f"""
        SELECT c.id FROM (
            SELECT s.rowid AS contact_rowid, {score} AS score FROM {TABLE} s WHERE {every}
        ) m
        CROSS JOIN contact c ON c.rowid = m.contact_rowid
        WHERE c.deleted = 0 AND c.erased_at IS NULL AND c.restricted_at IS NULL
        ORDER BY m.score DESC, c.name, c.id
        LIMIT :limit OFFSET :offset
        """,
        {**params, "limit": limit, "offset": offset},
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
    ``match_expression(query)``, ranked as the word-list path ranks them. Reads and folds every
    live contact (~10 µs each): only while a first pull defers the index."""
    phrases = _phrases(query)
    if not phrases:
        return []
    wanted = set(range(len(phrases)))
    found: list[tuple[float, str, str]] = []
    rows = conn.execute(
        f"SELECT id, {_COLUMNS} FROM contact "
        "WHERE deleted = 0 AND erased_at IS NULL AND restricted_at IS NULL"
    )
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
