-- Schema version 70: community places (stages and their history, partners by sector, self-assessment
-- lines against the principles, rooms, bookings), the OWES animation log, anonymous participant
-- profiles, program editions and their carried base (issue 26); the consent's later-editions scope.

ALTER TABLE consent ADD COLUMN scope_later_editions BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE community_place (
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
	name VARCHAR(200) NOT NULL,
	address VARCHAR(300) NOT NULL,
	stage VARCHAR(20) NOT NULL,
	stage_name VARCHAR(200) NOT NULL,
	stage_since DATE,
	opened_on DATE,
	description VARCHAR(10000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_community_place_updated_hlc ON community_place (updated_hlc);

CREATE INDEX ix_community_place_zone_id ON community_place (zone_id);

CREATE TABLE place_stage (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	place_id VARCHAR NOT NULL,
	stage VARCHAR(20) NOT NULL,
	stage_name VARCHAR(200) NOT NULL,
	changed_on DATE NOT NULL,
	note VARCHAR(10000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_place_stage_place_id ON place_stage (place_id);

CREATE INDEX ix_place_stage_updated_hlc ON place_stage (updated_hlc);

CREATE TABLE place_partner (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	place_id VARCHAR NOT NULL,
	contact_id VARCHAR,
	name VARCHAR(200) NOT NULL,
	sector VARCHAR(20) NOT NULL,
	role VARCHAR(300) NOT NULL,
	joined_on DATE,
	left_on DATE,
	PRIMARY KEY (id)
);

CREATE INDEX ix_place_partner_contact_id ON place_partner (contact_id);

CREATE INDEX ix_place_partner_place_id ON place_partner (place_id);

CREATE INDEX ix_place_partner_updated_hlc ON place_partner (updated_hlc);

CREATE TABLE principle_check (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	place_id VARCHAR NOT NULL,
	assessed_on DATE NOT NULL,
	framework VARCHAR(20) NOT NULL,
	principle VARCHAR(30) NOT NULL,
	met BOOLEAN NOT NULL,
	note VARCHAR(10000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_principle_check_assessed_on ON principle_check (assessed_on);

CREATE INDEX ix_principle_check_place_id ON principle_check (place_id);

CREATE INDEX ix_principle_check_updated_hlc ON principle_check (updated_hlc);

CREATE TABLE room (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	place_id VARCHAR NOT NULL,
	name VARCHAR(200) NOT NULL,
	capacity INTEGER NOT NULL,
	equipment VARCHAR(2000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_room_place_id ON room (place_id);

CREATE INDEX ix_room_updated_hlc ON room (updated_hlc);

CREATE TABLE booking (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	place_id VARCHAR NOT NULL,
	room_id VARCHAR NOT NULL,
	booked_on DATE NOT NULL,
	start_time VARCHAR(5) NOT NULL,
	end_time VARCHAR(5) NOT NULL,
	group_id VARCHAR,
	action_id VARCHAR,
	booked_for VARCHAR(300) NOT NULL,
	note VARCHAR(10000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_booking_action_id ON booking (action_id);

CREATE INDEX ix_booking_booked_on ON booking (booked_on);

CREATE INDEX ix_booking_group_id ON booking (group_id);

CREATE INDEX ix_booking_place_id ON booking (place_id);

CREATE INDEX ix_booking_room_id ON booking (room_id);

CREATE INDEX ix_booking_updated_hlc ON booking (updated_hlc);

CREATE TABLE owes_activity (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	zone_id VARCHAR,
	held_on DATE NOT NULL,
	title VARCHAR(300) NOT NULL,
	form VARCHAR(30) NOT NULL,
	task VARCHAR(30) NOT NULL,
	entity_ids JSON NOT NULL,
	group_ids JSON NOT NULL,
	minutes INTEGER NOT NULL,
	groups_formed INTEGER NOT NULL,
	enterprises_created INTEGER NOT NULL,
	partnerships_formed INTEGER NOT NULL,
	outcome VARCHAR(10000) NOT NULL,
	follow_up VARCHAR(10000) NOT NULL,
	follow_up_on DATE,
	PRIMARY KEY (id)
);

CREATE INDEX ix_owes_activity_held_on ON owes_activity (held_on);

CREATE INDEX ix_owes_activity_updated_hlc ON owes_activity (updated_hlc);

CREATE INDEX ix_owes_activity_zone_id ON owes_activity (zone_id);

CREATE TABLE participant_profile (
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
	age_under_18 INTEGER NOT NULL,
	age_18_29 INTEGER NOT NULL,
	age_30_59 INTEGER NOT NULL,
	age_60_plus INTEGER NOT NULL,
	age_unknown INTEGER NOT NULL,
	seniors INTEGER NOT NULL,
	youth INTEGER NOT NULL,
	disabilities INTEGER NOT NULL,
	exclusion_risk INTEGER NOT NULL,
	migrants INTEGER NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_participant_profile_event_id ON participant_profile (event_id);

CREATE INDEX ix_participant_profile_updated_hlc ON participant_profile (updated_hlc);

CREATE TABLE edition (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	name VARCHAR(200) NOT NULL,
	starts_on DATE NOT NULL,
	ends_on DATE,
	previous_id VARCHAR,
	notes VARCHAR(10000) NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_edition_previous_id ON edition (previous_id);

CREATE INDEX ix_edition_updated_hlc ON edition (updated_hlc);

CREATE TABLE edition_item (
	id VARCHAR(36) NOT NULL,
	created_at DATETIME NOT NULL,
	base_hlc VARCHAR NOT NULL,
	updated_hlc VARCHAR NOT NULL,
	field_hlcs JSON NOT NULL,
	author_id VARCHAR,
	device_id VARCHAR,
	deleted BOOLEAN NOT NULL,
	edition_id VARCHAR NOT NULL,
	item VARCHAR(20) NOT NULL,
	contact_id VARCHAR,
	ref_id VARCHAR,
	count INTEGER NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_edition_item_contact_id ON edition_item (contact_id);

CREATE INDEX ix_edition_item_edition_id ON edition_item (edition_id);

CREATE INDEX ix_edition_item_ref_id ON edition_item (ref_id);

CREATE INDEX ix_edition_item_updated_hlc ON edition_item (updated_hlc);

