"""Alembic migrations of the sync service's database (SQLite and PostgreSQL); run by ``sync.server.db``."""
