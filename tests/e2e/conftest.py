"""Fixtures for end-to-end tests in headless Chromium (reusable by every team).

- ``browser``      the process's Chromium (``harness.shared_browser``), kept from one browser test to the
                   next; stopped before a test of another kind (tests/conftest.py).
- ``app_server``   a factory: ``app_server(prefill=fn, name="…")`` starts ``fieldapp --web`` on a free
                   port with a fresh data folder; ``prefill(store)`` fills the store first. Servers
                   stop at the end of the module that started them.
- ``app``          the module's shared server: filled by the module's ``prefill_store(store)``
                   function if it defines one.
- ``phone``        a new 412×860 page (a fresh app session) on ``app`` with semantics on: a
                   ``harness.Phone``.
- ``new_phone``    a factory for a phone on any server: ``new_phone(server)`` (``viewport=`` for
                   another size). Requests to any host but this machine are refused, and a test
                   that made one fails.

Tests in a module share the app's store: give records unique names, or start your own server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from fieldapp.store import Store
from tests.e2e.harness import CHROMIUM, PHONE, AppServer, Phone, block_external_requests, shared_browser

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are marked ``e2e`` and may run once more after a failure: a software-rendered
    Flutter page on a busy 2-core machine sometimes misses a timing; a test failing twice fails the
    run. (They run first, with the slow tests: tests/conftest.py.)"""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))


@pytest.fixture
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    return shared_browser()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., AppServer]]:
    servers: list[AppServer] = []

    def start(prefill: Callable[[Store], None] | None = None, name: str = "app") -> AppServer:
        data_dir = tmp_path_factory.mktemp(name)
        if prefill is not None:
            store = Store(data_dir / "teren.db")
            try:
                prefill(store)
            finally:
                store.close()
        server = AppServer(data_dir)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def app(request: pytest.FixtureRequest, app_server: Callable[..., AppServer]) -> AppServer:
    prefill = getattr(request.module, "prefill_store", None)
    return app_server(prefill=prefill, name=request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
def new_phone(browser: Browser) -> Iterator[Callable[..., Phone]]:
    """Phones whose every request to a host other than this machine is refused and recorded: the
    test fails on any (an offline phone has no CDN, no public tile server)."""
    contexts = []
    external: list[str] = []

    def open_phone(server: AppServer, path: str = "/", viewport: dict[str, int] | None = None) -> Phone:
        context = browser.new_context(viewport=viewport or PHONE, locale="pl-PL")
        contexts.append(context)
        block_external_requests(context, external)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return Phone(page).open(server.url + path)

    yield open_phone
    for context in contexts:
        context.close()
    assert not external, f"requests left the machine: {external}"


@pytest.fixture
def phone(app: AppServer, new_phone: Callable[[AppServer], Phone]) -> Phone:
    return new_phone(app)
