"""``fieldapp``: start the field app (a window on a desktop, or ``--web`` for a browser)."""

from __future__ import annotations

import argparse
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="fieldapp", description="Teren — the field app.")
    parser.add_argument(
        "--web", action="store_true", help="serve the app to a web browser instead of a window"
    )
    parser.add_argument("--port", type=int, default=8550, help="web mode: TCP port (default 8550)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="web mode: address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder of the device's data (default: the platform's user data folder)",
    )
    parser.add_argument(
        "--load-map",
        type=Path,
        metavar="FILE",
        help="load the area's map (an MBTiles file of raster tiles) for offline use, then exit",
    )
    return parser.parse_args(argv)


def load_map(source: Path, folder: Path | None) -> None:
    """Install an area map into the device's data folder (a coordinator's command)."""
    from fieldapp.geo.tiles import install_area_map
    from fieldapp.store.paths import data_dir

    try:
        area = install_area_map(folder or data_dir(), source)
    except (OSError, ValueError) as exc:
        raise SystemExit(f"fieldapp: the map was not loaded: {exc}") from None
    zooms = f"{area.min_zoom}-{area.max_zoom}"
    print(f"Loaded the map {area.name!r}: {area.tiles} tiles, zoom {zooms}, in {area.path}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.load_map is not None:
        load_map(args.load_map, args.data_dir)
        return
    # Flet loads only after the arguments are valid.
    if args.web:
        from fieldapp.web import run as run_web

        run_web(folder=args.data_dir, port=args.port, host=args.host)
    else:
        from fieldapp.app import run

        run(folder=args.data_dir)


if __name__ == "__main__":
    main()
