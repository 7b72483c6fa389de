"""Service processes for tests: start on a free port, wait for /health, stop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], port: int, timeout: float = 30) -> subprocess.Popen[bytes]:
    """Run ``python <args>`` from the repository root and wait until it answers on ``port``."""
    return wait(launch(args), port, timeout)


def environment() -> dict[str, str]:
    """This process's environment, with the repository's code first on the path."""
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def launch(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=environment())


def wait(process: subprocess.Popen[bytes], port: int, timeout: float = 30) -> subprocess.Popen[bytes]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("service did not start")


def serve_args(db_url: str, port: int) -> list[str]:
    """The real ``teren-sync serve`` command."""
    return ["-m", "sync.server.cli", "--db", db_url, "serve", "--port", str(port), "--log-level", "warning"]


def serve(db_url: str, port: int) -> subprocess.Popen[bytes]:
    return start(serve_args(db_url, port), port)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
