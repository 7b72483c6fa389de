"""The file lane's HTTP (``sync.files_protocol``): bytes, not JSON, so apart from ``Transport``.

One exchange per call, not retried here: the lane (``fieldapp.sync.files``) resumes a cut transfer
from what arrived, and a file that keeps failing waits on its queue row.
"""

from __future__ import annotations

from collections.abc import Iterator

import requests

from fieldapp import jsonfast
from fieldapp.sync.errors import SyncError
from sync.files_protocol import ERROR_HEADER, LENGTH_HEADER, OFFSET_HEADER, UPLOAD_MEDIA_TYPE
from sync.protocol import PROTOCOL_VERSION

#: Bytes asked for per download read.
READ_CHUNK = 256 * 1024


class FileClient:
    """The file lane's HTTP exchanges (bytes, not JSON: apart from ``Transport``). Failures are
    ``SyncError`` with the service's code (``offline``/``timeout`` without an answer)."""

    def __init__(self, server: str, token: str, *, session: requests.Session | None = None,
                 timeout: float = 30.0) -> None:
        self.server = server.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}", "User-Agent": f"teren-app/{PROTOCOL_VERSION}"}

    def _url(self, sha: str, attachment_id: str, suffix: str = "") -> tuple[str, dict[str, str]]:
        return f"{self.server}/v1/files/{sha}{suffix}", {"attachment": attachment_id}

    def _send(self, method: str, sha: str, attachment_id: str, *, stream: bool = False,
              headers: dict[str, str] | None = None, data: bytes | None = None,
              suffix: str = "") -> requests.Response:
        url, params = self._url(sha, attachment_id, suffix)
        try:
            response = self.session.request(
                method, url, params=params, headers={**self.headers, **(headers or {})}, data=data,
                timeout=self.timeout, stream=stream, allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise SyncError("timeout", str(exc)) from exc
        except requests.RequestException as exc:
            raise SyncError("offline", str(exc)) from exc
        if response.status_code >= 400:
            raise _error(response)
        return response

    def offset(self, sha: str, attachment_id: str) -> tuple[int, int]:
        """``(bytes the service holds, the file's length)``."""
        answer = self._send("HEAD", sha, attachment_id)
        return int(answer.headers.get(OFFSET_HEADER, "0")), int(answer.headers.get(LENGTH_HEADER, "0"))

    def append(self, sha: str, attachment_id: str, offset: int, data: bytes) -> int:
        """Send ``data`` as the bytes from ``offset``; the bytes the service holds after."""
        answer = self._send(
            "PATCH", sha, attachment_id, data=data,
            headers={OFFSET_HEADER: str(offset), "Content-Type": UPLOAD_MEDIA_TYPE},
        )
        return int(answer.headers.get(OFFSET_HEADER, offset + len(data)))

    def fetch(self, sha: str, attachment_id: str, start: int = 0) -> Iterator[bytes]:
        """The file's bytes from ``start`` on."""
        headers = {"Range": f"bytes={start}-", "Accept-Encoding": "identity"} if start else {
            "Accept-Encoding": "identity"}
        answer = self._send("GET", sha, attachment_id, stream=True, headers=headers)
        if start and answer.status_code != 206:
            answer.close()
            raise SyncError("bad_response", "the service ignored the range", answer.status_code)
        try:
            yield from answer.iter_content(READ_CHUNK)
        except requests.RequestException as exc:
            raise SyncError("offline", str(exc)) from exc
        finally:
            answer.close()


def _error(response: requests.Response) -> SyncError:
    code, details = f"http_{response.status_code}", {}
    try:
        body = jsonfast.loads(response.content) if response.content else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        code = body["code"]
        details = {k: v for k, v in body.items() if k not in ("code", "message")}
    if response.headers.get(ERROR_HEADER):  # a HEAD answer's (it has no body)
        code = response.headers[ERROR_HEADER]
    return SyncError(code, str((body or {}).get("message", "")) if isinstance(body, dict) else "",
                     response.status_code, details=details)
