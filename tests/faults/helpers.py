"""Checks shared by the fault tests: what the service holds for a program, per record; a throw-away
PostgreSQL cluster of the test's own, which it may restart (``throwaway_cluster``); and the machine's
Debian cluster, restarted (``pg_ctlcluster``, as root; the load benchmark's ``--faults``)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from fieldapp.i18n import LANGUAGES, catalogs
from sync.server import tables as t
from sync.server.db import Database
from tests.sync.conftest import PgDatabase, create_pg_database
from tests.sync.processes import free_port


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


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl): Debian's newest, else the PATH's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


class Cluster:
    """A PostgreSQL cluster of one test's own on a free port of 127.0.0.1 (trust authentication):
    restarting it drops no other test's connections. Run as the ``postgres`` user when root (the
    server refuses to run as root)."""

    def __init__(self, bin_dir: Path, folder: Path) -> None:
        self.bin_dir, self.folder, self.port = bin_dir, folder, free_port()
        self.data = folder / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_postgres, str(self.bin_dir / program), *args],
            capture_output=True, text=True, timeout=120, check=False,
        )
        assert done.returncode == 0, f"{program} {args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"

    def _pg_ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                  "-t", "60", "-o", options, *args)

    def start(self) -> Cluster:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        self._pg_ctl("start")
        return self

    def restart(self) -> None:
        """Stop the server (fast: every connection is dropped) and start it again; returns once it
        accepts connections."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")

    def create_database(self) -> PgDatabase:
        return create_pg_database(self.admin_url)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A fresh cluster, stopped and deleted afterwards. Its folder is outside pytest's temporary
    folders (those are private to root, and the server runs as ``postgres``)."""
    import pytest

    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runs as root without runuser: cannot start PostgreSQL as the postgres user")
    folder = Path(tempfile.mkdtemp(prefix="teren-pg-"))
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        cluster = Cluster(bin_dir, folder).start()
        try:
            yield cluster
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
