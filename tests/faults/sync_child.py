"""The device app's sync in a child process that is killed mid-sync.

    python sync_child.py <store path> <kill point>

Kill points: ``push:<n>`` SIGKILLs itself right after the answer to the n-th push arrived (the
service committed, the device has not recorded it), ``pull:<n>`` after the n-th pull page arrived
(before it is applied), ``never`` syncs normally (the parent may kill it at any instant).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import requests

from fieldapp.store import Store
from fieldapp.sync import HttpTransport, SyncEngine


class KillingSession(requests.Session):
    def __init__(self, point: str) -> None:
        super().__init__()
        self.path, _, count = point.partition(":")
        self.left = int(count or 0)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        if url.endswith(f"/v1/{self.path}"):
            self.left -= 1
            if self.left == 0:
                os.kill(os.getpid(), signal.SIGKILL)
        return response


if __name__ == "__main__":
    store = Store(Path(sys.argv[1]))
    print("syncing", flush=True)
    SyncEngine(store, HttpTransport(session=KillingSession(sys.argv[2])), batch_size=50, page_size=50).sync()
    store.close()
