-- Schema version 21: meeting kinds (consultations with their outcome, training sessions with their
-- hours and series) and volunteering (issue 22): a meeting's length, its series and outcome; training
-- series; volunteers (a contact's role, for a time) and the hours they gave.

ALTER TABLE meeting ADD COLUMN duration_min INTEGER NOT NULL DEFAULT 0;

ALTER TABLE meeting ADD COLUMN series_id VARCHAR;

ALTER TABLE meeting ADD COLUMN outcome VARCHAR(10000) NOT NULL DEFAULT '';

CREATE INDEX ix_meeting_series_id ON meeting (series_id);

CREATE TABLE training_series (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	zone_id VARCHAR,
	name VARCHAR(200) NOT NULL,
	sessions_planned INTEGER NOT NULL,
	hours_planned INTEGER NOT NULL,
	started_on DATE,
	notes VARCHAR(10000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_training_series_updated_hlc ON training_series (updated_hlc);

CREATE INDEX ix_training_series_zone_id ON training_series (zone_id);

CREATE TABLE volunteer (
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
	activity VARCHAR(300) NOT NULL,
	since DATE NOT NULL,
	until DATE,
	note VARCHAR(10000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_volunteer_contact_id ON volunteer (contact_id);

CREATE INDEX ix_volunteer_updated_hlc ON volunteer (updated_hlc);

CREATE INDEX ix_volunteer_zone_id ON volunteer (zone_id);

CREATE TABLE volunteer_hours (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	volunteer_id VARCHAR NOT NULL,
	worked_on DATE NOT NULL,
	minutes INTEGER NOT NULL,
	meeting_id VARCHAR,
	action_id VARCHAR,
	what VARCHAR(300) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_volunteer_hours_action_id ON volunteer_hours (action_id);

CREATE INDEX ix_volunteer_hours_meeting_id ON volunteer_hours (meeting_id);

CREATE INDEX ix_volunteer_hours_updated_hlc ON volunteer_hours (updated_hlc);

CREATE INDEX ix_volunteer_hours_volunteer_id ON volunteer_hours (volunteer_id);

CREATE INDEX ix_volunteer_hours_worked_on ON volunteer_hours (worked_on);

