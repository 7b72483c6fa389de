"""The local log file: unexpected errors are written here with their trace, never shown on screen.

Traces can hold personal data, so the folder and the files are for the app's user alone.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import TextIO

from fieldapp.store.private_files import open_private, private_folder, tighten

LOG_FILENAME = "teren.log"
BACKUP_COUNT = 3


def log_path(data_folder: Path) -> Path:
    return data_folder / "logs" / LOG_FILENAME


def setup_logging(data_folder: Path) -> Path:
    """Log INFO and above to a rotating file in the data folder; returns its path."""
    path = log_path(data_folder)
    private_folder(path.parent)
    for name in [LOG_FILENAME, *(f"{LOG_FILENAME}.{n}" for n in range(1, BACKUP_COUNT + 1))]:
        tighten(path.parent / name)  # written by an older version with the umask's mode
    root = logging.getLogger()
    target = str(path.absolute())
    if not any(getattr(h, "baseFilename", None) == target for h in root.handlers):
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
        handler.addFilter(_OwnInfoOthersWarnings())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)
    return path


class _OwnInfoOthersWarnings(logging.Filter):
    """Keep the app's own INFO lines; from libraries (Flet, uvicorn…) only warnings and errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.startswith(("fieldapp", "sync"))


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Creates its file 0600 (rotation renames it, so the backups stay 0600 too)."""

    def _open(self) -> TextIO:
        return open(
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=open_private
        )
