-- Schema version 1: the synced records, device metadata and the outbox.

CREATE TABLE consent (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	contact_id VARCHAR NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	scope_contact BOOLEAN NOT NULL, 
	scope_store BOOLEAN NOT NULL, 
	scope_photos BOOLEAN NOT NULL, 
	method VARCHAR(20) NOT NULL, 
	given_at DATETIME NOT NULL, 
	recorded_by VARCHAR(200) NOT NULL, 
	withdrawn_at DATETIME, 
	note VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_consent_contact_id ON consent (contact_id);

CREATE INDEX ix_consent_updated_hlc ON consent (updated_hlc);

CREATE TABLE contact (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	address VARCHAR(300) NOT NULL, 
	street VARCHAR(200) NOT NULL, 
	house_number VARCHAR(20) NOT NULL, 
	flat VARCHAR(20) NOT NULL, 
	city VARCHAR(100) NOT NULL, 
	lat FLOAT, 
	lon FLOAT, 
	position_status VARCHAR(20) NOT NULL, 
	zone_id VARCHAR, 
	phone VARCHAR(40) NOT NULL, 
	email VARCHAR(200) NOT NULL, 
	interests VARCHAR NOT NULL, 
	needs VARCHAR NOT NULL, 
	offers VARCHAR NOT NULL, 
	tags VARCHAR NOT NULL, 
	notes VARCHAR NOT NULL, 
	do_not_knock BOOLEAN NOT NULL, 
	erased_at DATETIME, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_contact_kind ON contact (kind);

CREATE INDEX ix_contact_updated_hlc ON contact (updated_hlc);

CREATE INDEX ix_contact_zone_id ON contact (zone_id);

CREATE TABLE diagnosis (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	zone_id VARCHAR NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	period_start DATE NOT NULL, 
	period_end DATE, 
	methods JSON NOT NULL, 
	people_reached INTEGER NOT NULL, 
	summary VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_diagnosis_updated_hlc ON diagnosis (updated_hlc);

CREATE INDEX ix_diagnosis_zone_id ON diagnosis (zone_id);

CREATE TABLE need (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	diagnosis_id VARCHAR NOT NULL, 
	category VARCHAR(100) NOT NULL, 
	description VARCHAR NOT NULL, 
	people_count INTEGER NOT NULL, 
	priority VARCHAR(20) NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_need_diagnosis_id ON need (diagnosis_id);

CREATE INDEX ix_need_updated_hlc ON need (updated_hlc);

CREATE TABLE neighbourhoodaction (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	zone_id VARCHAR, 
	title VARCHAR(200) NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	description VARCHAR NOT NULL, 
	need_ids JSON NOT NULL, 
	organiser_ids JSON NOT NULL, 
	partner_ids JSON NOT NULL, 
	starts_on DATE, 
	place VARCHAR(300) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	status_changed_at DATETIME, 
	grant_requested_gr INTEGER, 
	grant_granted_gr INTEGER, 
	participants INTEGER NOT NULL, 
	report VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_neighbourhoodaction_status ON neighbourhoodaction (status);

CREATE INDEX ix_neighbourhoodaction_updated_hlc ON neighbourhoodaction (updated_hlc);

CREATE INDEX ix_neighbourhoodaction_zone_id ON neighbourhoodaction (zone_id);

CREATE TABLE resource (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	diagnosis_id VARCHAR NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	category VARCHAR(20) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	description VARCHAR NOT NULL, 
	contact_id VARCHAR, 
	lat FLOAT, 
	lon FLOAT, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_resource_contact_id ON resource (contact_id);

CREATE INDEX ix_resource_diagnosis_id ON resource (diagnosis_id);

CREATE INDEX ix_resource_updated_hlc ON resource (updated_hlc);

CREATE TABLE review (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	target_type VARCHAR(40) NOT NULL, 
	target_id VARCHAR NOT NULL, 
	state VARCHAR(20) NOT NULL, 
	comment VARCHAR NOT NULL, 
	reviewer_id VARCHAR, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_review_target_id ON review (target_id);

CREATE INDEX ix_review_updated_hlc ON review (updated_hlc);

CREATE TABLE visit (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	contact_id VARCHAR, 
	zone_id VARCHAR, 
	address VARCHAR(300) NOT NULL, 
	street VARCHAR(200) NOT NULL, 
	house_number VARCHAR(20) NOT NULL, 
	flat VARCHAR(20) NOT NULL, 
	visited_at DATETIME NOT NULL, 
	lat FLOAT, 
	lon FLOAT, 
	accuracy_m FLOAT, 
	outcome VARCHAR(40) NOT NULL, 
	notes VARCHAR NOT NULL, 
	next_step VARCHAR NOT NULL, 
	follow_up_on DATE, 
	animator_id VARCHAR, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_visit_animator_id ON visit (animator_id);

CREATE INDEX ix_visit_contact_id ON visit (contact_id);

CREATE INDEX ix_visit_follow_up_on ON visit (follow_up_on);

CREATE INDEX ix_visit_outcome ON visit (outcome);

CREATE INDEX ix_visit_updated_hlc ON visit (updated_hlc);

CREATE INDEX ix_visit_visited_at ON visit (visited_at);

CREATE INDEX ix_visit_zone_id ON visit (zone_id);

CREATE TABLE zone (
	id VARCHAR(36) NOT NULL, 
	created_at DATETIME NOT NULL, 
	base_hlc VARCHAR NOT NULL, 
	updated_hlc VARCHAR NOT NULL, 
	field_hlcs JSON NOT NULL, 
	author_id VARCHAR, 
	device_id VARCHAR, 
	deleted BOOLEAN NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	library_branch VARCHAR(200), 
	center_lat FLOAT, 
	center_lon FLOAT, 
	radius_m FLOAT, 
	polygon JSON, 
	workers JSON NOT NULL, 
	notes VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_zone_updated_hlc ON zone (updated_hlc);


CREATE TABLE meta (
	key VARCHAR NOT NULL PRIMARY KEY,
	value VARCHAR NOT NULL
);

-- What this device must push: one row a local change, naming the changed fields ("*" = all).
-- Values are read from the record at push time, so the outbox never keeps a copy of personal data.
CREATE TABLE outbox (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	record_type VARCHAR NOT NULL,
	record_id VARCHAR NOT NULL,
	fields JSON NOT NULL,
	hlc VARCHAR NOT NULL,
	created_at DATETIME NOT NULL
);
CREATE INDEX ix_outbox_record ON outbox (record_type, record_id);
