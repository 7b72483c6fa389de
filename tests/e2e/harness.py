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
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    Route,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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
#: Pause after a tap before the next action (see ``Phone.tap``).
SETTLE_MS = 400
#: How long a field must keep the focus after a tap before typing into it.
FOCUS_SETTLE_MS = 250
#: A target counts as still when its position has not changed for this long and three frames.
STILL_MS = 100
STILL_WAIT_MS = 3_000
_HOLD_STILL_JS = """(element, [stillMs, waitMs]) => new Promise(resolve => {
    const start = performance.now();
    let last = "", since = start, frames = 0;
    const look = () => {
        const r = element.getBoundingClientRect(), now = performance.now();
        const at = [r.x, r.y, r.width, r.height].join();
        if (at !== last) { last = at; since = now; frames = 0; } else { frames += 1; }
        if ((frames >= 3 && now - since >= stillMs) || now - start >= waitMs) { resolve(); return; }
        requestAnimationFrame(look);
    };
    look();
})"""
#: The screen's text as a screen reader has it: visible text, labels (fields, messages) and typed values.
_SCREEN_TEXT_JS = """() => {
    const host = document.querySelector("flt-semantics-host");
    if (!host) return "";
    const parts = [host.innerText];
    host.querySelectorAll("[aria-label]").forEach((e) => parts.push(e.getAttribute("aria-label")));
    host.querySelectorAll("input, textarea").forEach((e) => parts.push(e.value));
    return parts.join("\\n");
}"""


_DIALOGS_JS = """() => [...document.querySelectorAll("flt-semantics[aria-label]")].filter(
    (e) => ["Okno dialogowe", "Dialog"].includes(e.getAttribute("aria-label"))).length"""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


_chromium: tuple[Playwright, Browser] | None = None


def shared_browser() -> Browser:
    """This process's Chromium, started by the first browser test and kept for the next ones."""
    global _chromium
    if _chromium is None:
        playwright = sync_playwright().start()
        try:
            _chromium = playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        except BaseException:
            playwright.stop()
            raise
    return _chromium[1]


def stop_shared_browser() -> None:
    """Close the Chromium and stop Playwright: while its sync API runs, its event loop counts as
    running in this thread, and ``asyncio.run`` fails there (tests/conftest.py stops it before any
    test that is not a browser test)."""
    global _chromium
    if _chromium is not None:
        playwright, browser = _chromium
        _chromium = None
        try:
            browser.close()
        finally:
            playwright.stop()


def is_external(url: str) -> bool:
    """A request that would leave this machine (data: and blob: URLs never do)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") not in LOOPBACK_HOSTS


def block_external_requests(context: BrowserContext, seen: list[str]) -> None:
    """Refuse every request of ``context`` to another host, and note its URL in ``seen``."""

    def route(request_route: Route) -> None:
        url = request_route.request.url
        if is_external(url):
            seen.append(url)
            request_route.abort("blockedbyclient")
        else:
            request_route.continue_()

    context.route("**/*", route)


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
        self.page.get_by_role("heading").first.wait_for(timeout=60_000)  # every screen has a title
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
        for attempt in range(3):
            if self._open_dialogs() and not self._appears(target, 2_000):
                # A stray tap of an earlier step (the screen still moving) opened a choice field's
                # dialog a moment later, over the form that holds this field.
                self._close_dialogs_above(0)
            self.reveal(target)
            try:
                target.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
                self._hold_still(target)
                target.click(timeout=TIMEOUT_MS)
                break
            except PlaywrightError as exc:  # rebuilt between finding and clicking: find it again
                if "not attached" not in str(exc) or attempt == 2:
                    raise
        self.taps += 1
        # A person's next touch comes a moment later; typing into a screen that the tap is still
        # rebuilding can lose the typed text in Flet web.
        self.page.wait_for_timeout(SETTLE_MS)

    def reveal(self, target: Locator) -> None:
        """Wait for ``target``; scroll the screen down meanwhile, since Flutter builds the accessible
        elements of a scrolled list only near the visible part."""
        size = self.page.viewport_size or {"width": 400, "height": 800}
        for _ in range(10):
            try:
                target.wait_for(timeout=2_000)
                return
            except PlaywrightTimeout:
                self.page.mouse.move(size["width"] / 2, size["height"] / 2)
                self.page.mouse.wheel(0, size["height"] / 2)
        try:
            target.wait_for(timeout=TIMEOUT_MS)
        except PlaywrightTimeout:
            raise AssertionError(f"{target} is not on screen; the screen says:\n{self.text()}") from None

    def _hold_still(self, target: Locator) -> None:
        """Wait until ``target`` has stopped moving on screen (at most ``STILL_WAIT_MS``).

        Bringing a field into view makes Flutter animate the scroll, starting a frame or more after
        the browser scrolled, and a click goes to whatever is under the element's position at that
        moment: a tap on a field while the form still moved hit "Zapisz" and saved the form
        half-filled (seen on a busy machine). Playwright's own check (two frames alike) comes too
        early for an animation that has not started yet.
        """
        target.evaluate(_HOLD_STILL_JS, [STILL_MS, STILL_WAIT_MS])

    def back(self, label: str = "Wstecz") -> None:
        """The app bar's back arrow (named by its tooltip)."""
        target = self.page.get_by_label(label, exact=True).first
        self.reveal(target)
        target.click(timeout=TIMEOUT_MS)
        self.taps += 1
        # As after a tap: keys typed while the previous screen is being replaced are lost.
        self.page.wait_for_timeout(SETTLE_MS)

    def tap_tab(self, name: str) -> None:
        self.tap(name, role="tab")

    def fill(self, label: str, text: str, *, exact: bool = False) -> None:
        """Type into the text field with this label as a person does: tap it, clear it, type.

        (Typing is not a tap.) Setting the DOM input's value directly can bypass Flutter's editing
        state, so the app may never receive the text.
        """
        self._enter(self.field(label, exact=exact).first, text, key_by_key=False)

    def type(self, label: str, text: str) -> None:
        """Type key by key (search-as-you-type)."""
        self._enter(self.field(label).first, text, key_by_key=True)

    def _enter(self, target: Locator, text: str, *, key_by_key: bool) -> None:
        """Tap ``target``, clear it and type ``text``, again if the field did not get all of it.

        Flutter may rebuild a field's input right after it appears (a section just shown), and a
        key pressed while focus is still moving to the field is lost ("ucja" for "lucja"), so the
        whole text is typed again rather than leaving the app with part of it.
        """
        for attempt in range(3):
            if self._open_dialogs() and not self._appears(target, 2_000):
                # A stray tap of an earlier step (the screen still moving) opened a choice field's
                # dialog a moment later, over the form that holds this field.
                self._close_dialogs_above(0)
            self.reveal(target)
            try:
                target.scroll_into_view_if_needed(timeout=TIMEOUT_MS)
                self._hold_still(target)
                dialogs = self._open_dialogs()
                target.click(timeout=TIMEOUT_MS)
                if not self._keeps_focus(target):
                    # The tap landed while the screen moved: typing now would go to another field,
                    # and a tap on a choice field opened its dialog over the form: close it first.
                    self._close_dialogs_above(dialogs)
                    target.focus(timeout=TIMEOUT_MS)
                    if not self._keeps_focus(target):
                        continue
                self.page.keyboard.press("Control+A")
                self.page.keyboard.press("Backspace")
                if text and key_by_key:
                    target.press_sequentially(text, delay=40, timeout=TIMEOUT_MS)
                elif text:
                    self.page.keyboard.insert_text(text)
                expect(target).to_have_value(text, timeout=1_000 * (attempt + 1))
                return
            except (AssertionError, PlaywrightError):
                continue
        expect(target).to_have_value(text, timeout=TIMEOUT_MS)

    @staticmethod
    def _has_focus(target: Locator) -> bool:
        return bool(target.evaluate("element => element === document.activeElement"))

    @staticmethod
    def _appears(target: Locator, timeout_ms: int) -> bool:
        try:
            target.wait_for(timeout=timeout_ms)
        except PlaywrightTimeout:
            return False
        return True

    def _open_dialogs(self) -> int:
        """How many dialogs are open: Flutter names a dialog's route ("Okno dialogowe", "Dialog")."""
        return int(self.page.evaluate(_DIALOGS_JS))

    def _close_dialogs_above(self, count: int) -> None:
        """Close the dialogs a stray tap opened (more than ``count`` open) with Escape, as a keyboard
        user would."""
        for _ in range(3):
            if self._open_dialogs() <= count:
                return
            self.page.keyboard.press("Escape")
            self.page.wait_for_timeout(FOCUS_SETTLE_MS)

    def _keeps_focus(self, target: Locator) -> bool:
        """Whether ``target`` has the focus and still has it a moment later. Flutter hit-tests a tap
        on its canvas after the browser focused the tapped input: a tap that landed while the
        screen still scrolled gives the focus to the field then under the finger (CI typed the
        street into "who took the consent"), a moment after the input seemed focused."""
        if not self._has_focus(target):
            return False
        self.page.wait_for_timeout(FOCUS_SETTLE_MS)
        return self._has_focus(target)

    def choose(self, field_label: str, option: str) -> None:
        """Pick ``option`` in a ChoiceField labelled ``field_label`` (two taps)."""
        self.tap(field_label)
        self.tap(option, exact=True)

    # -- reading ----------------------------------------------------------------------------

    def text(self) -> str:
        """All text the screen shows or announces (what a screen reader could read)."""
        return self.page.evaluate(_SCREEN_TEXT_JS)

    def see(self, text: str | re.Pattern[str], timeout_ms: int = TIMEOUT_MS) -> None:
        """Wait until ``text`` is shown (or announced, e.g. a field's label or a message) on screen."""
        self._wait_text(text, present=True, timeout_ms=timeout_ms)

    def not_see(self, text: str, timeout_ms: int = TIMEOUT_MS) -> None:
        self._wait_text(text, present=False, timeout_ms=timeout_ms)

    def _wait_text(self, text: str | re.Pattern[str], *, present: bool, timeout_ms: int) -> None:
        pattern = text.pattern if isinstance(text, re.Pattern) else re.escape(text)
        flags = "i" if isinstance(text, re.Pattern) and text.flags & re.IGNORECASE else ""
        try:
            self.page.wait_for_function(
                f"([source, flags, present]) => "
                f"new RegExp(source, flags).test(({_SCREEN_TEXT_JS})()) === present",
                arg=[pattern, flags, present],
                timeout=timeout_ms,
            )
        except PlaywrightTimeout:
            state = "shown" if present else "gone"
            screen = self.text()
            raise AssertionError(f"expected {text!r} to be {state}; the screen says:\n{screen}") from None

    def expect_value(self, label: str, value: str) -> None:
        """Wait until the field with this label holds ``value`` (the screen updates after a tap)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while (current := self.value_of(label)) != value and time.monotonic() < deadline:
            time.sleep(0.25)
        assert current == value, f"{label!r} holds {current!r}, expected {value!r}"

    def value_of(self, label: str) -> str:
        """The text in a field now. Flutter web refreshes a field's DOM input only while it has focus
        (the canvas shows the value the app set, the input may keep the last typed one), so focus it."""
        target = self.field(label).first
        target.focus(timeout=TIMEOUT_MS)
        return target.input_value(timeout=TIMEOUT_MS)

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path))
