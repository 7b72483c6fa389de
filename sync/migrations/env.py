"""Alembic environment: runs on the connection handed over by ``sync.server.db.migrate``
(or on ``sqlalchemy.url`` when called from the ``alembic`` command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from sync.server.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as own:
        _run(own)
    engine.dispose()
