"""zstd where this Python has it: Python 3.14's ``compression.zstd``, else ``backports.zstd`` (a
dependency of the service and the desktop app; not on Flet's mobile index, so a phone gets ``None``
and pushes gzip). Both ends import it from here: pull answers and push bodies share the codec."""

from __future__ import annotations

import sys

try:
    if sys.version_info >= (3, 14):
        from compression import zstd
    else:
        from backports import zstd
except ImportError:  # a phone: gzip, which every service reads and answers
    zstd = None  # type: ignore[assignment]

__all__ = ["zstd"]
