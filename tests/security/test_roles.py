"""Every endpoint × every role, table-driven: the status each caller gets, and the scope it sees.

A route the table does not name fails ``test_the_table_names_every_endpoint``: a new endpoint needs
a deliberate decision about who may call it.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from fastapi.routing import APIRoute
from PIL import Image
from starlette.routing import Route

from sync.files_protocol import ERROR_HEADER, UPLOAD_MEDIA_TYPE
from sync.server.app import create_app
from tests.security.conftest import ROLES, Cast
from tests.security.helpers import batch, contact_change

Request = tuple[str, dict[str, Any] | bytes | None]  # path, JSON body (or an upload's bytes)
Builder = Callable[[Cast], Request]

PUBLIC = dict.fromkeys(ROLES, 200)
_GATE = {"anonymous": 401, "bad_token": 401, "revoked": 403}
ANY_DEVICE = {**PUBLIC, **_GATE}
PROGRAM_ROLES = {**ANY_DEVICE, "animator": 403, "library_staff": 403, "other_team": 403}
#: Acting on a user or device of program P: program Q's supervisor does not find it.
IN_PROGRAM_P = {**PROGRAM_ROLES, "other_program": 404}
#: Reaching a record of team A: team B's animator and program Q's supervisor do not find it.
IN_TEAM_A = {**ANY_DEVICE, "other_team": 404, "other_program": 404}
UPLOADS = {**IN_TEAM_A, **dict.fromkeys(("animator", "library_staff", "supervisor", "admin"), 204)}


def _fresh_animator_device(cast: Cast) -> str:
    return cast.enroll(cast.user("animator")).device_id


def _enroll(cast: Cast) -> Request:
    from sync.server import accounts

    code = accounts.create_enrollment(cast.server.db, cast.user("animator"), cast.url).code
    return "/v1/enroll", {"protocol": 1, "code": code, "device_id": uuid.uuid4().hex}


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, "JPEG")
    return out.getvalue()


#: A photo's bytes.
PHOTO = _jpeg()


def _photo_of_team_a(cast: Cast, data: bytes = PHOTO, *, uploaded: bool = True) -> tuple[str, str]:
    """A photo attached by team A's animator: its record pushed (and its bytes stored)."""
    sha, record_id = hashlib.sha256(data).hexdigest(), str(uuid.uuid4())
    change = contact_change()
    stamp = change["base_hlc"]
    fields = {"sha256": sha, "size": len(data), "mime": "image/jpeg", "owner_type": "contact",
              "owner_id": change["id"]}
    attachment = {"record_type": "attachment", "id": record_id, "fields": fields,
                  "hlcs": dict.fromkeys(fields, stamp), "full": True, "base_hlc": stamp}
    pushed = requests.post(cast.url + "/v1/push", json=batch(change, attachment),
                           headers=cast.headers("animator"), timeout=10)
    assert pushed.ok and all(r["status"] != "rejected" for r in pushed.json()["results"]), pushed.text
    address = f"{cast.url}/v1/files/{sha}?attachment={record_id}"
    held = requests.head(address, headers=cast.headers("animator"), timeout=10).headers.get("Upload-Offset")
    if uploaded and held != str(len(data)):  # the same bytes attached before are stored already
        sent = requests.patch(address, data=data,
                              headers={**cast.headers("animator"), "Upload-Offset": "0"}, timeout=10)
        assert sent.status_code == 204, sent.text
    return sha, record_id


def _file(suffix: str = "") -> Builder:
    def build(cast: Cast) -> Request:
        sha, record_id = _photo_of_team_a(cast)
        return f"/v1/files/{sha}{suffix}?attachment={record_id}", None
    return build


def _upload(cast: Cast) -> Request:
    """An upload of a whole new file at 0 (the body is its bytes)."""
    data = PHOTO + uuid.uuid4().bytes  # other bytes, another name (readers ignore what trails a JPEG)
    sha, record_id = _photo_of_team_a(cast, data, uploaded=False)
    return f"/v1/files/{sha}?attachment={record_id}", data


def _local_entry() -> dict[str, Any]:
    """One entry of a device's local audit log, as the app uploads it."""
    return {"id": 1, "at": "2026-11-20T10:00:00+00:00", "action": "viewed", "target_type": "contact",
            "target_id": str(uuid.uuid4())}


#: (method, path template) → (request builder, expected status per role).
TABLE: dict[tuple[str, str], tuple[Builder, dict[str, int]]] = {
    ("GET", "/health"): (lambda c: ("/health", None), PUBLIC),
    ("GET", "/openapi.json"): (lambda c: ("/openapi.json", None), PUBLIC),
    ("POST", "/v1/enroll"): (_enroll, PUBLIC),
    ("GET", "/v1/me"): (lambda c: ("/v1/me", None), ANY_DEVICE),
    ("POST", "/v1/push"): (lambda c: ("/v1/push", batch(contact_change())), ANY_DEVICE),
    ("GET", "/v1/pull"): (lambda c: ("/v1/pull?after=0&limit=10", None), ANY_DEVICE),
    ("GET", "/v1/conflicts"): (lambda c: ("/v1/conflicts", None), PROGRAM_ROLES),
    ("GET", "/v1/devices"): (lambda c: ("/v1/devices", None), PROGRAM_ROLES),
    ("POST", "/v1/devices/{device_id}/revoke"): (
        lambda c: (f"/v1/devices/{_fresh_animator_device(c)}/revoke", None),
        IN_PROGRAM_P,
    ),
    ("POST", "/v1/enrollments"): (
        lambda c: ("/v1/enrollments", {"user_id": c.user("animator")}),
        IN_PROGRAM_P,
    ),
    ("POST", "/v1/audit"): (lambda c: ("/v1/audit", {"entries": [_local_entry()]}), ANY_DEVICE),
    ("GET", "/v1/audit"): (lambda c: ("/v1/audit?limit=5", None), PROGRAM_ROLES),
    ("POST", "/v1/state"): (lambda c: ("/v1/state", {"pending": 0}), ANY_DEVICE),
    ("POST", "/v1/hashes"): (lambda c: ("/v1/hashes", {"records": []}), ANY_DEVICE),
    ("GET", "/v1/phones"): (lambda c: ("/v1/phones", None), PROGRAM_ROLES),
    # Only a revoked phone confirms its wipe; one in use is refused.
    ("POST", "/v1/wiped"): (
        lambda c: ("/v1/wiped", None),
        {**dict.fromkeys(ROLES, 403), "anonymous": 401, "bad_token": 401, "revoked": 200},
    ),
    # The file lane: through an attachment in the caller's scope (team A's here); outside it the
    # file is not found, as if it did not exist.
    ("GET", "/v1/files/{sha256}"): (_file(), IN_TEAM_A),
    ("GET", "/v1/files/{sha256}/thumbnail"): (_file("/thumbnail"), IN_TEAM_A),
    ("PATCH", "/v1/files/{sha256}"): (_upload, UPLOADS),
    ("HEAD", "/v1/files/{sha256}"): (_file(), IN_TEAM_A),
}

#: The error code that goes with a refusal, by role and status.
def _expected_code(role: str, status: int) -> str | None:
    if status == 401:
        return "unauthorized"
    if status == 403:
        return "device_revoked" if role == "revoked" else "forbidden"
    return {404: "not_found"}.get(status)


def _routes() -> set[tuple[str, str]]:
    app = create_app("sqlite://", migrate=False)
    found = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute | Route)
        for method in (route.methods or ())
        if method != "HEAD"
    }
    for path, operations in app.openapi()["paths"].items():
        found |= {(method.upper(), path) for method in operations}
    return found


def test_the_table_names_every_endpoint() -> None:
    assert _routes() == set(TABLE), "a new endpoint needs a row in TABLE (who may call it?)"
    assert all(set(expected) == set(ROLES) for _, expected in TABLE.values())


@pytest.mark.parametrize("endpoint", sorted(TABLE), ids=lambda e: f"{e[0]} {e[1]}")
def test_every_role_gets_its_status(cast: Cast, endpoint: tuple[str, str]) -> None:
    method, _ = endpoint
    build, expected = TABLE[endpoint]
    got: dict[str, tuple[int, str | None]] = {}
    for role in ROLES:
        path, body = build(cast)
        if method == "PATCH":  # the file lane's upload: bytes at an offset, not JSON
            headers = {**cast.headers(role), "Upload-Offset": "0", "Content-Type": UPLOAD_MEDIA_TYPE}
            answer = requests.patch(cast.url + path, data=body, headers=headers, timeout=10)
        else:
            answer = requests.request(
                method, cast.url + path, json=body, headers=cast.headers(role), timeout=10
            )
        if method == "HEAD":  # no body: the code of a refusal by the file lane is in a header
            code = answer.headers.get(ERROR_HEADER) or _expected_code(role, answer.status_code)
        else:
            code = answer.json().get("code") if answer.status_code >= 400 else None
        got[role] = (answer.status_code, code)
    assert got == {role: (status, _expected_code(role, status)) for role, status in expected.items()}


#: The refusal each program-wide route gives a field team's device (one check, a message per route).
REFUSALS = {
    ("GET", "/v1/conflicts"): "conflicts are for supervisors",
    ("GET", "/v1/devices"): "devices are for supervisors",
    ("POST", "/v1/devices/{device_id}/revoke"): "only supervisors and admins revoke devices",
    ("POST", "/v1/enrollments"): "only supervisors and admins enroll devices",
    ("GET", "/v1/audit"): "the audit log is for supervisors",
    ("GET", "/v1/phones"): "the phones' view is for supervisors",
}


def test_program_wide_routes_say_why_they_refuse(cast: Cast) -> None:
    program_wide = {e for e, (_, expected) in TABLE.items() if expected["animator"] == 403}
    assert set(REFUSALS) == program_wide - {("POST", "/v1/wiped")}
    got = {}
    for method, template in REFUSALS:
        path, body = TABLE[(method, template)][0](cast)
        headers = cast.headers("animator")
        answer = requests.request(method, cast.url + path, json=body, headers=headers, timeout=10)
        got[(method, template)] = (answer.status_code, answer.json())
    assert got == {e: (403, {"code": "forbidden", "message": m}) for e, m in REFUSALS.items()}


#: Supervisors may not act as an admin or another supervisor: (actor, target) → status.
ESCALATION = {
    ("supervisor", "animator"): 200,
    ("supervisor", "library_staff"): 200,
    ("supervisor", "self"): 200,
    ("supervisor", "supervisor"): 403,
    ("supervisor", "admin"): 403,
    ("admin", "supervisor"): 200,
    ("admin", "admin"): 200,
}


def _target(cast: Cast, actor: str, target: str) -> str:
    return cast.users[actor] if target == "self" else cast.user(target)


@pytest.mark.parametrize(("actor", "target"), sorted(ESCALATION))
def test_enrollment_codes_only_for_users_below(cast: Cast, actor: str, target: str) -> None:
    user = _target(cast, actor, target)
    answer = requests.post(
        f"{cast.url}/v1/enrollments", json={"user_id": user}, headers=cast.headers(actor), timeout=10
    )
    assert answer.status_code == ESCALATION[(actor, target)], answer.text


@pytest.mark.parametrize(
    ("actor", "target", "status"),
    [("supervisor", "supervisor", 200), ("supervisor", "admin", 403), ("admin", "admin", 200)],
)
def test_only_an_admin_revokes_an_admins_device(cast: Cast, actor: str, target: str, status: int) -> None:
    device = cast.enroll(cast.user(target)).device_id
    answer = requests.post(f"{cast.url}/v1/devices/{device}/revoke", headers=cast.headers(actor), timeout=10)
    assert answer.status_code == status, answer.text


def _pulled_ids(cast: Cast, role: str) -> set[str]:
    ids: set[str] = set()
    after = 0
    for _ in range(100):
        params = {"after": after, "limit": 500}
        answer = requests.get(f"{cast.url}/v1/pull", params=params, headers=cast.headers(role), timeout=10)
        page = answer.json()
        ids |= {r["id"] for r in page["records"]}
        if not page.get("has_more"):
            return ids
        after = page["cursor"]
    raise AssertionError("pull did not end")


def _push(cast: Cast, role: str, change: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{cast.url}/v1/push", json=batch(change), headers=cast.headers(role), timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]


def test_scope_of_records(cast: Cast) -> None:
    change = contact_change("Scoped Ala")
    assert _push(cast, "animator", change)["status"] == "applied"
    seen = {role: change["id"] in _pulled_ids(cast, role) for role in ROLES if role not in _GATE}
    assert seen == {
        "animator": True, "library_staff": True, "supervisor": True, "admin": True,
        "other_team": False, "other_program": False,
    }
    for stranger in ("other_team", "other_program"):
        edit = contact_change("Hijacked", change["id"], full=False)
        result = _push(cast, stranger, edit)
        assert (result["id"], result["status"], result["code"]) == (change["id"], "rejected", "out_of_scope")
    supervisor_view = requests.get(f"{cast.url}/v1/pull", headers=cast.headers("supervisor"), timeout=10)
    assert "Hijacked" not in supervisor_view.text


def test_scope_of_devices(cast: Cast) -> None:
    listed = requests.get(f"{cast.url}/v1/devices", headers=cast.headers("other_program"), timeout=10).json()
    assert {d["user_id"] for d in listed} == {cast.users["other_program"]}
    mine = requests.get(f"{cast.url}/v1/devices", headers=cast.headers("supervisor"), timeout=10).json()
    assert cast.users["other_program"] not in {d["user_id"] for d in mine}
