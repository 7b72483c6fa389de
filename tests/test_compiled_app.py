"""The app as `flet build` packages it for a phone: the app's files compiled with ``compileall -b``
and their ``.py`` sources deleted (serious_python's ``package``, Flet's default), the service left
out. Whatever finds modules or files by name must still find them: the store's migrations, the
screens' registry, the catalogs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fieldapp.store.migrate import LATEST_VERSION
from tests import device_runtime as runtime

ROOT = runtime.ROOT
CHECK = """
import json, sys, tempfile
from pathlib import Path
import fieldapp, fieldapp.app
from fieldapp.i18n import t
from fieldapp.store import Store, raw
from fieldapp.ui import registry

assert not fieldapp.__file__.endswith(".py"), fieldapp.__file__
with tempfile.TemporaryDirectory() as folder:
    store = Store(Path(folder) / "teren.db")
    with store.engine.connect() as conn:
        tables = {row[0] for row in raw(conn).execute("SELECT name FROM sqlite_master")}
    version = store.schema_version
    store.close()
print(json.dumps({"version": version, "search": "contact_search" in tables,
                  "geocode_queue": "geocode_queue" in tables, "text": t("ui.contacts.empty"),
                  "routes": sorted(route.pattern for route in registry.routes())}))
"""


def _package(app: Path) -> None:
    """Copy what the phone gets (the device's sources and main.py), compile, delete the sources."""
    for top in runtime.DEVICE_SOURCES:
        shutil.copytree(ROOT / top, app / top, ignore=shutil.ignore_patterns("__pycache__"))
    for skipped in runtime.NOT_DEVICE_SOURCES:
        target = app / skipped
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    shutil.copy(ROOT / "main.py", app / "main.py")
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-b", str(app)], check=True, timeout=300)
    for source in app.rglob("*.py"):
        source.unlink()


@pytest.mark.slow
def test_the_compiled_app_migrates_a_store_and_finds_its_screens_and_texts(tmp_path: Path) -> None:
    app = tmp_path / "app"
    _package(app)
    assert not list(app.rglob("*.py")) and list((app / "fieldapp/store/migrations").glob("*.pyc"))
    env = {**os.environ, "PYTHONPATH": str(app)}
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["version"] == LATEST_VERSION
    assert found["search"] and found["geocode_queue"]
    assert found["text"] and found["text"] != "ui.contacts.empty"
    from fieldapp.ui import registry

    assert found["routes"] == sorted(route.pattern for route in registry.routes())
