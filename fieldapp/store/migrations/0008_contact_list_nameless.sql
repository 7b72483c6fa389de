-- Schema version 8: the contact list shows people and organisations by name first, then the doors
-- whose residents gave no name (no consent to store it) by address. These partial indexes serve the
-- second part as 0005's serve the first, without sorting every nameless contact. They lead with
-- ``name`` so that SQLite, seeing ``name = ''``, prefers them to 0005's (name, id).
CREATE INDEX IF NOT EXISTS ix_contact_live_nameless ON contact (name, address, id) WHERE deleted = 0 AND erased_at IS NULL AND name = '';
CREATE INDEX IF NOT EXISTS ix_contact_live_zone_nameless ON contact (zone_id, name, address, id) WHERE deleted = 0 AND erased_at IS NULL AND name = '';
