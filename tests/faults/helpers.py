"""Checks shared by the fault tests: what the service holds for a program, per record; and the
machine's PostgreSQL cluster, restarted (``pg_ctlcluster``, as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import sqlalchemy as sa

from fieldapp.i18n import LANGUAGES, catalogs
from sync.server import tables as t
from sync.server.db import Database


def service_records(db: Database, program_id: str, record_type: str) -> dict[str, dict[str, Any]]:
    query = sa.select(t.record.c.id, t.record.c.data).where(
        (t.record.c.program_id == program_id) & (t.record.c.record_type == record_type)
    )
    with db.read() as conn:
        return {row.id: row.data for row in conn.execute(query)}


def explained(code: str) -> bool:
    """The sync screen has plain words for this error code in every language."""
    key = f"sync.error.{code}"
    return all(key in catalogs()[lang] for lang in LANGUAGES)


def postgres_cluster() -> tuple[str, str] | None:
    """Version and name of the Debian cluster on port 5432, when this process may restart it."""
    if os.geteuid() != 0 or shutil.which("pg_ctlcluster") is None:
        return None
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout
    for line in listing.splitlines():
        version, name, port, *_ = line.split()
        if port == "5432":
            return version, name
    return None


def restart_postgres(cluster: tuple[str, str]) -> None:
    """Restart the cluster (every connection to it is dropped, other tests' too)."""
    subprocess.run(["pg_ctlcluster", *cluster, "restart"], check=True, timeout=120)
