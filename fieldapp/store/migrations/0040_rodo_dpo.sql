-- Schema version 40: RODO as a DPO checks it (issue 27): consent scopes for special categories, the
-- adult check and the information clause given; a contact's special-category notes, the source of
-- data recorded without meeting the person (art. 14) and the restriction flag (art. 18); the
-- information clause, the rights requests register and the breach register.

ALTER TABLE consent ADD COLUMN scope_special BOOLEAN NOT NULL DEFAULT 0;

ALTER TABLE consent ADD COLUMN adult BOOLEAN NOT NULL DEFAULT 0;

ALTER TABLE consent ADD COLUMN clause_version VARCHAR(40) NOT NULL DEFAULT '';

ALTER TABLE consent ADD COLUMN clause_given_at DATETIME;

ALTER TABLE contact ADD COLUMN special_notes VARCHAR(10000) NOT NULL DEFAULT '';

ALTER TABLE contact ADD COLUMN data_source VARCHAR(300) NOT NULL DEFAULT '';

ALTER TABLE contact ADD COLUMN restricted_at DATETIME;

CREATE TABLE info_clause (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	version VARCHAR(40) NOT NULL,
	full_text VARCHAR(10000) NOT NULL,
	short_text VARCHAR(2000) NOT NULL,
	controller VARCHAR(300) NOT NULL,
	dpo_contact VARCHAR(300) NOT NULL,
	published_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_info_clause_updated_hlc ON info_clause (updated_hlc);

CREATE INDEX ix_info_clause_version ON info_clause (version);

CREATE TABLE rights_request (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	contact_id VARCHAR,
	kind VARCHAR(20) NOT NULL,
	received_on DATE NOT NULL,
	due_on DATE NOT NULL,
	identity_checked_on DATE,
	extended BOOLEAN NOT NULL,
	done_on DATE,
	handled_by VARCHAR(200) NOT NULL,
	note VARCHAR(2000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_rights_request_contact_id ON rights_request (contact_id);

CREATE INDEX ix_rights_request_due_on ON rights_request (due_on);

CREATE INDEX ix_rights_request_updated_hlc ON rights_request (updated_hlc);

CREATE TABLE breach (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	kind VARCHAR(20) NOT NULL,
	device_ref VARCHAR(64) NOT NULL,
	noticed_at DATETIME NOT NULL,
	reported_by VARCHAR(200) NOT NULL,
	description VARCHAR(2000) NOT NULL,
	revoked_at DATETIME,
	authority_notified_at DATETIME,
	closed_at DATETIME,
	PRIMARY KEY (id)
);

CREATE INDEX ix_breach_updated_hlc ON breach (updated_hlc);
