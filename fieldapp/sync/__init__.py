"""The device's sync engine: the outbox to the service in batches, the service's changes into the store.

One public entry, ``SyncEngine`` (``engine.py``), over an injected ``Transport`` (``transport.py``),
one module per phase: ``push.py`` (with ``outgoing.py``, the records read into wire changes),
``audit.py``, ``pull.py`` (with ``apply.py``, the merge), ``files.py`` (photos and scans on their own
lane, with ``file_client.py``), ``enrollment.py``; ``auto.py`` schedules it.
"""

from fieldapp.sync.auto import AutoSync
from fieldapp.sync.engine import SyncEngine, SyncStatus
from fieldapp.sync.enrollment import parse_enrollment
from fieldapp.sync.errors import SyncError
from fieldapp.sync.receipt import Problem, Progress, Rejection, SyncReceipt
from fieldapp.sync.transport import HttpTransport, Transport

__all__ = [
    "AutoSync",
    "HttpTransport",
    "Problem",
    "Progress",
    "Rejection",
    "SyncEngine",
    "SyncError",
    "SyncReceipt",
    "SyncStatus",
    "Transport",
    "parse_enrollment",
]
