"""File lane benchmark: photos uploaded by one device and downloaded by another through a real
``teren-sync serve`` process on SQLite, and a cut upload and a cut download resumed.

    .venv/bin/python tests/benchmarks/files.py [--quick]

Prints the figures, the last line as JSON: ``files_upload_mb_per_s``, ``files_download_mb_per_s``
(MiB of file bytes per second, the lane as the app runs it: chunked ``PATCH`` of 1 MiB, streamed
``GET``), ``files_resume_ok`` (a cut upload went on from the offset the service reported and a
cut download from the bytes kept, each sending only the rest, and both files arrived whole).
``--quick``: 4 files of 2 MiB (a few seconds); else 10 files of 6 MiB (phone photos are 2-6 MB).
``tests/benchmarks/sync.py`` runs the quick version and includes its keys.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from fieldapp.services.actions import create_action  # noqa: E402
from fieldapp.services.attachments import attach_file  # noqa: E402
from fieldapp.store import Store, blobs  # noqa: E402
from fieldapp.sync import HttpTransport, SyncEngine  # noqa: E402
from fieldapp.sync.file_client import FileClient  # noqa: E402
from fieldapp.sync.files import FileLane  # noqa: E402
from sync.files_protocol import OFFSET_HEADER, UPLOAD_MEDIA_TYPE  # noqa: E402
from sync.server import accounts  # noqa: E402
from sync.server.db import Database  # noqa: E402

MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(db: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = (folder / "service.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from sync.server.cli import main; sys.exit(main())",
         "--db", db, "serve", "--port", str(port), "--log-level", "warning", "--no-access-log",
         "--files-dir", str(folder / "service-files")],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((folder / "service.log").read_text()[-2000:])
        try:
            if requests.get(f"{url}/health", timeout=1).ok:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the service did not start")


def device(db: Database, folder: Path, name: str, url: str, team: str) -> SyncEngine:
    user = accounts.create_user(db, name, "animator", team_id=team)
    engine = SyncEngine(Store(folder / f"{name}.db"), HttpTransport(backoff=0.05, retries=2))
    engine.enroll(accounts.create_enrollment(db, user, url).uri)
    return engine


def hold(engine: SyncEngine, direction: str, shas: list[tuple[str, str]]) -> None:
    """Keep the lane from moving these files (a retry time far ahead)."""
    with engine.store.write() as conn:
        for sha, attachment_id in shas:
            conn.exec_driver_sql(
                "INSERT INTO file_transfer (sha256, direction, attachment_id, next_try_at) "
                "VALUES (?, ?, ?, 1e12) "
                "ON CONFLICT (sha256, direction) DO UPDATE SET next_try_at = 1e12",
                (sha, direction, attachment_id),
            )


def release(engine: SyncEngine, direction: str) -> None:
    with engine.store.write() as conn:
        if direction == "up":
            conn.exec_driver_sql("UPDATE file_transfer SET next_try_at = 0 WHERE direction = 'up'")
        else:
            conn.exec_driver_sql("DELETE FROM file_transfer WHERE direction = 'down'")


def photo_bytes(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)  # a JPEG's signature, then noise (incompressible)


def cut_upload(url: str, token: str, sha: str, attachment_id: str, data: bytes, sent: int) -> None:
    parts = urlsplit(url)
    head = (
        f"PATCH /v1/files/{sha}?attachment={attachment_id} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Bearer {token}\r\n{OFFSET_HEADER}: 0\r\nContent-Type: {UPLOAD_MEDIA_TYPE}\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head.encode() + data[:sent])


def run(quick: bool = True) -> dict[str, Any]:
    count, size = (4, 2 * MIB) if quick else (10, 6 * MIB)
    with tempfile.TemporaryDirectory(prefix="teren-files-bench-") as tmp:
        folder = Path(tmp)
        db_path = str(folder / "service.db")
        db = Database(db_path)
        db.migrate()
        program = accounts.create_program(db, "Bench")
        team = accounts.create_team(db, "Team", program_id=program)
        process, url = start_service(db_path, folder)
        try:
            sender = device(db, folder, "sender", url, team)
            receiver = device(db, folder, "receiver", url, team)
            action = create_action(sender.store, {"title": "Festyn"})
            made = [
                attach_file(sender.store, "action", action.id, photo_bytes(size)) for _ in range(count + 1)
            ]
            cut = made[0]  # kept back for the cut; the others are timed
            hold(sender, "up", [(a.sha256, a.id) for a in made])
            sender.sync()  # the records only

            release(sender, "up")
            hold(sender, "up", [(cut.sha256, cut.id)])
            begun = time.perf_counter()
            up = sender.sync_files()
            up_s = time.perf_counter() - begun
            assert up.uploaded == count and not up.failed, up

            hold(receiver, "down", [(a.sha256, a.id) for a in made])
            receiver.sync()
            release(receiver, "down")
            hold(receiver, "down", [(cut.sha256, cut.id)])
            begun = time.perf_counter()
            down = receiver.sync_files()
            down_s = time.perf_counter() - begun
            assert down.downloaded == count and not down.failed, down

            # A cut in the middle of each direction, then the lane goes on.
            data = blobs.read(sender.store, cut.sha256)
            token = sender.vault.read() or ""
            cut_upload(url, token, cut.sha256, cut.id, data, size // 2)
            time.sleep(0.2)
            client = FileClient(url, token)
            offset, _length = client.offset(cut.sha256, cut.id)
            release(sender, "up")
            resumed_up = FileLane(sender.store, client).run()
            client_b = FileClient(url, receiver.vault.read() or "")
            chunks = client_b.fetch(cut.sha256, cut.id)
            blobs.append_partial(receiver.store, cut.sha256, [next(chunks)])
            chunks.close()
            kept = blobs.partial_size(receiver.store, cut.sha256)
            with receiver.store.write() as conn:
                conn.exec_driver_sql("DELETE FROM file_transfer")
            resumed_down = FileLane(receiver.store, client_b).run()
            resume_ok = (
                0 < offset < size and resumed_up.uploaded == 1 and resumed_up.bytes_up == size - offset
                and 0 < kept < size and resumed_down.downloaded == 1
                and resumed_down.bytes_down == size - kept
                and blobs.read(receiver.store, cut.sha256) == data
            )
            sender.store.close()
            receiver.store.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
            db.dispose()
    total_mib = count * size / MIB
    return {
        "files_count": count,
        "files_size_mib": size / MIB,
        "files_upload_mb_per_s": round(total_mib / up_s, 1),
        "files_download_mb_per_s": round(total_mib / down_s, 1),
        "files_resume_ok": bool(resume_ok),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 files of 2 MiB instead of 10 of 6 MiB")
    args = parser.parse_args()
    result = run(quick=args.quick)
    print(
        f"upload {result['files_upload_mb_per_s']} MiB/s, download {result['files_download_mb_per_s']} "
        f"MiB/s, resume {'ok' if result['files_resume_ok'] else 'FAILED'}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
