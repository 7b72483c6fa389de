"""A sync service process that dies right after committing its first push, before answering.

Run as ``python crashing_server.py <database url> <port>``: the test then sees the connection drop
after the batch committed, restarts a normal service on the same port and checks exactly-once.
"""

from __future__ import annotations

import os
import sys

import uvicorn

from sync.server import merge
from sync.server.app import create_app

_apply = merge.apply_batch


def _apply_then_die(*args: object, **kwargs: object) -> object:
    _apply(*args, **kwargs)  # type: ignore[arg-type]
    os._exit(17)  # committed, no answer sent


if __name__ == "__main__":
    merge.apply_batch = _apply_then_die  # type: ignore[assignment]
    uvicorn.run(create_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
