"""`flet build apk` reads [tool.flet] from pyproject.toml: keep it pointing at a real entry point."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def flet_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["flet"]


def test_entry_module_is_a_file_at_the_app_root() -> None:
    app = flet_config()["app"]
    # flet build takes Path(module).stem + ".py" in the app folder (a dotted name does not work).
    entry = ROOT / app["path"] / f"{Path(app['module']).stem}.py"
    assert entry.is_file()
    assert "fieldapp.app import run" in entry.read_text(encoding="utf-8")


def test_android_identity_and_permissions() -> None:
    config = flet_config()
    assert config["product"] == "Teren" and config["org"] and config["bundle_id"].count(".") >= 2
    assert {"location", "camera"} <= set(config["permissions"])
    android = config["android"]["permission"]
    for name in ("ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "CAMERA", "INTERNET"):
        assert android[f"android.permission.{name}"] is True


def test_tests_and_the_server_are_not_packaged_into_the_phone_app() -> None:
    exclude = set(flet_config()["app"]["exclude"])
    assert {".venv", "tests", "sync/server"} <= exclude
