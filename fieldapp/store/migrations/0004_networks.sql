-- Schema version 4: networks of cooperation (issue 8): Local Activity Groups and their members
-- and actions, partnerships with partners and phase history, meetings, attendance, follow-up tasks.
-- One row per link (membership, partner, attendance) so concurrent adds on two devices both survive.

CREATE TABLE activity_group (
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
	bond VARCHAR(20) NOT NULL,
	theme VARCHAR(300) NOT NULL,
	need_id VARCHAR,
	description VARCHAR NOT NULL,
	animator_id VARCHAR,
	animator_name VARCHAR(200) NOT NULL,
	status VARCHAR(20) NOT NULL,
	status_since DATE,
	founded_on DATE,
	notes VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_activity_group_animator_id ON activity_group (animator_id);

CREATE INDEX ix_activity_group_status ON activity_group (status);

CREATE INDEX ix_activity_group_updated_hlc ON activity_group (updated_hlc);

CREATE INDEX ix_activity_group_zone_id ON activity_group (zone_id);

CREATE TABLE group_member (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	group_id VARCHAR NOT NULL,
	contact_id VARCHAR,
	role VARCHAR(20) NOT NULL,
	role_since DATE,
	joined_on DATE NOT NULL,
	left_on DATE,
	note VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_group_member_contact_id ON group_member (contact_id);

CREATE INDEX ix_group_member_group_id ON group_member (group_id);

CREATE INDEX ix_group_member_updated_hlc ON group_member (updated_hlc);

CREATE TABLE group_action (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	group_id VARCHAR NOT NULL,
	action_id VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_group_action_action_id ON group_action (action_id);

CREATE INDEX ix_group_action_group_id ON group_action (group_id);

CREATE INDEX ix_group_action_updated_hlc ON group_action (updated_hlc);

CREATE TABLE partnership (
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
	aim VARCHAR NOT NULL,
	phase VARCHAR(20) NOT NULL,
	phase_since DATE,
	written_agreement BOOLEAN NOT NULL,
	agreement_signed_on DATE,
	notes VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_partnership_updated_hlc ON partnership (updated_hlc);

CREATE INDEX ix_partnership_zone_id ON partnership (zone_id);

CREATE TABLE partnership_phase (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	partnership_id VARCHAR NOT NULL,
	phase VARCHAR(20) NOT NULL,
	changed_on DATE NOT NULL,
	note VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_partnership_phase_partnership_id ON partnership_phase (partnership_id);

CREATE INDEX ix_partnership_phase_updated_hlc ON partnership_phase (updated_hlc);

CREATE TABLE partner (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	partnership_id VARCHAR NOT NULL,
	contact_id VARCHAR,
	sector VARCHAR(20) NOT NULL,
	brings JSON NOT NULL,
	brings_note VARCHAR NOT NULL,
	joined_on DATE,
	left_on DATE,
	PRIMARY KEY (id)
);

CREATE INDEX ix_partner_contact_id ON partner (contact_id);

CREATE INDEX ix_partner_partnership_id ON partner (partnership_id);

CREATE INDEX ix_partner_updated_hlc ON partner (updated_hlc);

CREATE TABLE meeting (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	zone_id VARCHAR,
	kind VARCHAR(20) NOT NULL,
	topic VARCHAR(300) NOT NULL,
	held_on DATE NOT NULL,
	start_time VARCHAR(5) NOT NULL,
	place VARCHAR(300) NOT NULL,
	anonymous_count INTEGER NOT NULL,
	group_id VARCHAR,
	partnership_id VARCHAR,
	summary VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_meeting_group_id ON meeting (group_id);

CREATE INDEX ix_meeting_held_on ON meeting (held_on);

CREATE INDEX ix_meeting_partnership_id ON meeting (partnership_id);

CREATE INDEX ix_meeting_updated_hlc ON meeting (updated_hlc);

CREATE INDEX ix_meeting_zone_id ON meeting (zone_id);

CREATE TABLE attendance (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	event_type VARCHAR(20) NOT NULL,
	event_id VARCHAR NOT NULL,
	contact_id VARCHAR,
	role VARCHAR(20) NOT NULL,
	note VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_attendance_contact_id ON attendance (contact_id);

CREATE INDEX ix_attendance_event_id ON attendance (event_id);

CREATE INDEX ix_attendance_updated_hlc ON attendance (updated_hlc);

CREATE TABLE task (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	contact_id VARCHAR,
	meeting_id VARCHAR,
	title VARCHAR(300) NOT NULL,
	due_on DATE,
	assignee_id VARCHAR,
	done_on DATE,
	note VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_task_assignee_id ON task (assignee_id);

CREATE INDEX ix_task_contact_id ON task (contact_id);

CREATE INDEX ix_task_due_on ON task (due_on);

CREATE INDEX ix_task_meeting_id ON task (meeting_id);

CREATE INDEX ix_task_updated_hlc ON task (updated_hlc);
