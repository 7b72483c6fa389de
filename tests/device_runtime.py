"""The device runtime as `flet build apk|ipa` assembles it from pyproject.toml, read against this
environment's installed packages: which distributions it holds, which of them are native, and the
third-party modules the device's code imports. Shared by tests/ui/test_flet_build_config.py, the
device-profile test and tests/benchmarks/device.py.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]

#: Native wheels on Flet's mobile index (pypi.flet.dev): the versions flet-dev/mobile-forge's recipes
#: build (recipes/<name>/meta.yaml at commit 39207ab, 2026-08-21), for Python 3.12-3.14 on Android
#: and iOS. The ones the device runtime could come near; the index holds many more.
FLET_MOBILE_INDEX: dict[str, str] = {
    "pydantic-core": "2.47.0",
    "msgpack": "1.1.2",
    "orjson": "3.11.9",
    "sqlalchemy": "2.0.50",
    "greenlet": "3.5.1",
    "markupsafe": "3.0.3",
    "pillow": "12.2.0",
    "pyzbar": "0.1.9",
    "zstandard": "0.25.0",
    "websockets": "16.0",
    "pyyaml": "6.0.3",
}

#: Installed here as compiled wheels, but with a py3-none-any wheel on PyPI that the phone's pip
#: (``--only-binary :all:`` for an Android or iOS platform tag) takes instead (checked with
#: ``pip download --platform android_24_arm64_v8a``).
PURE_WHEEL_TOO: dict[str, str] = {
    "sqlalchemy": "its C extensions are optional; sqlalchemy-2.1.9-py3-none-any.whl",
    "charset-normalizer": "mypyc builds beside charset_normalizer-3.5.2-py3-none-any.whl",
    "fonttools": "its Cython speed-ups are optional; fonttools-4.68.0-py3-none-any.whl",
}

#: Modules the device imports only where installed (inside ``try: … except ImportError``), with the
#: plain path it takes without them: not in the phone's runtime (a native part its index lacks).
OPTIONAL_ON_THE_PHONE = {
    "pyzipper": "AES zip of a person's access export (pycryptodomex is native); without it a plain zip, "
    "and the screen says to hand it over in person (fieldapp/services/rodo/handover.py)",
    "compression": "Python 3.14's zstd packs push bodies (fieldapp/sync/push.py); gzip without it",
    "backports": "backports.zstd, the same zstd before Python 3.14 (desktop and tests; not on Flet's "
    "mobile index): push bodies in gzip without it",
}

#: Packages only the service, the desktop or development use: never in the phone's runtime.
NOT_ON_THE_PHONE = (
    "fastapi", "starlette", "uvicorn", "psycopg", "psycopg-binary", "alembic", "qrcode",
    "faker", "backports-zstd", "flet-desktop", "flet-web", "pytest", "playwright", "zxing-cpp",
)

#: The phone's Python (README, "Build for Android and iOS": ``--python-version 3.12``).
PHONE_PYTHON = "3.12"

#: Source the phone runs: the app and the modules both ends share (``[tool.flet.app].exclude``
#: leaves the service out; ``fieldapp.demo`` and ``fieldapp.sample`` serve teren-demo and
#: teren-sample on a desktop, never the app).
DEVICE_SOURCES = ("fieldapp", "sync")
NOT_DEVICE_SOURCES = (
    "sync/server", "sync/migrations", "fieldapp/demo.py", "fieldapp/sample", "fieldapp/web.py",
    "fieldapp/__main__.py",
)


@cache
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def flet_settings() -> dict:
    return pyproject()["tool"]["flet"]


def requirements(platform: str = "android") -> list[Requirement]:
    """What Flet hands pip for ``platform``: ``[project].dependencies``, then
    ``[tool.flet.<platform>].dependencies`` appended."""
    listed = [*pyproject()["project"]["dependencies"], *flet_settings()[platform].get("dependencies", [])]
    return [Requirement(line) for line in listed]


def phone_pins(platform: str = "android") -> dict[str, str]:
    """``name == version`` pins of ``[tool.flet.<platform>].dependencies``."""
    pins = {}
    for line in flet_settings()[platform].get("dependencies", []):
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", line
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def _marker_environment() -> dict[str, str]:
    phone = {"python_version": PHONE_PYTHON, "python_full_version": f"{PHONE_PYTHON}.0"}
    return {**default_environment(), **phone}


@cache
def closure(platform: str = "android") -> dict[str, metadata.Distribution]:
    """The installed distributions the phone's requirements reach (markers read for its Python),
    by canonical name. A requirement not installed here is left out (``missing`` names them)."""
    found: dict[str, metadata.Distribution] = {}
    pending = [(requirement, frozenset()) for requirement in requirements(platform)]
    environment = _marker_environment()
    while pending:
        requirement, extras = pending.pop()
        wanted = [{**environment, "extra": extra} for extra in extras or {""}]
        if requirement.marker is not None and not any(requirement.marker.evaluate(e) for e in wanted):
            continue
        name = canonicalize_name(requirement.name)
        if name in found and not requirement.extras:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[name] = dist
        for line in dist.requires or []:
            pending.append((Requirement(line), frozenset(requirement.extras)))
    return found


def missing(platform: str = "android") -> list[str]:
    """Requirements of the phone that this environment does not have installed at all."""
    environment = _marker_environment()
    gone = []
    for requirement in requirements(platform):
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        try:
            metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            gone.append(requirement.name)
    return gone


def is_pure(dist: metadata.Distribution) -> bool:
    """Whether the installed wheel is pure Python (``Root-Is-Purelib`` and only ``-none-any`` tags);
    for an install without a WHEEL file: whether it holds no compiled extension."""
    wheel = dist.read_text("WHEEL")
    if wheel is None:
        return not any(str(f).endswith((".so", ".pyd", ".dylib")) for f in dist.files or [])
    fields = [line.split(":", 1) for line in wheel.splitlines() if ":" in line]
    purelib = any(k.strip() == "Root-Is-Purelib" and v.strip() == "true" for k, v in fields)
    tags = [v.strip() for k, v in fields if k.strip() == "Tag"]
    return purelib and all(tag.endswith("-none-any") for tag in tags)


def native_packages(platform: str = "android") -> dict[str, str]:
    """The runtime's distributions that are not pure Python on the phone: ``{name: version}``,
    the version the phone gets (its pin) where pinned, else the one installed here."""
    pins = phone_pins(platform)
    return {
        name: pins.get(name, dist.version)
        for name, dist in sorted(closure(platform).items())
        if not is_pure(dist) and name not in PURE_WHEEL_TOO
    }


def device_source_files() -> list[Path]:
    """The Python files the phone runs (``DEVICE_SOURCES`` less ``NOT_DEVICE_SOURCES``)."""
    skipped = [ROOT / part for part in NOT_DEVICE_SOURCES]
    files = []
    for top in DEVICE_SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            if not any(path == s or s in path.parents for s in skipped):
                files.append(path)
    return files


@cache
def third_party_imports() -> dict[str, set[Path]]:
    """Top-level names of the modules outside the standard library and this project that the
    device's source imports anywhere (inside functions too), with the files importing each."""
    local = {"fieldapp", "sync"}
    found: dict[str, set[Path]] = {}
    for path in device_source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in local and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(path)
    return found


@cache
def _providers() -> dict[str, list[str]]:
    return metadata.packages_distributions()  # reads every installed distribution's file list


def distribution_of(module: str) -> str | None:
    """The canonical name of the installed distribution that provides a top-level module."""
    names = _providers().get(module)
    return canonicalize_name(names[0]) if names else None
