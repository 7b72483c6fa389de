"""The terms an FTS5 index's segments hold, read from its ``<table>_data`` rows.

A byte scan of the file finds a term only when it is stored whole: FTS5 stores each term on a leaf
page as the length it shares with the term before it plus the rest ("zielona" after "zenobia" is
"ielona"), so a scan can miss a name that is still there. This reads the leaves as FTS5 lays them
out (fts5_index.c: a 4-byte header, terms and doclists, then the page index of term offsets) and
rebuilds every term, deleted-but-not-merged ones included: what a person with the file could read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: ``fts5_dri``: a page's rowid is segid << 37 | dlidx << 36 | height << 31 | pgno.
_PAGE_BITS = 31
_HEIGHT_BITS = 5
#: Rowids below this are the averages and structure records, not pages.
_FIRST_SEGMENT_ROWID = 1 << (_PAGE_BITS + _HEIGHT_BITS + 1)


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """SQLite's varint at ``at``: (value, offset after it)."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def leaf_terms(page: bytes) -> list[str]:
    """The terms that start on one leaf page (without the index's leading column byte)."""
    size = int.from_bytes(page[2:4], "big")
    offsets, at = [], size
    while at < len(page):
        delta, at = _varint(page, at)
        offsets.append(delta + (offsets[-1] if offsets else 0))
    terms: list[bytes] = []
    for index, offset in enumerate(offsets):
        if index == 0:
            length, start = _varint(page, offset)
            term = page[start : start + length]
        else:
            shared, start = _varint(page, offset)
            length, start = _varint(page, start)
            term = terms[-1][:shared] + page[start : start + length]
        terms.append(term)
    return [term[1:].decode("utf-8", "replace") for term in terms]


def index_terms(path: Path, table: str = "contact_search") -> set[str]:
    """Every term any segment of ``table`` holds (live, deleted or superseded)."""
    db = sqlite3.connect(path)
    try:
        rows = db.execute(f'SELECT id, block FROM "{table}_data" WHERE id >= ?', (_FIRST_SEGMENT_ROWID,))
        terms: set[str] = set()
        for rowid, block in rows:
            doclist_index = (rowid >> (_PAGE_BITS + _HEIGHT_BITS)) & 1
            if not doclist_index and block:
                terms.update(leaf_terms(block))
        return terms
    finally:
        db.close()
