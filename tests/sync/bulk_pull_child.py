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
from fieldapp.sync import SyncEngine
from fieldapp.sync.pull import Pull

merge_page = Pull._merge_page


def dying_merge_page(pull: Pull, *args: Any, **kwargs: Any) -> None:
    """``Pull._merge_page``, then SIGKILL once the given number of pages is committed."""
    merge_page(pull, *args, **kwargs)
    dying_merge_page.left -= 1  # type: ignore[attr-defined]
    if dying_merge_page.left == 0:  # type: ignore[attr-defined]
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    dying_merge_page.left = int(sys.argv[2])  # type: ignore[attr-defined]
    Pull._merge_page = dying_merge_page  # type: ignore[method-assign]
    engine = SyncEngine(Store(Path(sys.argv[1])), page_size=int(sys.argv[3]))
    engine.bulk_min_records = int(sys.argv[4])
    engine.sync()
