"""Drive the real app: ``fieldapp --web`` as a subprocess, Debian's Chromium through Playwright.

Reusable by every team (see ``tests/e2e/conftest.py`` for the fixtures):

- ``AppServer(data_dir).start()`` runs ``python -m fieldapp --web`` on a free port with that data
  folder; ``.store()`` opens the same SQLite file to check what the app wrote.
- ``Phone(page)`` is a 412×860 page with Flutter's semantics tree switched on: find controls by the
  label a screen reader reads (``tap("Zapisz")``, ``fill("Ulica", "Piotrkowska")``), read what is
  shown (``text()``, ``see("…")``), and count taps (``phone.taps``).

Flutter renders slowly in software: every helper waits for its element; never sleep.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
]
PHONE = {"width": 412, "height": 860}
REPO = Path(__file__).resolve().parents[2]
#: Generous: the first Flutter render in software rendering takes seconds on a busy CI machine.
TIMEOUT_MS = 30_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """``fieldapp --web`` on 127.0.0.1 with its own data folder."""

    def __init__(self, data_dir: Path, *, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.env = env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def log_path(self) -> Path:
        return self.data_dir / "logs" / "teren.log"

    def start(self, timeout_s: float = 60) -> AppServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "FLET_FORCE_WEB_SERVER": "1", **self.env}
        env.pop("TEREN_DATA_DIR", None)
        self.started_at = time.monotonic()
        self.output = open(self.data_dir / "server-output.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fieldapp",
                "--web",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            cwd=REPO,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready(timeout_s)
        return self

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"fieldapp exited with {self.process.returncode}: {self.server_output()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"fieldapp did not answer on {self.url}: {self.server_output()}")

    def server_output(self) -> str:
        path = self.data_dir / "server-output.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.output.close()
        self.process = None

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        """The app's own SQLite file, opened from the test (WAL lets both read and write)."""
        store = Store(self.db_path)
        try:
            yield store
        finally:
            store.close()

    def errors_logged(self) -> list[str]:
        """ERROR lines of the app's log (a test can assert there were none)."""
        if not self.log_path.exists():
            return []
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if " ERROR " in line]


class Phone:
    """A phone-sized page on the app, found and driven by accessible names."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.taps = 0

    def open(self, url: str) -> Phone:
        self.page.goto(url)
        placeholder = self.page.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached", timeout=60_000)
        placeholder.dispatch_event("click")  # switch on Flutter's accessibility tree
        self.page.get_by_role("tab").first.wait_for(timeout=60_000)
        return self

    # -- finding ----------------------------------------------------------------------------

    def button(self, name: str, *, exact: bool = False) -> Locator:
        return self.page.get_by_role("button", name=name, exact=exact)

    def field(self, label: str, *, exact: bool = False) -> Locator:
        return self.page.get_by_role("textbox", name=label, exact=exact)

    def by_label(self, name: str, role: str = "button", *, exact: bool = False) -> Locator:
        return self.page.get_by_role(role, name=name, exact=exact)  # type: ignore[arg-type]

    # -- acting (each tap counts) -----------------------------------------------------------

    def tap(self, name: str, *, role: str = "button", exact: bool = False, nth: int = 0) -> None:
        target = self.by_label(name, role, exact=exact).nth(nth)
        target.wait_for(timeout=TIMEOUT_MS)
        target.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
        target.click(timeout=TIMEOUT_MS)
        self.taps += 1

    def tap_tab(self, name: str) -> None:
        self.tap(name, role="tab")

    def tap_text(self, text: str) -> None:
        target = self.page.get_by_text(text).first
        target.wait_for(timeout=TIMEOUT_MS)
        target.click(timeout=TIMEOUT_MS)
        self.taps += 1

    def fill(self, label: str, text: str, *, exact: bool = False) -> None:
        """Type into the text field with this label (typing is not a tap)."""
        target = self.field(label, exact=exact).first
        target.wait_for(timeout=TIMEOUT_MS)
        target.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
        target.fill(text, timeout=TIMEOUT_MS)

    def type(self, label: str, text: str) -> None:
        """Type key by key (search-as-you-type)."""
        target = self.field(label).first
        target.wait_for(timeout=TIMEOUT_MS)
        target.click(timeout=TIMEOUT_MS)
        target.press_sequentially(text, delay=40, timeout=TIMEOUT_MS)

    def choose(self, field_label: str, option: str) -> None:
        """Pick ``option`` in a ChoiceField labelled ``field_label`` (two taps)."""
        self.tap(field_label)
        self.tap(option, exact=True)

    # -- reading ----------------------------------------------------------------------------

    def text(self) -> str:
        """All text the screen shows (what a screen reader could read)."""
        return self.page.locator("flt-semantics-host").inner_text()

    def see(self, text: str | re.Pattern[str], timeout_ms: int = TIMEOUT_MS) -> None:
        """Wait until ``text`` is shown somewhere on the screen."""
        expect(self.page.locator("flt-semantics-host")).to_contain_text(text, timeout=timeout_ms)

    def not_see(self, text: str, timeout_ms: int = TIMEOUT_MS) -> None:
        expect(self.page.locator("flt-semantics-host")).not_to_contain_text(text, timeout=timeout_ms)

    def value_of(self, label: str) -> str:
        return self.field(label).first.input_value(timeout=TIMEOUT_MS)

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))
