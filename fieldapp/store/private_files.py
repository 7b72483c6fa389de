"""Files and folders for the app's user alone: the store, its logs and exports hold personal data.

Folders are 0700 and files 0600 whatever the process's umask (a desktop session's 022 would make
them readable by every local user). SQLite creates the store's -wal and -shm files with the main
file's mode, so a private main file keeps them private too.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700, or tighten it if it is ours and looser.

    A folder of another user, or a shared sticky one such as /tmp, is left as it is.
    """
    old = os.umask(0o077)  # the missing parents too
    try:
        path.mkdir(parents=True, exist_ok=True)
    finally:
        os.umask(old)
    info = path.stat()
    shared = info.st_mode & stat.S_ISVTX or info.st_uid != _uid()
    if not shared and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make ``path`` an existing 0600 file (created empty if missing, tightened if looser)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    tighten(path)
    return path


def tighten(path: Path) -> None:
    """Remove group and other access from an existing file (a missing file is fine)."""
    with contextlib.suppress(FileNotFoundError):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & FOLDER_MODE)


def open_private(path: str, flags: int) -> int:
    """An ``opener`` for ``open()``: a file it creates is 0600."""
    return os.open(path, flags, FILE_MODE)


def write_private(path: Path, data: bytes) -> Path:
    """Write ``data`` as ``path`` (0600) so that a reader never sees half a file."""
    partial = path.with_name(path.name + ".part")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()  # a leftover of a crash may be looser; O_CREAT keeps an existing file's mode
    with open(partial, "wb", opener=open_private) as out:
        out.write(data)
    partial.replace(path)
    return path


def _uid() -> int:
    getuid = getattr(os, "getuid", None)  # not on Windows, where modes are not used this way
    return getuid() if getuid is not None else -1
