-- Schema version 60: attachments (issue 24). The record (metadata) syncs like any record; the bytes
-- live in the files folder beside the store (``fieldapp.store.blobs``) and move on their own lane
-- (``fieldapp.sync.files``), queued in ``file_transfer``.

CREATE TABLE attachment (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	size INTEGER NOT NULL,
	mime VARCHAR(40) NOT NULL,
	owner_type VARCHAR(20) NOT NULL,
	owner_id VARCHAR NOT NULL,
	contact_id VARCHAR,
	caption VARCHAR(500) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_attachment_contact_id ON attachment (contact_id);

CREATE INDEX ix_attachment_owner_id ON attachment (owner_id);

CREATE INDEX ix_attachment_sha256 ON attachment (sha256);

CREATE INDEX ix_attachment_updated_hlc ON attachment (updated_hlc);

-- The file lane's queue: an upload waits here from the moment a file is attached; a download
-- only once it failed (then with its backoff). Done transfers leave the queue.
CREATE TABLE file_transfer (
	sha256 VARCHAR(64) NOT NULL,
	direction VARCHAR(4) NOT NULL,
	attachment_id VARCHAR(36) NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error VARCHAR(40),
	next_try_at REAL NOT NULL DEFAULT 0,
	PRIMARY KEY (sha256, direction)
);
