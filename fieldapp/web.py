"""The app served to a browser (web mode: desktop and tests; the phone build leaves this module and
flet-web out), its page kept from reaching any public server.

Flet's web client loads CanvasKit and fonts locally with ``no_cdn=True``, but its Rive plugin still
appends a ``<script src="https://cdn.jsdelivr.net/…/rive_native.js">`` on start (Teren shows no Rive
animation). An offline phone must not depend on a CDN, and the browser tests fail on any request
that leaves the machine. Flet copies ``index.html`` from the app's assets folder when there is one,
so the app serves its own copy of Flet's page with one script first in ``<head>``: a script
element may only load from the page's own origin; any other ``src`` is dropped before the browser
asks for it (the Rive loader then waits forever, which it tolerates: nothing uses it).
"""

from __future__ import annotations

import os
from pathlib import Path

import flet as ft

from fieldapp.app import make_main, started

#: Runs before any of Flet's scripts; keeps ``script.src`` on this origin.
OFFLINE_SCRIPT = """<script>
// Teren: no script from another origin (Flet's Rive loader asks a public CDN; nothing here uses it).
(function () {
  var property = Object.getOwnPropertyDescriptor(HTMLScriptElement.prototype, "src");
  Object.defineProperty(HTMLScriptElement.prototype, "src", {
    configurable: true,
    enumerable: property.enumerable,
    get: function () { return property.get.call(this); },
    set: function (value) {
      if (new URL(value, document.baseURI).origin !== window.location.origin) {
        console.info("Teren: not loading " + value + " (offline app)");
        return;
      }
      property.set.call(this, value);
    },
  });
})();
</script>
"""


def flet_index_html() -> Path:
    """The page shipped with the installed flet-web package."""
    from flet_web import get_package_web_dir

    return Path(get_package_web_dir()) / "index.html"


def offline_index(source: str) -> str:
    """Flet's page with the guard as the first script of ``<head>``."""
    marker = "<head>"
    if marker not in source:
        raise ValueError("Flet's index.html has no <head>: cannot add the offline guard")
    return source.replace(marker, marker + "\n" + OFFLINE_SCRIPT, 1)


def write_web_assets(folder: Path) -> Path:
    """Write the guarded page into ``folder`` (the app's web assets); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    page = offline_index(flet_index_html().read_text(encoding="utf-8"))
    (folder / "index.html").write_text(page, encoding="utf-8")
    return folder


def run(*, folder: Path | None = None, port: int = 0, host: str | None = None) -> None:
    """Open the store and serve the app to browsers on ``host:port``."""
    with started(folder) as (store, services):
        os.environ["FLET_FORCE_WEB_SERVER"] = "1"
        services.web_origins = (f"http://{host or '127.0.0.1'}:{port}",)
        ft.run(
            make_main(store, services),
            view=ft.AppView.WEB_BROWSER,
            port=port,
            host=host,
            no_cdn=True,
            name="",
            assets_dir=str(write_web_assets(store.path.parent / "web")),
        )
