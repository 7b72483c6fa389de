"""Many rows into one table with few statements, for the device's store and the service alike.

A statement per row (``executemany``) costs a step and, in Python's sqlite3, a release and re-take
of the GIL per row; one ``INSERT … VALUES (…), (…), …`` per chunk of rows costs one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import chain
from typing import Any


def insert_many(
    execute: Callable[[str, Sequence[Any]], Any], sql: str, rows: Sequence[Sequence[Any]], per: int
) -> None:
    """Run the one-row ``INSERT … VALUES (…)`` ``sql`` for every row, ``per`` rows a statement
    (``execute``: a sqlite3 connection's ``execute``, or SQLAlchemy's ``exec_driver_sql``)."""
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        execute(_multi_row_sql(sql, len(chunk)), tuple(chain.from_iterable(chunk)))


@lru_cache(maxsize=64)
def _multi_row_sql(sql: str, count: int) -> str:
    head, _, values = sql.partition(" VALUES ")
    return f"{head} VALUES {', '.join([values] * count)}"
