"""Screenshots of the main screens at 412×860, for a person to look at (not committed).

    .venv/bin/python -m tests.e2e.screenshots [--out DIR] [--lang pl|en]

Starts ``fieldapp --web`` on a demo store (``tests.e2e.sample.demo``) in a temporary folder,
opens each main screen in headless Chromium and writes ``NN-name.png`` files into DIR
(default ``screenshots/``, ignored by git).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from fieldapp.i18n import t
from fieldapp.store import Store
from tests.e2e.harness import CHROMIUM, CHROMIUM_FLAGS, PHONE, AppServer, Phone
from tests.e2e.sample import demo

#: (file name, route, catalog key of a text to wait for before the shot).
SHOTS: list[tuple[str, str, str]] = [
    ("01-today", "/today", "ui.today.walk"),
    ("02-doors", "/doors", "ui.doors.recent"),
    ("03-contacts", "/contacts", "ui.contacts.add"),
    ("04-contact", "/contacts/{contact}", "ui.contact.visits"),
    ("05-contact-new", "/contacts/new", "ui.consent.question"),
    ("06-zone", "/zone", "ui.zone.diagnoses"),
    ("07-diagnosis", "/zone/diagnoses/{diagnosis}", "ui.diagnosis.resources"),
    ("08-action", "/zone/actions/{action}", "ui.action.move"),
    ("09-more", "/more", "ui.more.language"),
    ("10-sync", "/more/sync", "ui.sync.pending_label"),
]


def take(out: Path, lang: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        data_dir = Path(tmp)
        store = Store(data_dir / "teren.db")
        try:
            ids = demo(store)
            store.set_meta("ui.language", lang)
        finally:
            store.close()
        server = AppServer(data_dir).start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for name, route, wait_key in SHOTS:
                context = browser.new_context(viewport=PHONE)
                phone = Phone(context.new_page()).open(server.url + route.format(**ids))
                phone.see(t(wait_key, lang))
                phone.page.wait_for_timeout(400)  # let the last frame paint (a picture, not a test)
                path = out / f"{name}.png"
                phone.screenshot(path)
                written.append(path)
                context.close()
                print(path)
        finally:
            browser.close()
            server.stop()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.screenshots")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--lang", choices=["pl", "en"], default="pl")
    args = parser.parse_args(argv)
    take(args.out, args.lang)


if __name__ == "__main__":
    main(sys.argv[1:])
