"""The on-device SQLite store."""

from fieldapp.store.db import StorageFull, Store, raw
from fieldapp.store.paths import data_dir, default_db_path

__all__ = ["StorageFull", "Store", "data_dir", "default_db_path", "raw"]
