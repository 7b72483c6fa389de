"""A device's first pull in a child process that SIGKILLs itself once n pages are committed.

    python bulk_pull_child.py <store path> <pages> <page size> <bulk threshold>
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from fieldapp.store import Store
from fieldapp.sync.client import SyncClient


class DyingClient(SyncClient):
    left = 0

    def _merge_page(self, *args: Any, **kwargs: Any) -> None:
        super()._merge_page(*args, **kwargs)
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    client = DyingClient(Store(Path(sys.argv[1])), page_size=int(sys.argv[3]))
    client.left = int(sys.argv[2])
    client.bulk_min_records = int(sys.argv[4])
    client.sync()
