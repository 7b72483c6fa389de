"""The local log file: unexpected errors are written here with their trace, never shown on screen."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FILENAME = "teren.log"


def log_path(data_folder: Path) -> Path:
    return data_folder / "logs" / LOG_FILENAME


def setup_logging(data_folder: Path) -> Path:
    """Log INFO and above to a rotating file in the data folder; returns its path."""
    path = log_path(data_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
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
