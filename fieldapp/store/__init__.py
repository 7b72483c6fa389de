"""The on-device SQLite store."""

from fieldapp.store.db import Store, raw
from fieldapp.store.paths import data_dir, default_db_path

__all__ = ["Store", "data_dir", "default_db_path", "raw"]
