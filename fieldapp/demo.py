"""``teren-demo``: the app on an embedded default — a local sync service and a device with sample data.

Everything lives in one folder (``var/demo`` by default): the service's SQLite file and the
device's store. The first run creates a demo program, team and animator on the service, enrolls
the device, fills it with a fictitious Łódź neighbourhood and syncs it; later runs reuse both.
The app opens as a window where there is a display, otherwise in the browser (web mode).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.store import Store
from fieldapp.store.paths import DB_FILENAME

if TYPE_CHECKING:
    from fieldapp.sync import SyncEngine
    from sync.server.local import LocalServer

DEFAULT_FOLDER = Path("var") / "demo"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="teren-demo", description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="where the demo keeps its data")
    parser.add_argument("--port", type=int, default=8550, help="web mode: the app's port (default 8550)")
    parser.add_argument("--sync-port", type=int, default=8560, help="the local sync service's port")
    parser.add_argument("--contacts", type=int, default=400, help="sample contacts on first run")
    parser.add_argument("--visits", type=int, default=1_500, help="sample visits on first run")
    parser.add_argument("--web", action="store_true", help="serve to a browser even where there is a display")
    parser.add_argument("--no-app", action="store_true", help="prepare data and service, no app")
    return parser.parse_args(argv)


def prepare(folder: Path, sync_port: int, contacts: int, visits: int) -> LocalServer:
    """Start the local service and make sure the device is enrolled, filled and synced."""
    from fieldapp.sample import fill
    from fieldapp.sample.community import write_community
    from fieldapp.sync import SyncError
    from sync.server.local import start_local_server

    folder.mkdir(parents=True, exist_ok=True)
    server = start_local_server(folder / "service.db", port=sync_port)
    print(f"teren-demo: sync service at {server.url} (data: {folder / 'service.db'})")
    store = Store(folder / "device" / DB_FILENAME)
    try:
        engine = connect_demo_device(server, store)
        if store.meta("demo.filled") is None:
            summary = fill(store, contacts=contacts, visits=visits)
            write_community(store)
            store.set_meta("demo.filled", "1")
            print(f"teren-demo: sample data written ({summary.get('contacts')} contacts, "
                  f"{summary.get('visits')} visits)")
        try:
            receipt = engine.sync()
        except SyncError as exc:  # the app works offline; it syncs again later
            print(f"teren-demo: sync failed ({exc.code}); the app starts anyway")
        else:
            print(f"teren-demo: synced (pushed {receipt.pushed}, pulled {receipt.pulled})")
    finally:
        store.close()
    return server


def connect_demo_device(server: LocalServer, store: Store) -> SyncEngine:
    """A sync engine for ``store`` enrolled in the embedded service: a device enrolled before keeps
    its enrollment (the service has a new port each run), otherwise it gets the demo animator's."""
    from fieldapp.sync import SyncEngine, SyncError
    from sync.server.accounts import create_demo_setup

    engine = SyncEngine(store)
    if engine.status().enrolled:
        engine.move_to(server.url)
        try:
            engine.whoami()
            return engine
        except SyncError:
            pass  # this database does not know the device: enroll it again
    engine.enroll(create_demo_setup(server.db, server.url).enrollment.uri)
    print("teren-demo: device enrolled as the demo animator")
    return engine


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    folder = args.folder.resolve()
    server = prepare(folder, args.sync_port, args.contacts, args.visits)
    try:
        if args.no_app:
            return
        web = args.web or (sys.platform.startswith("linux") and not os.environ.get("DISPLAY"))
        if web:
            from fieldapp.web import run as run_web

            print(f"teren-demo: open http://127.0.0.1:{args.port}/ in a browser (Ctrl+C ends the demo)")
            run_web(folder=folder / "device", port=args.port, host="127.0.0.1")
        else:
            from fieldapp.app import run

            run(folder=folder / "device")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
