"""The device profile: the app in a fresh virtual environment holding only what the phone installs.

The environment gets ``[project].dependencies`` plus ``[tool.flet.android].dependencies`` (the
phone's pins: pydantic 2.14.0a1 on pydantic-core 2.47.0, msgpack 1.1.2, orjson 3.11.9, installed
here as Linux wheels) — no server, desktop or development extra — and the app's source on the
path, as the phone has it. It imports every screen, opens a store, logs a visit at a new
organisation and syncs to a service running in this process (the main environment), once through
orjson and once through the standard library's json; a second device here pulls both.

The environment is cached in var/device-venv (rebuilt when the requirements change); pip installs
from its cache and .ci/constraints.txt's pins for everything the phone does not pin itself.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from fieldapp.model import Contact, Visit
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from sync.server import accounts
from sync.server.local import LocalServer, start_local_server
from tests import device_runtime as runtime

ROOT = runtime.ROOT
VENV = ROOT / "var" / "device-venv"
DEVICE = """
import importlib.util, json, sys
from pathlib import Path

# Pillow is on the phone (pyzbar reads the enrollment QR photo from it, fpdf2 draws with it); qrcode is not.
server_only = ["fastapi", "uvicorn", "starlette", "psycopg", "alembic", "qrcode", "faker", "backports"]
assert [name for name in server_only if importlib.util.find_spec(name)] == [], "a server package is here"

import fieldapp.app  # the app and every screen it can open
from fieldapp import jsonfast
from fieldapp.services import contacts, visits
from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine

folder, uri, name = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
store = Store(folder / "teren.db")
engine = SyncEngine(store, HttpTransport(timeout=30.0))
engine.enroll(uri)
place = contacts.create_contact(store, {"kind": "ngo", "name": name, "address": "Piotrkowska 104"})
visit = visits.log_visit(store, outcome="talked", contact_id=place.id, notes="Rozmowa o świetlicy")
receipt = engine.sync()
found = [c.id for c in store.search_contacts(name.split()[-1])]
store.close()
print(json.dumps({
    "orjson": jsonfast.FAST, "contact": place.id, "visit": visit.id, "applied": receipt.applied,
    "pending": receipt.still_pending, "found": found,
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & {"fastapi", "uvicorn", "qrcode", "PIL"}),
    "service_loaded": sorted(m for m in sys.modules if m.startswith(("sync.server", "sync.migrations"))),
}))
"""


def _requirements() -> list[str]:
    return [str(requirement) for requirement in runtime.requirements("android")]


def _constraints() -> list[str]:
    """.ci/constraints.txt less the packages the phone pins itself (those pins win)."""
    pinned = set(runtime.phone_pins("android"))
    lines = (ROOT / ".ci" / "constraints.txt").read_text(encoding="utf-8").splitlines()
    kept = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text and canonicalize_name(Requirement(text).name) not in pinned:
            kept.append(text)
    return kept


@pytest.fixture(scope="module")
def device_python() -> Iterator[Path]:
    """The device environment's interpreter (built once per change of the requirements; a lock file
    beside it keeps two test processes from building it at once)."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / "device-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield _built_device_venv()


def _built_device_venv() -> Path:
    wanted = json.dumps([sys.version, _requirements(), _constraints()])
    stamp = VENV / ".teren-device"
    python = VENV / "bin" / "python"
    if stamp.is_file() and stamp.read_text() == hashlib.sha256(wanted.encode()).hexdigest():
        return python
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, timeout=300)
    (VENV / "requirements.txt").write_text("\n".join(_requirements()) + "\n")
    (VENV / "constraints.txt").write_text("\n".join(_constraints()) + "\n")
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "-c", str(VENV / "constraints.txt"), "-r", str(VENV / "requirements.txt")],
        capture_output=True, text=True, timeout=900,
    )
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    stamp.write_text(hashlib.sha256(wanted.encode()).hexdigest())
    return python


@pytest.fixture
def service(tmp_path: Path) -> LocalServer:
    running = start_local_server(tmp_path / "service.db")
    yield running
    running.stop()
    running.db.dispose()


def _run_device(python: Path, folder: Path, uri: str, name: str, json_path: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("TEREN_JSON", "TEREN_DATA_DIR")}
    env.update(PYTHONPATH=str(ROOT), TEREN_JSON=json_path)
    done = subprocess.run(
        [str(python), "-c", DEVICE, str(folder), uri, name],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
def test_the_phone_runtime_runs_the_app_and_syncs(
    device_python: Path, service: LocalServer, tmp_path: Path
) -> None:
    versions = subprocess.run(
        [str(device_python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True, timeout=120,
    )
    installed = {canonicalize_name(p["name"]): p["version"] for p in json.loads(versions.stdout)}
    assert {name: installed.get(name) for name in runtime.phone_pins()} == runtime.phone_pins()
    assert not set(installed) & set(runtime.NOT_ON_THE_PHONE)

    team = accounts.create_team(service.db, "Zespół Bałuty")
    synced = {}
    for json_path, name in (("orjson", "Fundacja Ćma"), ("stdlib", "Stowarzyszenie Żuraw")):
        user = accounts.create_user(service.db, f"animator-{json_path}", "animator", team_id=team)
        folder = tmp_path / json_path
        folder.mkdir()
        uri = accounts.create_enrollment(service.db, user, service.url).uri
        result = _run_device(device_python, folder, uri, name, json_path)
        assert result["orjson"] is (json_path == "orjson")
        assert result["applied"] == 2 and result["pending"] == 0  # the organisation and its visit
        assert result["found"] == [result["contact"]]
        assert result["loaded"] == [] and result["service_loaded"] == []
        synced[name] = result

    # A supervisor's device in the main environment pulls what both phones sent.
    reader_user = accounts.create_user(service.db, "reader", "animator", team_id=team)
    reader = Store(tmp_path / "reader.db")
    try:
        engine = SyncEngine(reader, HttpTransport(timeout=30.0))
        engine.enroll(accounts.create_enrollment(service.db, reader_user, service.url).uri)
        engine.sync()
        for name, result in synced.items():
            contact = reader.get(Contact, result["contact"])
            visit = reader.get(Visit, result["visit"])
            assert contact is not None and contact.name == name
            assert visit is not None and visit.contact_id == contact.id
            assert visit.notes == "Rozmowa o świetlicy"
    finally:
        reader.close()
