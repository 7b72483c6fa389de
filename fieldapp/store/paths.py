"""Where the device keeps its data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DB_FILENAME = "teren.db"


def data_dir() -> Path:
    """The app's data folder.

    Order: ``TEREN_DATA_DIR`` (tests, power users); ``FLET_APP_STORAGE_DATA`` (set by Flet on
    Android and iOS, where the app folder itself is read-only); else the platform's user data folder.
    """
    for var in ("TEREN_DATA_DIR", "FLET_APP_STORAGE_DATA"):
        value = os.environ.get(var)
        if value:
            return Path(value)
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", home / "AppData" / "Roaming")) / "Teren"
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "Teren"
    return Path(os.environ.get("XDG_DATA_HOME", home / ".local" / "share")) / "teren"


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME
