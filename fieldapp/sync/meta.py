"""What the sync engine keeps in the store's meta table, and the fingerprint of the app's model."""

from __future__ import annotations

from fieldapp.model.registry import schema_signature

K_SERVER = "sync.server_url"
#: The service's change sequence this device has pulled up to.
K_CURSOR = "sync.cursor"
#: Batches sent and not yet settled (ids and outbox seqs): after a crash they go again first.
K_INFLIGHT = "sync.inflight"
K_LAST_SUCCESS = "sync.last_success_at"
#: When changes last reached the service, and when a pull last finished (ISO, UTC).
K_LAST_PUSH = "sync.last_push_at"
K_LAST_PULL = "sync.last_pull_at"
K_LAST_ERROR = "sync.last_error_code"
K_USER_NAME = "sync.user_name"
K_ROLE = "sync.role"
K_TEAM = "sync.team_id"
#: The service's epoch (``sync.server.epoch``) of the pages merged: a new one means the service's
#: database was restored from a backup (``fieldapp.sync.pull``).
K_EPOCH = "sync.epoch"
#: The last checksum verification's outcome (JSON, ``fieldapp.sync.verify``).
K_CHECKSUM = "sync.checksum"
#: The app version the service asked for when it refused this one (``app_too_old``).
K_MIN_APP = "sync.min_app_version"
#: ``model_signature()`` of the app version that moved the cursor last.
K_MODEL = "sync.model"
#: The request codings the service last said it reads (``Accept-Encoding`` of its answers, names
#: separated by spaces; empty: gzip only): the next sync's first push body uses them.
K_REQUEST_CODINGS = "sync.request_codings"


def model_signature() -> str:
    """A fingerprint of the record types and fields this app version knows."""
    return schema_signature()
