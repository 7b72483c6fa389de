"""The real ``teren-sync serve`` logging in JSON at debug level while devices enroll, push
residents' data, pull, and get things wrong: every line is JSON with its request's id, and no
token, enrollment code or personal data reaches the log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import requests

from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine
from sync.protocol import PROTOCOL_VERSION
from sync.server import accounts
from sync.server.db import Database
from tests.sync.helpers import add_contact
from tests.sync.processes import ROOT, free_port, stop, wait

PERSONAL = {
    "name": "Zofia Przybylska-Wrona",
    "phone": "+48 601 234 567",
    "email": "zofia.wrona@example.pl",
    "address": "ul. Piotrkowska 104 m. 7",
    "notes": "Opiekuje się chorą matką; prosi o kontakt po 18:00",
}


def test_logs_are_json_with_request_ids_and_hold_no_secrets_or_personal_data(
    service_db: str, tmp_path: Path
) -> None:
    db = Database(service_db)
    db.migrate()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_file = tmp_path / "service.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TEREN_SYNC_DB": service_db,
        "TEREN_SYNC_PORT": str(port),
        "TEREN_SYNC_LOG_FORMAT": "json",
        "TEREN_SYNC_LOG_LEVEL": "debug",
    }
    with log_file.open("wb") as sink:
        service = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "serve"], cwd=ROOT, env=env, stderr=sink, stdout=sink
        )
    secrets: list[str] = []
    ids: set[str] = set()
    store = Store(tmp_path / "device.db")
    try:
        wait(service, port)
        team = accounts.create_team(db, "Zespół Śródmieście", program="Łódź 2026")
        user = accounts.create_user(db, "Anna", "animator", team_id=team)
        made = accounts.create_enrollment(db, user, url)
        secrets.append(made.code)
        engine = SyncEngine(store, HttpTransport(backoff=0.01, retries=1, timeout=10.0))
        engine.enroll(made.uri)
        token = engine.vault.read() or ""
        secrets.append(token)
        add_contact(store, PERSONAL["name"], **{k: v for k, v in PERSONAL.items() if k != "name"})
        engine.sync()
        engine.sync()

        def call(method: str, path: str, **kwargs: object) -> requests.Response:
            answer = requests.request(method, url + path, timeout=10, **kwargs)  # type: ignore[arg-type]
            ids.add(answer.headers["x-request-id"])
            return answer

        bearer = {"Authorization": f"Bearer {token}"}
        wrong_token = "Bearer " + uuid.uuid4().hex + "x" * 20
        secrets.append(wrong_token.split()[1])
        assert call("GET", "/v1/me", headers={"Authorization": wrong_token}).status_code == 401
        assert call("GET", f"/v1/pull?after=0&token={token}", headers=bearer).status_code == 200
        other = accounts.create_enrollment(db, user, url).code
        secrets.append(other)
        guess = other[: other.index("-") + 1] + "A" * (len(other) - other.index("-") - 1)
        secrets.append(guess)
        enroll = {"protocol": PROTOCOL_VERSION, "code": guess, "device_id": "x"}
        refused = call("POST", "/v1/enroll", json=enroll)
        assert refused.status_code >= 400
        bad = {
            "protocol": PROTOCOL_VERSION,
            "batch_id": uuid.uuid4().hex,
            "changes": [
                {"record_type": "contact", "id": str(uuid.uuid4()), "full": True,
                 "fields": {"kind": "resident", "name": PERSONAL["name"],
                            "email": "not-an-email " + PERSONAL["phone"]},
                 "hlcs": {}, "base_hlc": "0000000000000000-00000001"},
            ],
        }
        assert call("POST", "/v1/push", json=bad, headers=bearer).status_code == 200
        assert call("POST", "/v1/push", data=b"{" + PERSONAL["email"].encode(), headers={
            **bearer, "Content-Type": "application/json"}).status_code >= 400
        assert call("GET", "/health", headers={"X-Request-ID": "caddy-1234"}).status_code == 200
        ids.add("caddy-1234")
    finally:
        stop(service)
        store.close()
        db.dispose()

    text = log_file.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert lines, "the service logged nothing"
    assert all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)
    requests_logged = [line for line in lines if line["logger"] == "sync.server.access"]
    assert ids <= {line["request_id"] for line in requests_logged}
    assert {"method", "route", "status", "duration_ms"} <= set(requests_logged[0])
    for secret in [*secrets, *PERSONAL.values()]:
        assert secret not in text, f"{secret!r} reached the log"
    assert "Bearer" not in text
