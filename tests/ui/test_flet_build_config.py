"""`flet build apk|ipa` reads pyproject.toml: the settings must describe a phone app that installs and
runs. Checked against what Flet 1.0's build does with them (flet-cli's build_base.py, serious_python's
packaging: [project].dependencies plus [tool.flet.<platform>].dependencies, pip with
``--only-binary :all:`` from PyPI and Flet's mobile index) and against the code the phone runs."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from fieldapp.sync.enrollment import parse_enrollment
from tests import device_runtime as runtime

ROOT = runtime.ROOT
PHONES = ("android", "ios")


def test_entry_module_is_a_file_at_the_app_root() -> None:
    app = runtime.flet_settings()["app"]
    # flet build takes Path(module).stem + ".py" in the app folder (a dotted name does not work).
    entry = ROOT / app["path"] / f"{Path(app['module']).stem}.py"
    assert entry.is_file()
    assert "fieldapp.app import run" in entry.read_text(encoding="utf-8")


def test_identity() -> None:
    config = runtime.flet_settings()
    assert config["product"] == "Teren" and config["org"] and config["bundle_id"].count(".") >= 2


def test_every_package_the_device_imports_is_in_the_phone_runtime() -> None:
    packaged = runtime.closure()
    assert runtime.missing() == []
    for module, files in runtime.third_party_imports().items():
        dist = runtime.distribution_of(module)
        where = sorted(str(f.relative_to(ROOT)) for f in files)
        if module in runtime.OPTIONAL_ON_THE_PHONE:
            assert all("except ImportError" in f.read_text(encoding="utf-8") for f in files), where
            assert dist not in packaged, f"{dist} is in the phone's runtime: drop it from the optional list"
            continue
        assert dist is not None, f"{module} (imported by {where}) is installed by nothing here"
        assert dist in packaged, f"{dist} (imported by {where}) is not in the phone's dependencies"


def test_server_desktop_and_development_packages_stay_off_the_phone() -> None:
    packaged = runtime.closure()
    assert [name for name in runtime.NOT_ON_THE_PHONE if name in packaged] == []
    # ...and the device's code never imports them (qrcode: only the service makes QR codes).
    imported = {
        runtime.distribution_of(module)
        for module in runtime.third_party_imports()
        if module not in runtime.OPTIONAL_ON_THE_PHONE
    }
    assert imported.isdisjoint(runtime.NOT_ON_THE_PHONE)


def test_every_native_package_is_pinned_to_a_version_flets_mobile_index_provides() -> None:
    native = runtime.native_packages()
    assert set(native) == {"pydantic-core", "msgpack", "orjson", "pillow", "markupsafe"}  # the rest: pure
    for phone in PHONES:
        pins = runtime.phone_pins(phone)
        for name in native:
            assert name in runtime.FLET_MOBILE_INDEX, f"{name}: no Android/iOS wheel on Flet's index"
            assert pins.get(name) == runtime.FLET_MOBILE_INDEX[name], (phone, name)


def test_the_phone_pins_fit_the_base_dependencies_they_are_appended_to() -> None:
    """Flet appends the platform list to [project].dependencies: a base pin that excluded the
    mobile index's version would break the build even with the right pin beside it."""
    base = [Requirement(line) for line in runtime.pyproject()["project"]["dependencies"]]
    for phone in PHONES:
        for name, version in runtime.phone_pins(phone).items():
            for requirement in base:
                if canonicalize_name(requirement.name) == name:
                    assert requirement.specifier.contains(version, prereleases=True), (phone, name)
    assert runtime.phone_pins("android") == runtime.phone_pins("ios")


def test_permissions_are_declared_where_the_code_uses_them() -> None:
    config = runtime.flet_settings()
    # No cross-platform bundle: "location" adds background location and "camera" a camera nothing uses.
    assert "permissions" not in config
    android = {name for name, on in config["android"]["permission"].items() if on}
    imports = runtime.third_party_imports()
    expected = {"android.permission.INTERNET"}
    if "flet_geolocator" in imports:  # fieldapp/geo/gps.py: a fix while the app is in use
        expected |= {"android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_COARSE_LOCATION"}
    assert android == expected
    info = config["ios"].get("info", {})
    usage = {key for key in info if key.startswith("NS") and key.endswith("UsageDescription")}
    assert usage == ({"NSLocationWhenInUseUsageDescription"} if "flet_geolocator" in imports else set())
    # GPS helps but a position can be set by hand: the app installs on phones without it.
    assert config["android"]["feature"]["android.hardware.location.gps"] is False


def test_exports_need_no_storage_permission() -> None:
    """Exports go through the system's save or share dialog (the storage access framework on
    Android, the document picker on iOS): no permission to read or write shared storage."""
    declared = set(runtime.flet_settings()["android"]["permission"])
    assert not {name for name in declared if "EXTERNAL_STORAGE" in name or "MEDIA" in name}


def test_the_deep_link_opens_enrollment_qr_codes() -> None:
    link = runtime.flet_settings()["deep_linking"]
    url = f"{link['scheme']}://{link['host']}?server={quote('https://sync.example.pl', safe='')}&code=AB12"
    assert parse_enrollment(url) == ("https://sync.example.pl", "AB12")


def test_tests_and_the_server_are_not_packaged_into_the_phone_app() -> None:
    exclude = set(runtime.flet_settings()["app"]["exclude"])
    assert {".venv", "tests", "var", *runtime.NOT_DEVICE_SOURCES} <= exclude
    for path in runtime.NOT_DEVICE_SOURCES:
        assert (ROOT / path).exists(), path  # serious_python matches exact relative paths


def test_what_the_phone_runs_never_imports_what_is_left_out() -> None:
    left_out = tuple(path.removesuffix(".py").replace("/", ".") for path in runtime.NOT_DEVICE_SOURCES)
    for path in runtime.device_source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not any(name == gone or name.startswith(f"{gone}.") for gone in left_out), (path, name)


@pytest.mark.parametrize("target", ["apk", "aab", "ipa"])
def test_readme_builds_with_the_pinned_python(target: str) -> None:
    """Flet 1.0 takes the Python to bundle from ``--python-version`` or requires-python (>=3.11
    would mean 3.14): every build command in the README names the pinned one."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Build for Android and iOS", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(rf"^flet build {target}\b.*$", section, re.MULTILINE)
    assert commands, f"no `flet build {target}` command in the README"
    for command in commands:
        assert f"--python-version {runtime.PHONE_PYTHON}" in command
