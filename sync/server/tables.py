"""The service's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Records of every type live in one generic ``record`` table keyed by ``(record_type, id)``, with the
field values and the per-field HLCs as JSON. Why not a table per type: the service never queries
inside a record (scope columns are copied out), old and new app versions send different field sets
(unknown fields are simply not stored), and a new record type needs no service migration.

``record.seq`` is the service's change sequence: every write gives the record the next value of the
``counter`` row. Pull reads ``seq > cursor``; a record changed twice is sent once, in its latest
state (the change log compacts itself). Pushes take the counter row lock first, so sequence values
commit in increasing order and a reader paging by ``seq`` never skips a change committed late.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

program = sa.Table(
    "program",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

team = sa.Table(
    "team",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("program_id", sa.String(36), sa.ForeignKey("program.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("program_id", sa.String(36), sa.ForeignKey("program.id"), nullable=False, index=True),
    sa.Column("team_id", sa.String(36), sa.ForeignKey("team.id"), nullable=True, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    #: The team the user left at ``moved_at`` (``scope_moves``): their edits made before it still count.
    sa.Column("previous_team_id", sa.String(36), nullable=True),
    sa.Column("moved_at", sa.DateTime(timezone=True), nullable=True),
)

device = sa.Table(
    "device",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), sa.ForeignKey("account.id"), nullable=False, index=True),
    #: The id the device gave itself (its store's ``device_id``).
    sa.Column("client_device_id", sa.String(64), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    #: SHA-256 of the bearer token (hex).
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_pull_seq", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

#: What each phone last reported of itself (``POST /v1/state``, after every sync) and what the
#: service saw of it, for supervisors' view of every phone (``sync.server.phones``).
device_state = sa.Table(
    "device_state",
    metadata,
    sa.Column("device_id", sa.String(36), sa.ForeignKey("device.id"), primary_key=True),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("app_version", sa.String(40), nullable=True),
    sa.Column("protocol", sa.Integer, nullable=True),
    sa.Column("schema", sa.String(64), nullable=True),
    sa.Column("last_push_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_pull_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("pending", sa.Integer, nullable=True),
    sa.Column("oldest_pending_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("checksum_state", sa.String(20), nullable=True),
    sa.Column("checksum_at", sa.BigInteger, nullable=True),
    sa.Column("clock_offset_ms", sa.BigInteger, nullable=True),
    #: The phone's pull cursor: erasures with a seq at or below it reached it.
    sa.Column("cursor", sa.BigInteger, nullable=True),
    #: When a revoked phone confirmed it wiped its data (``POST /v1/wiped``, its last request).
    sa.Column("wipe_confirmed_at", sa.DateTime(timezone=True), nullable=True),
)

enrollment = sa.Table(
    "enrollment",
    metadata,
    #: Public lookup part of the code; the secret part is only kept hashed.
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("account_id", sa.String(36), sa.ForeignKey("account.id"), nullable=False),
    sa.Column("created_by", sa.String(36), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    #: Wrong secrets tried with this lookup (``throttle``: past a few, each try waits longer).
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("device_id", sa.String(36), nullable=True),
    #: Until when tries from addresses that already guessed wrong are refused (429).
    sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
    #: Set when an admin reissued the code (``teren-sync reissue``): it is no longer redeemable.
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    #: The service address the code's QR carries (a reissue gives the new code the same one).
    sa.Column("server_url", sa.String(500), nullable=True),
)

#: Wrong enrollment attempts per client address (``throttle``), forgotten an hour after the last.
enroll_throttle = sa.Table(
    "enroll_throttle",
    metadata,
    sa.Column("address", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
)

record = sa.Table(
    "record",
    metadata,
    sa.Column("record_type", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("program_id", sa.String(36), nullable=False),
    sa.Column("team_id", sa.String(36), nullable=True),
    sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("hlcs", sa.JSON, nullable=False),
    #: Per field, the ``seq`` of its last write (tells whether a device could have seen it).
    sa.Column("field_seqs", sa.JSON, nullable=False),
    sa.Column("base_hlc", sa.String(100), nullable=False),
    sa.Column("updated_hlc", sa.String(100), nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=True),
    sa.Column("author_id", sa.String(64), nullable=True),
    sa.Column("device_id", sa.String(64), nullable=True),
    #: ``sync.checksum.record_hash`` of the record as stored (signed 64-bit), kept with every write.
    sa.Column("hash", sa.BigInteger, nullable=False, server_default="0"),
    sa.Index("ix_record_team_seq", "team_id", "seq"),
    sa.Index("ix_record_program_seq", "program_id", "seq"),
)

#: Per program, team (``""``: none) and record type: how many records and the sum of their hashes
#: (mod 2**64, stored signed), kept in the transaction of every write of ``record``
#: (``sync.server.record_sums``): a pull's checksum is a few rows, not a pass over the records.
record_sum = sa.Table(
    "record_sum",
    metadata,
    sa.Column("program_id", sa.String(36), primary_key=True),
    sa.Column("team_id", sa.String(36), primary_key=True),
    sa.Column("record_type", sa.String(64), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
)

#: Records a zone's reassignment gave another team (``scope_moves``): edits the old team's phones
#: wrote before ``moved_at`` are still taken when they arrive.
record_move = sa.Table(
    "record_move",
    metadata,
    sa.Column("record_type", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("from_team_id", sa.String(36), nullable=True),
    sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
)

#: Ids of the contacts whose ``erased_at`` is set (``record``'s data), kept in the same transaction
#: as the write that sets or clears it: a push finds whether its records name an erased person here.
erased_contact = sa.Table(
    "erased_contact",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
)

#: Each person's newest consent as the service knows it (Alembic 0020): whether their personal data
#: may be kept. Written in the transaction of each push that writes a consent; read by the same
#: pushes to keep notes about a person without consent out of visits and tasks (``basis``).
consent_basis = sa.Table(
    "consent_basis",
    metadata,
    sa.Column("contact_id", sa.String(64), primary_key=True),
    sa.Column("given_at", sa.String(40), nullable=False),
    sa.Column("base_hlc", sa.String(100), nullable=False),
    sa.Column("stores", sa.Boolean, nullable=False),
)

conflict = sa.Table(
    "conflict",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("program_id", sa.String(36), nullable=False),
    sa.Column("team_id", sa.String(36), nullable=True),
    sa.Column("record_type", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False),
    sa.Column("field", sa.String(100), nullable=False),
    sa.Column("winner_value", sa.JSON, nullable=True),
    sa.Column("winner_hlc", sa.String(100), nullable=False),
    sa.Column("loser_value", sa.JSON, nullable=True),
    sa.Column("loser_hlc", sa.String(100), nullable=False),
    sa.Column("loser_device", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_conflict_program_id", "program_id", "id"),
)

batch = sa.Table(
    "batch",
    metadata,
    sa.Column("device_id", sa.String(36), primary_key=True),
    sa.Column("batch_id", sa.String(64), primary_key=True),
    #: The answer given the first time (a repeat gets it again and changes nothing).
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

counter = sa.Table(
    "counter",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

#: One row: the database's epoch (``sync.server.epoch``), new with every restore from a backup.
service_epoch = sa.Table(
    "service_epoch",
    metadata,
    sa.Column("value", sa.BigInteger, primary_key=True, autoincrement=False),
    #: When the database was made, or restored.
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
)

#: Who viewed, exported, erased or reviewed what (RODO accountability), and what supervisors did on
#: the service. Ids only, never a resident's name, phone or e-mail: the log itself needs no erasure.
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    #: Idempotency key: ``svc:<uuid>`` for the service's own entries, ``<device row id>:<local id>``
    #: for entries uploaded from a device's local log (the same upload twice stores one row).
    sa.Column("entry_key", sa.String(100), nullable=False, unique=True),
    sa.Column("program_id", sa.String(36), nullable=False),
    #: When it happened (the device's clock for uploaded entries) and when the service stored it.
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(36), nullable=False),
    sa.Column("actor_role", sa.String(40), nullable=False),
    #: The acting device's own id (``client_device_id``, as in records and the conflict log).
    sa.Column("device_id", sa.String(64), nullable=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("target_type", sa.String(64), nullable=False),
    sa.Column("target_id", sa.String(64), nullable=False),
    #: ``service`` (seen by the service: a push, an API call) or ``device`` (uploaded local entry).
    sa.Column("source", sa.String(10), nullable=False),
    sa.Index("ix_audit_program_id", "program_id", "id"),
    sa.Index("ix_audit_target", "target_type", "target_id"),
)

#: Files (photos, scans) by the hex SHA-256 of their bytes (``sync.server.files``): an upload in
#: progress (``complete`` false, its bytes so far in the storage's staging folder) or a stored file.
#: Which records a file belongs to is the attachment records' business; this says only what arrived.
file_blob = sa.Table(
    "file_blob",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    #: The length the attachment record declared (the upload's length).
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
)
