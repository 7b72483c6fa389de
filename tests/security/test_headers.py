"""Security headers on every answer (errors too), HSTS only over https, CORS closed by default."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from sync.server.local import start_local_server
from sync.server.security import HSTS, SECURITY_HEADERS, cors_origins
from tests.security.conftest import Cast
from tests.security.test_roles import TABLE


def _assert_hardened(answer: requests.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name) == value, (answer.request.url, name)
    assert "access-control-allow-origin" not in answer.headers
    assert answer.headers["server-timing"].startswith("app;dur=")
    assert "server" not in {k.lower() for k in answer.headers} or "uvicorn" not in answer.headers["server"]


@pytest.mark.parametrize("role", ["anonymous", "animator", "supervisor"])
def test_every_endpoint_answers_with_security_headers(cast: Cast, role: str) -> None:
    for (method, _), (build, _) in TABLE.items():
        path, body = build(cast)
        raw = body if isinstance(body, bytes) else None  # a file lane upload's bytes
        answer = requests.request(method, cast.url + path, json=None if raw else body, data=raw, timeout=10,
                                  headers={**cast.headers(role), "Origin": "https://evil.example"})
        _assert_hardened(answer)
        assert "strict-transport-security" not in answer.headers  # plain http


def test_error_answers_are_hardened_too(cast: Cast) -> None:
    not_found = requests.get(f"{cast.url}/nowhere", timeout=10)
    too_large = requests.post(f"{cast.url}/v1/push", data=b"x" * (9 * 2**20), timeout=10,
                              headers={"Content-Type": "application/json", **cast.headers("animator")})
    docs = requests.get(f"{cast.url}/docs", timeout=10)
    for answer in (not_found, too_large, docs):
        assert answer.status_code in (404, 413)
        _assert_hardened(answer)


def test_hsts_when_a_trusted_proxy_says_https(cast: Cast) -> None:
    answer = requests.get(f"{cast.url}/health", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert answer.headers["strict-transport-security"] == HSTS


def test_cors_preflight_is_refused_by_default(cast: Cast) -> None:
    preflight = requests.options(
        f"{cast.url}/v1/push",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization"},
        timeout=10,
    )
    assert preflight.status_code >= 400
    assert not any(k.lower().startswith("access-control-") for k in preflight.headers)


def test_cors_allows_only_configured_origins(tmp_path: Path) -> None:
    with start_local_server(tmp_path / "cors.db", allowed_origins="https://panel.teren.example, ") as server:
        ok = requests.options(f"{server.url}/v1/pull", timeout=10, headers={
            "Origin": "https://panel.teren.example", "Access-Control-Request-Method": "GET"})
        other = requests.get(f"{server.url}/health", headers={"Origin": "https://evil.example"}, timeout=10)
    server.db.dispose()
    assert ok.headers["access-control-allow-origin"] == "https://panel.teren.example"
    assert "access-control-allow-origin" not in other.headers
    assert other.headers["x-frame-options"] == "DENY"
    with pytest.raises(ValueError):
        cors_origins("*")
