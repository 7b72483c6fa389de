-- Schema version 6: the local audit log (RODO accountability, issue 6): who viewed, exported,
-- erased or reviewed what, and when. A plain table, not a synced record, and never personal data:
-- only record ids, the action, the acting user's id and the time.
CREATE TABLE IF NOT EXISTS audit (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	at VARCHAR NOT NULL,
	actor VARCHAR NOT NULL,
	action VARCHAR(40) NOT NULL,
	target_type VARCHAR(40) NOT NULL,
	target_id VARCHAR(64) NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_audit_target ON audit (target_type, target_id);
CREATE INDEX IF NOT EXISTS ix_audit_at ON audit (at);
