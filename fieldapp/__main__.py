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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    from fieldapp.app import run  # Flet loads only after the arguments are valid

    run(folder=args.data_dir, web=args.web, port=args.port, host=args.host)


if __name__ == "__main__":
    main()
