"""The store on a SQLite built without FTS5 and without R*Tree, as a phone's Python may have it.

Not a pretend probe: ``.ci/sqlite-minimal`` compiles SQLite's amalgamation (from npm's
better-sqlite3) with SQLite's defaults, which leave FTS5 and R*Tree out, and the store's, search's,
nearby and walk-list tests run again in a child process that loads that library through
``LD_LIBRARY_PATH`` (Python's ``_sqlite3`` links ``libsqlite3.so.0`` dynamically; checked below).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sqlite_build import HAS_FTS5, HAS_RTREE

ROOT = Path(__file__).resolve().parents[2]
#: Tests the child runs on the minimal library: the store, search, nearby, walk lists and what
#: writes through them (tests of an R*Tree's own workings skip themselves there).
ON_MINIMAL_SQLITE = [
    "tests/store/test_minimal_sqlite.py::test_this_run_has_neither_fts5_nor_rtree",
    "tests/store/test_search.py",
    "tests/store/test_write_path.py",
    "tests/store/test_bulk.py",
    "tests/store/test_sample.py",
    "tests/geo/test_nearby.py",
    "tests/geo/test_walk.py",
    "tests/services/test_contacts.py",
    "tests/services/test_visits.py",
    "tests/rodo/test_erasure.py",
]
PROBE = """
import json, sqlite3, tempfile
from pathlib import Path
from fieldapp.store import Store, raw
with tempfile.TemporaryDirectory() as folder:
    store = Store(Path(folder) / "t.db")
    with store.engine.connect() as conn:
        db = raw(conn)
        options = [row[0] for row in db.execute("PRAGMA compile_options")]
        schema = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE name IN "
                                 "('contact_search', 'geo_contact', 'ix_contact_lat_lon')").fetchall())
    store.close()
maps = Path("/proc/self/maps").read_text().splitlines()
print(json.dumps({"version": sqlite3.sqlite_version, "options": options, "schema": schema,
                  "libraries": sorted({line.split()[-1] for line in maps if "libsqlite3" in line})}))
"""


@pytest.fixture(scope="module")
def minimal_sqlite() -> Path:
    """The folder holding the minimal ``libsqlite3.so.0`` (built once, cached in var/)."""
    built = subprocess.run(
        ["bash", str(ROOT / ".ci" / "sqlite-minimal")], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stderr
    return (ROOT / built.stdout.strip().splitlines()[-1]).resolve()


def _env(library: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LD_LIBRARY_PATH": str(library),
        "PYTHONPATH": str(ROOT),
        "TEREN_MINIMAL_SQLITE": "1",
    }


@pytest.mark.slow
def test_the_child_loads_the_minimal_library_and_the_store_adapts(minimal_sqlite: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=_env(minimal_sqlite), capture_output=True, text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout.splitlines()[-1])
    assert found["libraries"] == [str(minimal_sqlite / "libsqlite3.so.0")]
    assert found["version"] == "3.53.2"
    assert not [o for o in found["options"] if o.startswith(("ENABLE_FTS", "ENABLE_RTREE", "ENABLE_GEOPOLY"))]
    # Search on the word-list table, nearby on the plain (lat, lon) index.
    assert found["schema"]["contact_search"].startswith("CREATE TABLE contact_search")
    assert "geo_contact" not in found["schema"]
    assert "ix_contact_lat_lon" in found["schema"]


@pytest.mark.slow
def test_store_search_nearby_and_walk_lists_pass_on_it(minimal_sqlite: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", *ON_MINIMAL_SQLITE],
        cwd=ROOT, env=_env(minimal_sqlite), capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout.splitlines()[-1]


@pytest.mark.skipif(os.environ.get("TEREN_MINIMAL_SQLITE") != "1", reason="only in the minimal SQLite run")
def test_this_run_has_neither_fts5_nor_rtree() -> None:
    assert not HAS_FTS5 and not HAS_RTREE
