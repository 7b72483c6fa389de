"""An erasure leaves the service's files, not only its tables: SQLite's main file, -wal and -shm hold
none of the person's bytes afterwards; in PostgreSQL no tuple of ``record`` or ``conflict``, live or
dead, holds them (read with ``pageinspect``).

PostgreSQL's guarantee stops at tuples: ``VACUUM`` does not zero the space a pruned tuple leaves in
its page, and ``pg_wal`` keeps old page images until its segments are recycled, so the raw bytes
can stay on disk until overwritten (only ``VACUUM FULL``, which locks the tables, rewrites them)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from fieldapp.services.rodo import erase_person
from sync.server.purge import Purger
from tests.rodo.helpers import NEEDLES, byte_hits, person_with_everything
from tests.sync.conftest import World

#: Every line pointer's tuple data (live, dead or redirected) of a relation and of its TOAST table.
TUPLES = """
SELECT t_data FROM (
    SELECT c.oid AS rel FROM pg_class c WHERE c.relname = :name
    UNION ALL SELECT c.reltoastrelid FROM pg_class c WHERE c.relname = :name AND c.reltoastrelid <> 0
) r,
LATERAL generate_series(0, (pg_relation_size(r.rel) / current_setting('block_size')::int)::int - 1) p,
LATERAL heap_page_items(get_raw_page(r.rel::regclass::text, p)) i
WHERE i.t_data IS NOT NULL
"""


def tuple_hits(world: World) -> list[tuple[str, str]]:
    """(table, needle) for every tuple of ``record`` and ``conflict`` holding the person's data."""
    hits = []
    with world.db.engine.connect() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        for name in ("record", "conflict"):
            data = b"".join(bytes(row[0]) for row in conn.execute(sa.text(TUPLES), {"name": name}))
            hits += [(name, n) for n in NEEDLES if n.lower().encode() in data.lower()]
        conn.commit()
    return hits


def service_file_hits(world: World) -> list[tuple[str, str]]:
    if world.db.is_sqlite:
        with world.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        return byte_hits(Path(world.db.engine.url.database or ""))
    return tuple_hits(world)


def test_an_erasure_leaves_the_services_files(world: World) -> None:
    animator, supervisor = world.device(), world.device(role="supervisor")
    person = person_with_everything(animator.store)
    animator.engine.sync()
    supervisor.engine.sync()
    purger: Purger = world.server.app.state.purger
    runs = purger.runs
    assert service_file_hits(world), "the service's files hold the person before the erasure"
    # As the service's own checkpoints would have done by then: the person is in the main file.
    assert world.db.purge_deleted()

    erase_person(supervisor.store, person.contact.id, by=supervisor.user_id)
    supervisor.engine.sync()
    animator.engine.sync()
    assert purger.wait_idle(30)
    assert purger.runs > runs
    assert service_file_hits(world) == []
